"""A change is always marked (issue 23, security finding N4): once the review page's diff budget is spent, a
changed text is still shown as removed and added, whole, with its changed numbers marked; and the compare
screen shows a draft against the live page, with a budget of its own."""

import pytest
from django.urls import reverse

from therapies.editorial import textdiff
from therapies.models import Risk, Therapy

from .workflow_helpers import submitted_change

pytestmark = pytest.mark.django_db


def _dose_change(editor):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    dosing = "Take 20 mg once a day with food. " * 30
    live = Therapy.objects.filter(pk=therapy.pk)
    live.update(dosing=dosing)  # the live text the draft starts from
    therapy.refresh_from_db()
    change_request = submitted_change(editor, therapy, dosing=dosing.replace("20 mg", "200 mg", 1))
    return therapy, change_request, change_request.revisions.get()


def test_after_the_budget_is_spent_the_review_page_still_marks_the_change_and_its_number(client, editor, reviewer,
                                                                                          monkeypatch):
    therapy, change_request, revision = _dose_change(editor)
    monkeypatch.setattr(textdiff, "PAGE_BUDGET", 0)  # decoys spent it all
    client.force_login(reviewer)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert "Not compared word by word" in html
    assert 'Take <mark class="number-changed">200</mark> mg' in html
    assert '<ins>Take <mark class="number-changed">200</mark>' in html  # the new value whole, as added
    compare = reverse("admin:therapies_compare", args=["therapy", therapy.pk]) + f"?draft={revision.pk}"
    assert f'<a href="{compare}">Compare with the live page</a>' in html


def test_the_compare_screen_shows_a_draft_against_the_live_page_with_its_own_budget(client, editor, reviewer):
    therapy, change_request, revision = _dose_change(editor)
    client.force_login(reviewer)
    url = reverse("admin:therapies_compare", args=["therapy", therapy.pk])
    html = client.get(url, {"draft": revision.pk}).content.decode()
    assert f"change request #{change_request.pk}</a> (not published)" in html
    assert "<del>20</del> mg" in html and "<ins>200</ins> mg" in html  # marked word by word
    assert "Not compared word by word" not in html


@pytest.mark.parametrize("draft", ["abc", "-1", "", "other"])
def test_a_draft_that_is_not_this_pages_is_refused_with_a_message(client, editor, reviewer, draft):
    therapy, _, revision = _dose_change(editor)
    if draft == "other":  # a draft of another object
        other = submitted_change(editor, Risk.objects.get(slug="pml"), summary="Changed.")
        draft = str(other.revisions.get().pk)
    client.force_login(reviewer)
    response = client.get(reverse("admin:therapies_compare", args=["therapy", therapy.pk]), {"draft": draft},
                          follow=True)
    assert response.status_code == 200
    assert "Choose a draft of this page in an open change request to compare." in response.content.decode()


def test_a_draft_id_no_database_could_hold_is_a_bad_request(client, reviewer):
    client.force_login(reviewer)
    therapy = Therapy.objects.get(slug="ocrelizumab")
    url = reverse("admin:therapies_compare", args=["therapy", therapy.pk])
    assert client.get(url, {"draft": "99999999999999999999"}).status_code == 400
