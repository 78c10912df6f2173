"""The confirm step (issue 14): Approve, Publish now, Schedule, Request changes, Reject, Withdraw and Unpublish show
what they will do, and only the confirm page's own button acts. A direct post without it changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from therapies.admin import confirm
from therapies.models import AuditAction, AuditEvent, ChangeRequest, State, Therapy

from .workflow_helpers import approved_change, confirm_token, draft_change, seen_on_review_page, submitted_change

pytestmark = pytest.mark.django_db


def action_url(change_request, action: str) -> str:
    return reverse("admin:therapies_changerequest_action", args=[change_request.pk, action])


def unpublish_url(therapy) -> str:
    return reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "unpublish"])


def state_of(change_request) -> str:
    return ChangeRequest.objects.get(pk=change_request.pk).state


# (who acts, the state the change request starts in, the posted form, the state once confirmed)
CASES = {
    "approve": ("reviewer", "in_review", {"significance": "major"}, State.APPROVED),
    "publish": ("reviewer", "approved", {"full_review": "1"}, State.PUBLISHED),
    "schedule": ("reviewer", "approved", {"when": "2099-05-12T09:30"}, State.APPROVED),
    "request_changes": ("reviewer", "in_review", {"text": "Cite the 2024 label."}, State.CHANGES_REQUESTED),
    "reject": ("reviewer", "in_review", {"text": "Duplicate of #1."}, State.REJECTED),
    "withdraw": ("editor", "draft", {"text": "Started by mistake."}, State.WITHDRAWN),
}


@pytest.fixture
def case(request, editor, reviewer, client):
    action = request.param
    who, state, data, after = CASES[action]
    if state == "draft":
        change_request = draft_change(editor, dosing="Confirmed dosing.")[0]
        workflow_note = None
    elif state == "in_review":
        change_request = submitted_change(editor, dosing="Confirmed dosing.")
        workflow_note = change_request.change_note
    else:
        change_request = approved_change(editor, reviewer, dosing="Confirmed dosing.")
        workflow_note = change_request.change_note
    client.force_login(editor if who == "editor" else reviewer)
    if "seen" in confirm.CHANGE_REQUEST_STEPS[action].fields:
        data = {**data, "seen": seen_on_review_page(client, change_request)}
    return action, change_request, data, after, workflow_note


@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_an_action_posted_without_confirming_shows_the_confirm_page_and_does_nothing(client, case):
    action, change_request, data, after, note = case
    before = state_of(change_request)
    events = AuditEvent.objects.count()
    page = client.post(action_url(change_request, action), data)
    assert page.status_code == 200 and confirm_token(page)
    html = page.content.decode()
    assert f"change request #{change_request.pk}?" in html  # the title names it
    assert "Therapy: Ocrelizumab" in html  # the objects
    assert "Significance" in html and (note is None or note in html)  # the significance and the change note
    assert confirm.CHANGE_REQUEST_STEPS[action].button in html and "No, go back" in html
    assert state_of(change_request) == before and AuditEvent.objects.count() == events
    assert ChangeRequest.objects.get(pk=change_request.pk).publish_at is None


@pytest.mark.parametrize("case", list(CASES), indirect=True)
def test_confirming_does_what_the_confirm_page_said(client, case):
    action, change_request, data, after, _ = case
    token = confirm_token(client.post(action_url(change_request, action), data))
    client.post(action_url(change_request, action), {"confirm": token})
    assert state_of(change_request) == after
    if action == "schedule":
        assert ChangeRequest.objects.get(pk=change_request.pk).publish_at is not None
    if action == "approve":
        assert ChangeRequest.objects.get(pk=change_request.pk).significance == "major"


def test_the_confirmed_action_acts_on_what_the_confirm_page_showed_not_on_later_fields(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    client.force_login(reviewer)
    seen = seen_on_review_page(client, change_request)
    token = confirm_token(client.post(action_url(change_request, "approve"), {"significance": "minor", "seen": seen}))
    client.post(action_url(change_request, "approve"), {"confirm": token, "significance": "safety"})
    change_request = ChangeRequest.objects.get(pk=change_request.pk)
    assert (change_request.state, change_request.significance) == (State.APPROVED, "minor")


@pytest.mark.parametrize("forged", ["1", "yes", "garbage:token", ""])
def test_a_forged_confirmation_is_refused(client, editor, reviewer, forged):
    change_request = approved_change(editor, reviewer, dosing="x")
    client.force_login(reviewer)
    response = client.post(action_url(change_request, "publish"),
                           {"confirm": forged, "seen": seen_on_review_page(client, change_request)}, follow=True)
    assert "That confirmation is not valid for this action. Nothing was done" in response.content.decode()
    assert state_of(change_request) == State.APPROVED


def test_a_confirmation_is_for_one_action_on_one_change_request_by_one_person(client, editor, reviewer, reviewer2):
    first = submitted_change(editor, dosing="x")
    second = submitted_change(editor, Therapy.objects.get(slug="fingolimod"), dosing="y")
    client.force_login(reviewer)
    token = confirm_token(client.post(action_url(first, "reject"), {"text": "No."}))
    for url in (action_url(second, "reject"), action_url(first, "approve"), action_url(first, "request_changes")):
        client.post(url, {"confirm": token})
    client.force_login(reviewer2)
    client.post(action_url(first, "reject"), {"confirm": token})
    assert (state_of(first), state_of(second)) == (State.IN_REVIEW, State.IN_REVIEW)


def test_an_expired_confirmation_is_refused(client, editor, reviewer, monkeypatch):
    change_request = submitted_change(editor, dosing="x")
    client.force_login(reviewer)
    token = confirm_token(client.post(action_url(change_request, "reject"), {"text": "No."}))
    monkeypatch.setattr(confirm, "CONFIRM_MAX_AGE", -1)  # as if more than the allowed time had passed
    response = client.post(action_url(change_request, "reject"), {"confirm": token}, follow=True)
    assert "The confirmation has expired" in response.content.decode()
    assert state_of(change_request) == State.IN_REVIEW


@pytest.mark.parametrize("action, data, message", [
    ("reject", {"text": "  "}, "Give the reason for rejecting"),
    ("request_changes", {}, "Say what needs to change"),
    ("approve", {"significance": "urgent"}, "This change request changed after you opened it"),
])
def test_a_refusal_is_said_before_the_confirm_page(client, editor, reviewer, action, data, message):
    change_request = submitted_change(editor, dosing="x")
    client.force_login(reviewer)
    response = client.post(action_url(change_request, action), data)
    assert response.status_code == 302 and not confirm_token(response)
    assert message in client.get(response["Location"]).content.decode()
    assert state_of(change_request) == State.IN_REVIEW


def test_four_eyes_still_holds_with_a_confirm_step(client, reviewer):
    change_request = submitted_change(reviewer, dosing="Self-approved?")
    client.force_login(reviewer)
    seen = seen_on_review_page(client, change_request)
    response = client.post(action_url(change_request, "approve"), {"seen": seen}, follow=True)
    assert "someone else must approve it" in response.content.decode() and not confirm_token(response)
    assert state_of(change_request) == State.IN_REVIEW


def test_a_past_schedule_time_is_refused_before_the_confirm_page(client, editor, reviewer):
    change_request = approved_change(editor, reviewer, dosing="x")
    client.force_login(reviewer)
    past = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(action_url(change_request, "schedule"),
                           {"when": past, "seen": seen_on_review_page(client, change_request)}, follow=True)
    assert "has already passed" in response.content.decode() and not confirm_token(response)


# --- Unpublish ------------------------------------------------------------------------------------------------------


def test_unpublish_without_confirming_shows_the_page_reason_and_significance_and_does_nothing(client, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    client.force_login(reviewer)
    page = client.post(unpublish_url(therapy), {"text": "Licence suspended.", "significance": "safety"})
    html = page.content.decode()
    assert page.status_code == 200 and confirm_token(page)
    assert "Unpublish Fingolimod?" in html and "Therapy: Fingolimod" in html
    assert "Licence suspended." in html and "Safety" in html and "Yes, unpublish" in html
    assert Therapy.objects.get(pk=therapy.pk).live
    assert not AuditEvent.objects.filter(action=AuditAction.UNPUBLISH).exists()


def test_unpublish_confirmed_takes_the_page_off_with_its_reason_and_significance(client, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    client.force_login(reviewer)
    token = confirm_token(client.post(unpublish_url(therapy), {"text": "Licence suspended.", "significance": "safety"}))
    client.post(unpublish_url(therapy), {"confirm": token})
    assert not Therapy.objects.get(pk=therapy.pk).live
    event = AuditEvent.objects.get(action=AuditAction.UNPUBLISH)
    assert event.details == {"reason": "Licence suspended.", "significance": "safety"}


def test_a_forged_unpublish_is_refused(client, reviewer, editor):
    therapy = Therapy.objects.get(slug="fingolimod")
    client.force_login(reviewer)
    client.post(unpublish_url(therapy), {"text": "x", "confirm": "forged"})
    client.force_login(editor)
    response = client.post(unpublish_url(therapy), {"text": "x"}, follow=True)
    assert "Only medical reviewers can unpublish content." in response.content.decode()
    assert Therapy.objects.get(pk=therapy.pk).live


# --- Schedule unpublishing (issue 23, I3) -------------------------------------------------------------------------


def _schedule_unpublish_url(therapy) -> str:
    return reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "schedule_unpublish"])


def _in_a_day() -> str:
    return (timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def test_schedule_unpublish_without_confirming_shows_the_time_and_reason_and_does_nothing(client, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    client.force_login(reviewer)
    page = client.post(_schedule_unpublish_url(therapy), {"when": _in_a_day(), "text": "Licence lapses."})
    html = page.content.decode()
    assert page.status_code == 200 and confirm_token(page)
    assert "Schedule unpublishing of Fingolimod?" in html and "Comes off the site at" in html
    assert "Licence lapses." in html and "Yes, schedule it" in html
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.SCHEDULE_UNPUBLISH).exists()


def test_schedule_unpublish_confirmed_acts_on_the_confirmed_time_not_on_later_fields(client, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    client.force_login(reviewer)
    when = _in_a_day()
    token = confirm_token(client.post(_schedule_unpublish_url(therapy), {"when": when, "text": "Licence lapses."}))
    client.post(_schedule_unpublish_url(therapy), {"confirm": token, "when": "2099-01-01T00:00", "text": "Other"})
    scheduled = Therapy.objects.get(pk=therapy.pk).unpublish_at
    assert scheduled is not None and scheduled.strftime("%Y-%m-%dT%H:%M") == when
    assert AuditEvent.objects.get(action=AuditAction.SCHEDULE_UNPUBLISH).details["reason"] == "Licence lapses."


def test_a_forged_or_past_schedule_unpublish_is_refused(client, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    client.force_login(reviewer)
    forged = client.post(_schedule_unpublish_url(therapy), {"when": _in_a_day(), "text": "x", "confirm": "forged"},
                         follow=True)
    assert confirm.INVALID in forged.content.decode()
    response = client.post(_schedule_unpublish_url(therapy), {"when": "2001-01-01T00:00", "text": "x"}, follow=True)
    assert "has already passed: choose a time in the future for the page to come off the site" in (
        response.content.decode())
    assert "Yes, schedule it" not in response.content.decode()  # refused before the confirm page
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at is None
