"""Safety alerts by email (issue 26): subscribe, confirm, alert on publish, leave; with a real SMTP server."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from therapies import workflow
from therapies.editorial import alert_links, alerts
from therapies.models import (
    AlertEvent,
    AlertSignup,
    AlertSubscriber,
    AlertSubscription,
    OutboundEmail,
    Therapy,
)
from therapies.site import alerts as site_alerts

from .mail_server import MailServer
from .workflow_helpers import submitted_change

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
LINK = re.compile(r"https?://\S+")


def ask(client, email="reader@example.org", therapy="ocrelizumab", level="safety", frequency="immediate", **extra):
    data = {"email": email, "therapy": therapy, "level": level, "frequency": frequency}
    return client.post(reverse("alerts_subscribe"), data, **{**SAME_ORIGIN, **extra})


def path_of(url: str) -> str:
    return urlsplit(url).path


def link_in(body: str, name: str) -> str:
    return next(url for url in LINK.findall(body) if f"/alerts/{name}/" in url)


def subscribed(client, email="reader@example.org", **choice) -> AlertSubscriber:
    """Ask and confirm, as a reader following the link in the email."""
    ask(client, email, **choice)
    confirm = link_in(OutboundEmail.objects.filter(to=email).latest("pk").body, "confirm")
    client.post(path_of(confirm))
    return AlertSubscriber.objects.get(email=email)


def alert_emails():
    """Alerts queued for readers (not their confirmation emails)."""
    return OutboundEmail.objects.filter(alert_subscriber__isnull=False).exclude(subject=site_alerts.CONFIRM_SUBJECT)


def publish_safety_change(editor, reviewer, **fields):
    change_request = submitted_change(editor, **fields)
    workflow.approve(change_request=change_request, user=reviewer, significance="safety")
    workflow.publish(change_request=change_request, user=reviewer)
    return change_request


# --- Subscribing -------------------------------------------------------------------------------


def test_subscribing_answers_the_same_for_a_known_and_an_unknown_address(client, seeded):
    first = ask(client, "new@example.org")
    AlertSubscriber.objects.create(email="known@example.org", confirmed_at=timezone.now())
    second = ask(client, "known@example.org")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("alerts_sent")
    bodies = [OutboundEmail.objects.get(to=address).body for address in ("new@example.org", "known@example.org")]
    assert [LINK.sub("LINK", body) for body in bodies][0].replace("new@", "known@") == LINK.sub("LINK", bodies[1])


def test_a_known_address_is_unchanged_until_its_owner_confirms(client, seeded):
    subscriber = AlertSubscriber.objects.create(email="known@example.org", confirmed_at=timezone.now())
    ask(client, "known@example.org", therapy="", level="all", frequency="weekly")
    subscriber.refresh_from_db()
    assert subscriber.frequency == "immediate" and not subscriber.subscriptions.exists()


def test_nothing_is_stored_as_confirmed_before_the_link_is_followed(client, seeded):
    ask(client)
    subscriber = AlertSubscriber.objects.get()
    assert subscriber.confirmed_at is None and not subscriber.subscriptions.exists()


def test_confirming_starts_the_chosen_alert(client, seeded):
    subscriber = subscribed(client)
    assert subscriber.confirmed_at is not None
    assert list(subscriber.subscriptions.values_list("therapy__slug", "level")) == [("ocrelizumab", "safety")]


def test_the_confirm_link_only_shows_a_button_on_get(client, seeded):
    ask(client)
    confirm = link_in(OutboundEmail.objects.get().body, "confirm")
    response = client.get(path_of(confirm))
    assert response.status_code == 200 and b"Confirm" in response.content
    assert AlertSubscriber.objects.get().confirmed_at is None  # a mail scanner opening the link confirms nothing


def test_an_expired_confirmation_link_confirms_nothing(client, seeded, monkeypatch):
    ask(client)
    confirm = link_in(OutboundEmail.objects.get().body, "confirm")
    path = path_of(confirm)
    later = datetime.datetime.now().timestamp() + alert_links.CONFIRM_MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(path)
    assert response.status_code == 410 and b"expired" in response.content
    assert AlertSubscriber.objects.get().confirmed_at is None


def test_a_forged_confirmation_link_is_refused(client, seeded):
    response = client.post(reverse("alerts_confirm", args=["not-a-real-token"]))
    assert response.status_code == 400 and not AlertSubscription.objects.exists()


def test_a_bad_address_gets_a_message_and_stores_nothing(client, seeded):
    response = ask(client, "not an address")
    assert response.status_code == 400 and b"like name@example.org" in response.content
    assert not AlertSubscriber.objects.exists() and not OutboundEmail.objects.exists()


def test_an_unknown_therapy_gets_a_message_and_stores_nothing(client, seeded):
    response = ask(client, therapy="no-such-drug")
    assert response.status_code == 400 and b"no page for that therapy" in response.content
    assert not AlertSubscriber.objects.exists()


def test_a_cross_site_post_without_a_token_is_refused(client, seeded):
    client.handler.enforce_csrf_checks = True
    response = ask(client, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403 and not AlertSubscriber.objects.exists()


def test_the_honeypot_looks_accepted_but_stores_nothing(client, seeded):
    response = client.post(reverse("alerts_subscribe"), {"email": "bot@example.org", "level": "safety",
                                                         "frequency": "immediate", "website": "x"}, **SAME_ORIGIN)
    assert response.status_code == 302 and not AlertSubscriber.objects.exists()


def test_the_rate_limit_per_address(client, seeded):
    for number in range(site_alerts.RATE_PER_ADDRESS):
        assert ask(client, REMOTE_ADDR=f"10.0.0.{number + 1}").status_code == 302
    refused = ask(client, REMOTE_ADDR="10.0.0.99")
    assert refused.status_code == 429 and b"try again in an hour" in refused.content
    assert OutboundEmail.objects.count() == site_alerts.RATE_PER_ADDRESS


def test_the_rate_limit_per_client(client, seeded):
    for number in range(site_alerts.RATE_PER_CLIENT):
        assert ask(client, f"reader{number}@example.org").status_code == 302
    refused = ask(client, "one-more@example.org")
    assert refused.status_code == 429 and not AlertSubscriber.objects.filter(email="one-more@example.org").exists()


def test_the_rate_limit_counts_only_the_last_hour(client, seeded):
    for number in range(site_alerts.RATE_PER_ADDRESS):
        ask(client, REMOTE_ADDR=f"10.0.0.{number + 1}")
    AlertSignup.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    assert ask(client, REMOTE_ADDR="10.0.0.50").status_code == 302
    assert AlertSignup.objects.count() == 1  # the old ones are gone: kept an hour, no more


def test_the_rate_limit_reads_the_client_behind_our_proxy(client, seeded, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(site_alerts.RATE_PER_CLIENT):
        ask(client, f"r{number}@example.org", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = ask(client, "other@example.org", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302  # another reader behind the same load balancer is not limited


def test_unconfirmed_addresses_are_deleted_after_seven_days(client, seeded):
    ask(client, "late@example.org")
    confirmed = subscribed(client, "prompt@example.org")
    AlertSubscriber.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    call_command("send_alerts", "--quiet")
    assert list(AlertSubscriber.objects.values_list("pk", flat=True)) == [confirmed.pk]
    assert not OutboundEmail.objects.filter(to="late@example.org").exists()


# --- Alerts on publish -----------------------------------------------------------------------------


def test_a_safety_publish_emails_each_matching_subscriber_once(client, seeded, editor, reviewer,
                                                                django_capture_on_commit_callbacks):
    safety = subscribed(client, "safety@example.org")
    every = subscribed(client, "every@example.org", therapy="", level="all")
    other = subscribed(client, "other@example.org", therapy="natalizumab")
    OutboundEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        change_request = publish_safety_change(editor, reviewer)
    alerts.queue_events()
    alerted = alert_emails()
    assert sorted(alerted.values_list("to", flat=True)) == [every.email, safety.email]
    assert other.email not in alerted.values_list("to", flat=True)
    body = alerted.get(to=safety.email).body
    assert change_request.change_note in body and "/therapies/ocrelizumab/#history" in body
    alerts.queue_events()  # a second run queues nobody again
    assert alerted.count() == 2


def test_a_minor_change_reaches_only_every_change_subscribers(client, seeded, editor, reviewer,
                                                               django_capture_on_commit_callbacks):
    subscribed(client, "safety@example.org")
    subscribed(client, "every@example.org", level="all")
    with django_capture_on_commit_callbacks(execute=True):
        change_request = submitted_change(editor)
        workflow.approve(change_request=change_request, user=reviewer, significance="minor")
        workflow.publish(change_request=change_request, user=reviewer)
    alerts.queue_events()
    assert list(alert_emails()
                .values_list("to", flat=True)) == ["every@example.org"]


def test_an_unpublish_alerts_with_its_public_reason(client, seeded, reviewer, django_capture_on_commit_callbacks):
    subscribed(client, "every@example.org", level="all")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(obj=Therapy.objects.get(slug="ocrelizumab"), user=reviewer,
                           reason="Withdrawn for a check of its sources.", significance="major")
    alerts.queue_events()
    body = alert_emails().get().body
    assert "Withdrawn for a check of its sources." in body and "no longer published" in body


def test_a_weekly_subscriber_gets_one_digest_of_the_weeks_changes(client, seeded, editor, reviewer,
                                                                   django_capture_on_commit_callbacks):
    subscriber = subscribed(client, "weekly@example.org", frequency="weekly", level="all")
    with django_capture_on_commit_callbacks(execute=True):
        first = publish_safety_change(editor, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        second = publish_safety_change(editor, reviewer, dosing="Twice a year, by infusion.")
    alerts.queue_events()
    assert not OutboundEmail.objects.filter(alert_subscriber=subscriber, subject__contains="digest").exists()
    alerts.queue_digests(now=subscriber.digest_due_at + datetime.timedelta(minutes=1))
    digest = OutboundEmail.objects.get(alert_subscriber=subscriber, subject__contains="digest")
    assert first.change_note in digest.body and digest.body.count("/therapies/ocrelizumab/#history") == 2
    assert second.pk != first.pk


def test_an_address_that_never_confirmed_gets_no_alert(client, seeded, editor, reviewer,
                                                         django_capture_on_commit_callbacks):
    subscribed(client, "confirmed@example.org")
    ask(client, "unconfirmed@example.org")
    AlertSubscription.objects.create(subscriber=AlertSubscriber.objects.get(email="unconfirmed@example.org"),
                                     therapy=None, level="all")  # as if it had chosen, but never confirmed
    with django_capture_on_commit_callbacks(execute=True):
        publish_safety_change(editor, reviewer)
    alerts.queue_events()
    assert list(alert_emails().values_list("to", flat=True)) == ["confirmed@example.org"]
    assert alerts.audience([Therapy.objects.get(slug="ocrelizumab")], "safety") == {"now": 1, "weekly": 0}


def test_nobody_is_alerted_about_a_change_published_before_they_confirmed(client, seeded, editor, reviewer,
                                                                          django_capture_on_commit_callbacks):
    subscribed(client, "early@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        publish_safety_change(editor, reviewer)
    late = subscribed(client, "late@example.org")
    alerts.queue_events()
    assert not OutboundEmail.objects.filter(alert_subscriber=late, subject__startswith="Safety").exists()


def test_the_publish_confirm_page_says_how_many_people_will_be_emailed(client, seeded, editor, reviewer):
    for number in range(3):
        subscribed(client, f"r{number}@example.org")
    subscribed(client, "weekly@example.org", frequency="weekly")
    change_request = submitted_change(editor)
    workflow.approve(change_request=change_request, user=reviewer, significance="safety")
    client.force_login(reviewer)
    from .workflow_helpers import seen_on_review_page

    url = reverse("admin:therapies_changerequest_action", args=[change_request.pk, "publish"])
    page = client.post(url, {"seen": seen_on_review_page(client, change_request)})
    assert "3 people will be emailed now, and 1 in their weekly digest" in page.content.decode()


# --- Leaving ----------------------------------------------------------------------------------------


def test_one_click_unsubscribe_deletes_the_address_without_a_csrf_token(client, seeded):
    subscriber = subscribed(client)
    url = alert_links.unsubscribe_url(subscriber.pk, subscriber.email)
    client.handler.enforce_csrf_checks = True
    response = client.post(path_of(url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not AlertSubscriber.objects.exists() and not AlertSubscription.objects.exists()
    assert not OutboundEmail.objects.filter(to=subscriber.email).exists()


def test_the_manage_page_needs_a_csrf_token(client, seeded):
    subscriber = subscribed(client)
    client.handler.enforce_csrf_checks = True
    url = alert_links.manage_url(subscriber.pk, subscriber.email)
    response = client.post(path_of(url), {"delete": "1"})
    assert response.status_code == 403 and AlertSubscriber.objects.exists()


def test_the_manage_page_shows_what_is_held_and_deletes_it(client, seeded):
    subscriber = subscribed(client)
    path = path_of(alert_links.manage_url(subscriber.pk, subscriber.email))
    page = client.get(path).content.decode()
    assert subscriber.email in page and "Ocrelizumab" in page and "Confirmed on" in page
    client.post(path, {"delete": "1"})
    assert not AlertSubscriber.objects.exists()
    assert "no longer hold" in client.get(path).content.decode()


def test_a_link_from_before_leaving_does_not_work_for_a_new_subscription(client, seeded):
    old = subscribed(client)
    old_path = path_of(alert_links.manage_url(old.pk, old.email))
    client.post(old_path, {"delete": "1"})
    subscribed(client)  # the same address subscribes again: a new row
    assert "no longer hold" in client.get(old_path).content.decode()


# --- Sending, through a real SMTP server -------------------------------------------------------------


def test_the_alert_as_a_mail_program_sees_it(client, seeded, editor, reviewer, mail_server,
                                             django_capture_on_commit_callbacks):
    subscriber = subscribed(client, "reader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        change_request = publish_safety_change(editor, reviewer)
    call_command("send_alerts", "--quiet")
    received = [m for m in mail_server.messages() if m["Subject"].startswith("Safety")]
    assert len(received) == 1
    message = received[0]
    assert message["To"] == subscriber.email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")  # may be folded
    assert unsubscribe.startswith("http://") and "/alerts/unsubscribe/" in unsubscribe
    body = message.get_content()
    assert change_request.change_note in body
    assert "http://127.0.0.1:8000/therapies/ocrelizumab/#history" in body
    assert message.get_content_charset() == "utf-8"
    # The mail program's one-click button: a POST to the header's link, no cookie, no token.
    client.handler.enforce_csrf_checks = True
    client.post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert not AlertSubscriber.objects.filter(email=subscriber.email).exists()


def test_a_non_ascii_change_note_arrives_intact(client, seeded, editor, reviewer, mail_server,
                                                django_capture_on_commit_callbacks):
    subscribed(client, "reader@example.org")
    change_request = submitted_change(editor)
    change_request.change_note = "Añadido: riesgo de LMP — “progressive multifocal leukoencephalopathy” ≥1/1000"
    change_request.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(change_request=change_request, user=reviewer, significance="safety")
        workflow.publish(change_request=change_request, user=reviewer)
    call_command("send_alerts", "--quiet")
    alert = next(m for m in mail_server.messages() if m["Subject"].startswith("Safety"))
    assert change_request.change_note in alert.get_content()


def test_mail_server_down_mid_run_loses_nothing_and_sends_nothing_twice(tmp_path, settings, seeded):
    subscribers = [AlertSubscriber.objects.create(email=f"r{n}@example.org", confirmed_at=timezone.now())
                   for n in range(12)]
    event = AlertEvent.objects.create(action="publish", significance="safety", note="A safety change.",
                                      occurred_at=timezone.now(), therapy_ids=[], pages=[])
    for subscriber in subscribers:
        AlertSubscription.objects.create(subscriber=subscriber, therapy=None, level="safety")
    AlertEvent.objects.filter(pk=event.pk).update(created_at=timezone.now())
    alerts.queue_events()
    server = MailServer(tmp_path).start(die_after=5)
    server.use(settings)
    call_command("send_alerts", "--quiet")  # the server dies after five
    assert server.wait_dead() == 3
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == 5
    untouched = OutboundEmail.objects.filter(sent_at__isnull=True)
    assert untouched.count() == 7 and set(untouched.values_list("attempts", flat=True)) == {0}
    assert untouched.exclude(last_error="").count() == 1  # the run stopped at the message in flight
    server.start()
    call_command("send_alerts", "--quiet")
    server.stop()
    received = sorted(m["To"] for m in server.messages())
    assert received == sorted(s.email for s in subscribers)  # every one, once
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_refused_message_is_retried_after_a_backoff(settings, seeded):
    OutboundEmail.objects.create(to="r@example.org", subject="s", body="b")
    settings.EMAIL_BACKEND = "tests.failing_mail.RefusingBackend"
    call_command("send_alerts", "--quiet")
    email = OutboundEmail.objects.get()
    assert email.attempts == 1 and email.next_attempt_at > timezone.now()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_alerts", "--quiet")
    assert mail.outbox == []  # not due yet
    OutboundEmail.objects.update(next_attempt_at=timezone.now())
    call_command("send_alerts", "--quiet")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("path", ["/therapies/ocrelizumab/", "/updates/"])
def test_the_form_on_a_cached_page_carries_no_token_and_the_page_stays_cached(client, seeded, page_cache, path):
    client.get(path)
    again = client.get(path)
    assert again["X-Page-Cache"] == "hit"
    assert b'action="/alerts/subscribe/"' in again.content and b"csrfmiddlewaretoken" not in again.content
    assert "csrftoken" not in again.cookies


def test_a_post_from_a_cached_page_is_accepted_as_same_origin(client, seeded, page_cache):
    client.handler.enforce_csrf_checks = True
    client.get("/therapies/ocrelizumab/")
    assert ask(client).status_code == 302  # no token: the browser's Sec-Fetch-Site says it came from this site


def test_an_alert_carries_the_wording_a_reviewer_corrected_before_it_was_queued(client, seeded, editor, reviewer,
                                                                                 django_capture_on_commit_callbacks):
    from therapies.models import PublicChange
    from therapies.workflow.public_record import correct_public_note

    subscribed(client)
    with django_capture_on_commit_callbacks(execute=True):
        change_request = publish_safety_change(editor, reviewer)
    row = PublicChange.objects.filter(change_request=change_request).first()
    correct_public_note(change=row, user=reviewer, note="Added the hepatitis B warning (corrected wording).")
    alerts.queue_events()
    body = alert_emails().get().body
    assert "corrected wording" in body and change_request.change_note not in body
