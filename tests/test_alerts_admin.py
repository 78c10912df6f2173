"""Safety alerts in the admin (issue 26): counts for editors, addresses for support only, each look audited."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from therapies.models import AlertSubscriber, AlertSubscription, AuditAction, AuditEvent, Therapy

COUNTS = reverse("admin:therapies_alertsubscription_changelist")
ADDRESSES = reverse("admin:therapies_alertsubscriber_changelist")


@pytest.fixture
def followers(seeded):
    ocrelizumab = Therapy.objects.get(slug="ocrelizumab")
    for number, (therapy, level) in enumerate([(ocrelizumab, "safety"), (ocrelizumab, "all"), (None, "safety")]):
        subscriber = AlertSubscriber.objects.create(email=f"follower{number}@example.org",
                                                    confirmed_at=timezone.now())
        AlertSubscription.objects.create(subscriber=subscriber, therapy=therapy, level=level)
    unconfirmed = AlertSubscriber.objects.create(email="unconfirmed@example.org")
    AlertSubscription.objects.create(subscriber=unconfirmed, therapy=ocrelizumab, level="safety")


@pytest.fixture
def support(db, django_user_model):
    user = django_user_model.objects.create_user(username="support", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    return user


def test_an_editor_sees_counts_per_therapy_and_no_address(client, editor, followers):
    client.force_login(editor)
    page = client.get(COUNTS).content.decode()
    assert "Ocrelizumab" in page and "Every therapy" in page
    row = page.split("Ocrelizumab</th>", 1)[1].split("</tr>", 1)[0]
    assert [cell.split("</td>")[0] for cell in row.split("<td>")[1:]] == ["1", "0", "1", "0", "2"]
    assert "@example.org" not in page
    assert client.get(ADDRESSES).status_code == 403


def test_support_sees_addresses_and_each_look_is_audited(client, support, followers):
    client.force_login(support)
    page = client.get(ADDRESSES, {"q": "follower1@example.org"}).content.decode()
    assert "follower1@example.org" in page and "follower0@example.org" not in page
    looked = AuditEvent.objects.get(action=AuditAction.SEE_ALERT_ADDRESSES)
    assert looked.actor == support and looked.details["search"] == "follower1@example.org"
    subscriber = AlertSubscriber.objects.get(email="follower1@example.org")
    assert looked.details["shown"] == [subscriber.pk]
    client.get(reverse("admin:therapies_alertsubscriber_change", args=[subscriber.pk]))
    assert AuditEvent.objects.filter(action=AuditAction.SEE_ALERT_ADDRESSES).count() == 2


def test_support_deleting_an_address_is_audited(client, support, followers):
    client.force_login(support)
    subscriber = AlertSubscriber.objects.get(email="follower1@example.org")
    client.post(reverse("admin:therapies_alertsubscriber_delete", args=[subscriber.pk]), {"post": "yes"})
    assert not AlertSubscriber.objects.filter(pk=subscriber.pk).exists()
    assert AuditEvent.objects.get(action=AuditAction.DELETE_ALERT_ADDRESSES).details == {"subscribers": [subscriber.pk]}


def test_a_reviewer_cannot_see_addresses(client, reviewer, followers):
    client.force_login(reviewer)
    assert client.get(COUNTS).status_code == 200
    assert client.get(ADDRESSES).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.SEE_ALERT_ADDRESSES).exists()
