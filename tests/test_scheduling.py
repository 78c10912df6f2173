"""Scheduled publishing and unpublishing (workflow.schedule ... publish_due, `manage.py publish_scheduled`),
and the automatic "safety" significance of drafts that touch risks or boxed warnings.

The clock is controlled by passing `now=` to publish_due (the command uses the real clock).
"""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from therapies import workflow
from therapies.editorial.snapshots import snapshot_of
from therapies.models import (
    AuditAction,
    AuditEvent,
    ChangeRequest,
    OutboundEmail,
    Revision,
    Risk,
    Significance,
    State,
    Therapy,
    TherapyRisk,
)
from therapies.workflow import WorkflowError

from .workflow_helpers import (
    approved_change,
    confirm_token,
    confirmed_post,
    draft_change,
    seen_on_review_page,
    submitted_change,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def refreshed(change_request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.get(pk=change_request.pk)


def ocrelizumab() -> Therapy:
    return Therapy.objects.get(slug="ocrelizumab")


@pytest.fixture
def approved(editor, reviewer) -> ChangeRequest:
    return approved_change(editor, reviewer, ocrelizumab(), dosing="Scheduled dosing text.")


# --- Scheduling a change --------------------------------------------------------------------------------------


def test_schedule_sets_the_time_logs_it_and_tells_the_authors(approved, reviewer2, editor):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=at)
    assert refreshed(approved).publish_at == at
    assert refreshed(approved).state == State.APPROVED
    event = AuditEvent.objects.filter(change_request=approved, details__schedule="scheduled").get()
    assert event.action == AuditAction.SCHEDULE  # its own action (logged as APPROVE before issue 10)
    assert event.actor == reviewer2 and event.details["publish_at"] == at.isoformat()
    email = OutboundEmail.objects.get(subject__startswith="Scheduled:")
    assert email.to == editor.email and "to go live at" in email.body


def test_publishes_at_the_time_and_not_before(approved, reviewer2, editor):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=at, full_review=True)

    assert workflow.publish_due(now=at - MINUTE) == []
    assert refreshed(approved).state == State.APPROVED
    assert ocrelizumab().dosing != "Scheduled dosing text."

    outcomes = workflow.publish_due(now=at)
    assert [(o.action, o.ok) for o in outcomes] == [("publish", True)]
    change_request = refreshed(approved)
    assert change_request.state == State.PUBLISHED
    assert change_request.published_by == reviewer2  # published in the name of the reviewer who scheduled it
    assert change_request.publish_at is None  # nothing left "scheduled" in the past
    therapy = ocrelizumab()
    assert therapy.dosing == "Scheduled dosing text." and therapy.live
    assert therapy.last_reviewed_by == reviewer2  # the scheduler ticked that the whole page was reviewed
    event = AuditEvent.objects.get(change_request=approved, action=AuditAction.PUBLISH)
    assert event.details["scheduled"] is True and event.details["scheduled_for"] == at.isoformat()
    subjects = sorted(OutboundEmail.objects.filter(change_request=approved).values_list("subject", "to"))
    assert (f"Published as scheduled: #{approved.pk} {approved.title}", reviewer2.email) in subjects
    assert (f"Published: #{approved.pk} {approved.title}", editor.email) in subjects


def test_running_again_publishes_nothing_twice(approved, reviewer):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer, publish_at=at)
    workflow.publish_due(now=at)
    assert workflow.publish_due(now=at + MINUTE) == []
    assert AuditEvent.objects.filter(change_request=approved, action=AuditAction.PUBLISH).count() == 1


def test_cancel_keeps_it_approved_and_unpublished(approved, reviewer, editor):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer, publish_at=at)
    workflow.unschedule(change_request=approved, user=reviewer)
    assert refreshed(approved).publish_at is None
    assert workflow.publish_due(now=at + HOUR) == []
    assert refreshed(approved).state == State.APPROVED
    cancelled = AuditEvent.objects.filter(change_request=approved, details__schedule="cancelled")
    assert list(cancelled.values_list("action", flat=True)) == [AuditAction.UNSCHEDULE]
    assert OutboundEmail.objects.filter(subject__startswith="Schedule cancelled:", to=editor.email).exists()


def test_reschedule_moves_the_time(approved, reviewer):
    first = timezone.now() + HOUR
    later = first + 2 * HOUR
    workflow.schedule(change_request=approved, user=reviewer, publish_at=first)
    workflow.schedule(change_request=approved, user=reviewer, publish_at=later)
    assert workflow.publish_due(now=first + MINUTE) == []
    assert refreshed(approved).state == State.APPROVED
    assert [o.ok for o in workflow.publish_due(now=later)] == [True]
    assert refreshed(approved).state == State.PUBLISHED


def test_schedule_in_the_past_is_refused_with_a_clear_message_and_changes_nothing(approved, reviewer):
    with pytest.raises(WorkflowError, match="has already passed: choose a time in the future"):
        workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() - MINUTE)
    assert refreshed(approved).publish_at is None
    assert not AuditEvent.objects.filter(change_request=approved, details__schedule="scheduled").exists()


def test_naive_times_are_in_the_site_time_zone(approved, reviewer):
    naive = (timezone.now() + HOUR).replace(tzinfo=None, microsecond=0)
    workflow.schedule(change_request=approved, user=reviewer, publish_at=naive)
    assert refreshed(approved).publish_at == timezone.make_aware(naive, datetime.UTC)


def test_editors_and_superusers_cannot_schedule(approved, editor2, superuser):
    for user in (editor2, superuser):
        with pytest.raises(WorkflowError, match="Only medical reviewers can schedule publishing"):
            workflow.schedule(change_request=approved, user=user, publish_at=timezone.now() + HOUR)
    assert refreshed(approved).publish_at is None


def test_only_approved_changes_can_be_scheduled(editor, reviewer):
    change_request = submitted_change(editor, ocrelizumab(), dosing="x")
    with pytest.raises(WorkflowError, match="only approved changes can be scheduled"):
        workflow.schedule(change_request=change_request, user=reviewer, publish_at=timezone.now() + HOUR)


def test_cancel_is_refused_when_not_scheduled_and_for_editors(approved, reviewer, editor2):
    with pytest.raises(WorkflowError, match="is not scheduled"):
        workflow.unschedule(change_request=approved, user=reviewer)
    workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() + HOUR)
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        workflow.unschedule(change_request=approved, user=editor2)
    assert refreshed(approved).publish_at is not None


def test_available_actions_offer_schedule_and_cancel_to_reviewers_only(approved, reviewer, editor):
    assert {"schedule", "publish"} <= workflow.available_actions(approved, reviewer)
    assert "unschedule" not in workflow.available_actions(approved, reviewer)
    workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() + HOUR)
    approved = refreshed(approved)
    assert "unschedule" in workflow.available_actions(approved, reviewer)
    assert not {"schedule", "unschedule"} & workflow.available_actions(approved, editor)


# --- Stale schedules are cleared -------------------------------------------------------------------------------


def test_publishing_now_clears_the_schedule(approved, reviewer):
    workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() + HOUR)
    workflow.publish(change_request=approved, user=reviewer)
    assert refreshed(approved).publish_at is None
    assert workflow.publish_due(now=timezone.now() + 2 * HOUR) == []


def test_editing_a_scheduled_change_sends_it_back_to_review_without_its_old_time(approved, reviewer, editor):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer, publish_at=at)
    revision = approved.revisions.get()
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "Edited after approval."
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    change_request = refreshed(approved)
    assert change_request.state == State.DRAFT and change_request.publish_at is None
    # Re-approved later, it does not go live at the old time on the next cron run.
    workflow.submit(change_request=change_request, user=editor)
    workflow.approve(change_request=change_request, user=reviewer)
    assert workflow.publish_due(now=at + MINUTE) == []


def conflicting(change_request: ChangeRequest, editor2) -> None:
    """Simulate another change request having published the same object since this draft was started."""
    therapy = Therapy.objects.get(pk=change_request.revisions.get().object_id)
    newer = Revision.objects.create(
        change_request=workflow.start_change_request(user=editor2, title="Other"),
        content_type=change_request.revisions.get().content_type, object_id=therapy.pk, object_repr=str(therapy),
        snapshot=snapshot_of(therapy), edited_by=editor2,
    )
    Therapy.objects.filter(pk=therapy.pk).update(live_revision=newer)


def test_a_conflict_leaves_it_approved_clears_the_time_and_says_so(approved, reviewer2, editor, editor2):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=at)
    conflicting(approved, editor2)
    outcomes = workflow.publish_due(now=at)
    assert len(outcomes) == 1 and not outcomes[0].ok
    assert "was published by another change request" in outcomes[0].message
    change_request = refreshed(approved)
    assert change_request.state == State.APPROVED
    assert change_request.publish_at is None  # not retried (and re-emailed) every minute
    assert ocrelizumab().dosing != "Scheduled dosing text."
    assert not AuditEvent.objects.filter(change_request=approved, action=AuditAction.PUBLISH).exists()
    failure = AuditEvent.objects.get(change_request=approved, details__schedule="failed")
    assert failure.action == AuditAction.SCHEDULE_FAILED  # logged as a COMMENT before issue 10
    assert "was published by another change request" in failure.details["error"]
    emails = OutboundEmail.objects.filter(subject__startswith="Scheduled publishing failed")
    assert {e.to for e in emails} == {editor.email, reviewer2.email}
    assert "was published by another change request" in emails.first().body
    assert workflow.publish_due(now=at + MINUTE) == []


def test_a_failing_item_does_not_stop_the_others(editor, editor2, reviewer, reviewer2):
    at = timezone.now() + HOUR
    first = approved_change(editor, reviewer, ocrelizumab(), dosing="First.")
    second = approved_change(editor, reviewer, Therapy.objects.get(slug="fingolimod"), dosing="Second.")
    workflow.schedule(change_request=first, user=reviewer2, publish_at=at - MINUTE)
    workflow.schedule(change_request=second, user=reviewer2, publish_at=at)
    conflicting(first, editor2)
    outcomes = workflow.publish_due(now=at)
    assert [o.ok for o in outcomes] == [False, True]
    assert refreshed(second).state == State.PUBLISHED
    assert Therapy.objects.get(slug="fingolimod").dosing == "Second."


def test_a_scheduler_who_is_no_longer_a_reviewer_does_not_publish(approved, reviewer2, editor):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=at)
    reviewer2.groups.clear()
    outcomes = workflow.publish_due(now=at)
    assert not outcomes[0].ok and "can no longer publish" in outcomes[0].message
    assert refreshed(approved).state == State.APPROVED and refreshed(approved).publish_at is None


def test_the_command_prints_a_summary_and_exits_normally_when_an_item_fails(editor, editor2, reviewer, monkeypatch):
    first = approved_change(editor, reviewer, ocrelizumab(), dosing="First.")
    second = approved_change(editor, reviewer, Therapy.objects.get(slug="fingolimod"), dosing="Second.")
    soon = timezone.now() + MINUTE
    for change_request in (first, second):
        workflow.schedule(change_request=change_request, user=reviewer, publish_at=soon)
    conflicting(first, editor2)
    monkeypatch.setattr(timezone, "now", lambda: soon + MINUTE)  # the command reads the real clock
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)  # raises (non-zero exit) on an unhandled error
    text = out.getvalue()
    assert f"FAILED publish #{first.pk}" in text and f"OK publish #{second.pk}" in text
    assert "Published 1, unpublished 0, failed 1." in text


# --- The schedule is state held in fields, not read back out of the audit log ----------------------------------


def test_schedule_records_who_scheduled_it_on_the_change_request(approved, reviewer2):
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=timezone.now() + HOUR)
    assert refreshed(approved).scheduled_by == reviewer2


def test_publish_due_publishes_in_the_name_of_scheduled_by_not_the_audit_log(approved, reviewer, reviewer2,
                                                                              editor_reviewer):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=at)
    # The field decides, whatever the log says: the SCHEDULE event still names reviewer2.
    ChangeRequest.objects.filter(pk=approved.pk).update(scheduled_by=editor_reviewer)
    workflow.publish_due(now=at)
    change_request = refreshed(approved)
    assert change_request.published_by == editor_reviewer != change_request.approved_by
    assert AuditEvent.objects.get(change_request=approved, action=AuditAction.PUBLISH).actor == editor_reviewer


def test_a_schedule_with_no_recorded_scheduler_is_not_published(approved, reviewer):
    at = timezone.now() + HOUR
    ChangeRequest.objects.filter(pk=approved.pk).update(publish_at=at)  # set outside the workflow
    outcomes = workflow.publish_due(now=at)
    assert not outcomes[0].ok and "Nobody is recorded as having scheduled it" in outcomes[0].message
    assert refreshed(approved).state == State.APPROVED  # not in the approver's name by default


def test_unschedule_forgets_who_scheduled_it(approved, reviewer):
    workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() + HOUR)
    workflow.unschedule(change_request=approved, user=reviewer)
    assert refreshed(approved).scheduled_by is None


def test_publishing_now_forgets_who_scheduled_it(approved, reviewer):
    workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() + HOUR)
    workflow.publish(change_request=approved, user=reviewer)
    assert refreshed(approved).scheduled_by is None


def test_back_to_draft_forgets_who_scheduled_it(approved, reviewer, editor):
    workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() + HOUR)
    revision = approved.revisions.get()
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "Edited after approval."
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)  # rule 5
    change_request = refreshed(approved)
    assert change_request.state == State.DRAFT and change_request.scheduled_by is None


def failed_schedule(change_request: ChangeRequest, reviewer, editor2) -> datetime.datetime:
    at = timezone.now() + HOUR
    workflow.schedule(change_request=change_request, user=reviewer, publish_at=at)
    conflicting(change_request, editor2)
    workflow.publish_due(now=at)
    return at


def test_a_failed_scheduled_publish_is_recorded_on_the_change_request(approved, reviewer, editor2):
    before = timezone.now()
    failed_schedule(approved, reviewer, editor2)
    change_request = refreshed(approved)
    assert change_request.schedule_failed_at >= before
    assert "was published by another change request" in change_request.schedule_failure
    assert change_request.scheduled_by is None and change_request.publish_at is None


def test_rescheduling_clears_the_last_failure(approved, reviewer, editor2):
    at = failed_schedule(approved, reviewer, editor2)
    workflow.schedule(change_request=approved, user=reviewer, publish_at=at + HOUR)
    change_request = refreshed(approved)
    assert change_request.schedule_failed_at is None and change_request.schedule_failure == ""


def test_publishing_clears_the_last_failure(approved, reviewer, editor2):
    failed_schedule(approved, reviewer, editor2)
    Therapy.objects.filter(slug="ocrelizumab").update(live_revision=None)  # the conflict is resolved
    approved.revisions.update(base_revision=None)
    workflow.publish(change_request=approved, user=reviewer)
    change_request = refreshed(approved)
    assert change_request.state == State.PUBLISHED
    assert change_request.schedule_failed_at is None and change_request.schedule_failure == ""


def test_back_to_draft_clears_the_last_failure(approved, reviewer, editor, editor2):
    failed_schedule(approved, reviewer, editor2)
    revision = approved.revisions.get()
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "Fixed after the failure."
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    change_request = refreshed(approved)
    assert change_request.schedule_failed_at is None and change_request.schedule_failure == ""


def test_review_page_names_who_scheduled_it(client, approved, reviewer, reviewer2):
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=timezone.now() + HOUR)
    client.force_login(reviewer)
    page = client.get(review_url(approved)).content.decode()
    assert "published in the name of Reviewer2 Tester, who scheduled it" in page


def test_review_page_reads_the_failure_from_the_change_request(client, approved, reviewer):
    ChangeRequest.objects.filter(pk=approved.pk).update(schedule_failed_at=timezone.now(),
                                                        schedule_failure="The mail server was on fire.")
    client.force_login(reviewer)
    page = client.get(review_url(approved)).content.decode()
    assert "Scheduled publishing did not happen" in page and "The mail server was on fire." in page


# --- Unpublishing at a date ------------------------------------------------------------------------------------


def test_unpublish_at_a_date(reviewer, client):
    therapy = Therapy.objects.get(slug="fingolimod")
    at = timezone.now() + HOUR
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=at, reason="Withdrawn from the market")
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at == at

    assert workflow.publish_due(now=at - MINUTE) == []
    assert Therapy.objects.get(pk=therapy.pk).live

    outcomes = workflow.publish_due(now=at)
    assert [(o.action, o.ok) for o in outcomes] == [("unpublish", True)]
    therapy = Therapy.objects.get(pk=therapy.pk)
    assert not therapy.live and therapy.unpublish_at is None
    event = AuditEvent.objects.get(action=AuditAction.UNPUBLISH, object_id=therapy.pk, details__scheduled=True)
    assert event.actor == reviewer and event.details["reason"] == "Withdrawn from the market"
    assert OutboundEmail.objects.filter(to=reviewer.email, subject="Unpublished as scheduled: Fingolimod").exists()
    assert client.get("/therapies/fingolimod/").status_code == 404
    assert workflow.publish_due(now=at + MINUTE) == []


def test_cancelled_unpublish_keeps_the_page(reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    at = timezone.now() + HOUR
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=at)
    workflow.unschedule_unpublish(obj=therapy, user=reviewer)
    assert workflow.publish_due(now=at + HOUR) == []
    assert Therapy.objects.get(pk=therapy.pk).live


def test_schedule_unpublish_records_the_reason_and_who_asked(reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=timezone.now() + HOUR, reason="  Licence lapsed ")
    therapy = Therapy.objects.get(pk=therapy.pk)
    assert therapy.unpublish_reason == "Licence lapsed" and therapy.unpublish_requested_by == reviewer


def test_scheduled_unpublish_uses_the_reason_and_requester_fields(reviewer, reviewer2):
    therapy = Therapy.objects.get(slug="fingolimod")
    at = timezone.now() + HOUR
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=at, reason="In the log")
    # The fields decide, whatever the SCHEDULE_UNPUBLISH event says.
    Therapy.objects.filter(pk=therapy.pk).update(unpublish_reason="In the field", unpublish_requested_by=reviewer2)
    workflow.publish_due(now=at)
    event = AuditEvent.objects.get(action=AuditAction.UNPUBLISH, object_id=therapy.pk, details__scheduled=True)
    assert event.actor == reviewer2 and event.details["reason"] == "In the field"
    assert OutboundEmail.objects.filter(to=reviewer2.email, subject="Unpublished as scheduled: Fingolimod").exists()
    therapy = Therapy.objects.get(pk=therapy.pk)
    assert therapy.unpublish_reason == "" and therapy.unpublish_requested_by is None


def test_cancelling_a_scheduled_unpublish_forgets_the_reason_and_who_asked(reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=timezone.now() + HOUR, reason="Lapsed")
    workflow.unschedule_unpublish(obj=therapy, user=reviewer)
    therapy = Therapy.objects.get(pk=therapy.pk)
    assert therapy.unpublish_reason == "" and therapy.unpublish_requested_by is None


def test_unpublishing_by_hand_forgets_a_pending_unpublish_reason_and_requester(reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=timezone.now() + HOUR, reason="Later")
    workflow.unpublish(obj=therapy, user=reviewer, reason="Now")
    therapy = Therapy.objects.get(pk=therapy.pk)
    assert therapy.unpublish_reason == "" and therapy.unpublish_requested_by is None


def test_unpublishing_by_hand_clears_a_pending_unpublish_time(reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=timezone.now() + HOUR)
    workflow.unpublish(obj=therapy, user=reviewer, reason="Now")
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at is None


def test_a_stale_unpublish_time_on_a_page_already_off_the_site_is_cleared(reviewer):
    past = timezone.now() - HOUR
    Risk.objects.filter(slug="pml").update(live=False, unpublish_at=past)
    outcomes = workflow.publish_due()
    assert [(o.action, o.ok) for o in outcomes] == [("unpublish", True)]
    assert Risk.objects.get(slug="pml").unpublish_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.UNPUBLISH).exists()


def test_unpublish_scheduling_refusals(editor, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        workflow.schedule_unpublish(obj=therapy, user=editor, at=timezone.now() + HOUR)
    with pytest.raises(WorkflowError, match="has already passed"):
        workflow.schedule_unpublish(obj=therapy, user=reviewer, at=timezone.now() - HOUR)
    with pytest.raises(WorkflowError, match="is not scheduled to come off the site"):
        workflow.unschedule_unpublish(obj=therapy, user=reviewer)
    Therapy.objects.filter(pk=therapy.pk).update(live=False)
    with pytest.raises(WorkflowError, match="is not published"):
        workflow.schedule_unpublish(obj=therapy, user=reviewer, at=timezone.now() + HOUR)
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at is None


# --- The admin screens ----------------------------------------------------------------------------------------


def review_url(change_request) -> str:
    return reverse("admin:therapies_changerequest_change", args=[change_request.pk])


def action_url(change_request, action: str) -> str:
    return reverse("admin:therapies_changerequest_action", args=[change_request.pk, action])


def test_reviewer_schedules_changes_and_cancels_on_the_review_page(client, approved, reviewer):
    client.force_login(reviewer)
    page = client.get(review_url(approved)).content.decode()
    assert 'type="datetime-local"' in page and "UTC" in page and ">Schedule<" in page

    when = (timezone.now() + 2 * HOUR).replace(second=0, microsecond=0)
    seen = seen_on_review_page(client, approved)
    response = confirmed_post(client, action_url(approved, "schedule"),
                              {"when": when.strftime("%Y-%m-%dT%H:%M"), "seen": seen}, follow=True)
    assert refreshed(approved).publish_at == when
    page = response.content.decode()
    assert "will go live at" in page and "Scheduled to go live at" in page
    assert "Change schedule" in page and "Cancel schedule" in page

    later = when + HOUR
    confirmed_post(client, action_url(approved, "schedule"), {"when": later.strftime("%Y-%m-%dT%H:%M"), "seen": seen})
    assert refreshed(approved).publish_at == later

    response = client.post(action_url(approved, "unschedule"), follow=True)
    assert refreshed(approved).publish_at is None
    assert "taken off the schedule" in response.content.decode()


@pytest.mark.parametrize(
    "value, message",
    [("", "Give the date and time."), ("next tuesday", "for example 2026-05-12 09:30"),
     ("2001-01-01T09:00", "has already passed")],
)
def test_bad_schedule_times_are_explained_and_change_nothing(client, approved, reviewer, value, message):
    client.force_login(reviewer)
    response = client.post(action_url(approved, "schedule"), {"when": value}, follow=True)
    assert message in response.content.decode()
    assert refreshed(approved).publish_at is None


def test_editor_sees_no_schedule_form_and_is_refused(client, approved, editor2):
    client.force_login(editor2)
    assert 'name="when"' not in client.get(review_url(approved)).content.decode()
    response = client.post(action_url(approved, "schedule"),
                           {"when": (timezone.now() + HOUR).strftime("%Y-%m-%dT%H:%M")}, follow=True)
    assert "Only medical reviewers can schedule publishing" in response.content.decode()
    assert refreshed(approved).publish_at is None


def test_review_page_explains_a_failed_schedule(client, approved, reviewer, editor2):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer, publish_at=at)
    conflicting(approved, editor2)
    workflow.publish_due(now=at)
    client.force_login(reviewer)
    page = client.get(review_url(approved)).content.decode()
    assert "Scheduled publishing did not happen" in page and "was published by another change request" in page


def test_reviewer_sets_and_cancels_unpublish_at_on_the_content_page(client, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    url = reverse("admin:therapies_therapy_change", args=[therapy.pk])
    client.force_login(reviewer)
    assert "Unpublish at" in client.get(url).content.decode()
    when = (timezone.now() + 3 * HOUR).replace(second=0, microsecond=0)
    action = reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "schedule_unpublish"])
    asked = client.post(action, {"when": when.strftime("%Y-%m-%dT%H:%M"), "text": "Licence withdrawn"})
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at is None  # asked to confirm first (issue 23)
    response = client.post(action, {"confirm": confirm_token(asked)}, follow=True)
    assert "will come off the site at" in response.content.decode()
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at == when
    assert "Cancel scheduled unpublishing" in response.content.decode()
    assert "as Reviewer Tester asked: “Licence withdrawn”" in response.content.decode()
    client.post(reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "unschedule_unpublish"]))
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at is None


def test_editor_cannot_schedule_unpublishing_over_http(client, editor):
    therapy = Therapy.objects.get(slug="fingolimod")
    client.force_login(editor)
    response = client.post(
        reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "schedule_unpublish"]),
        {"when": (timezone.now() + HOUR).strftime("%Y-%m-%dT%H:%M")}, follow=True,
    )
    assert "Only medical reviewers" in response.content.decode()
    assert Therapy.objects.get(pk=therapy.pk).unpublish_at is None


# --- The safety flag ----------------------------------------------------------------------------------------------


def edit_risks(editor, therapy: Therapy, change) -> ChangeRequest:
    change_request, revision = draft_change(editor, therapy)
    assert refreshed(change_request).significance == Significance.MINOR
    snapshot = revision.snapshot
    change(snapshot["children"]["therapy_risks"])
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    return refreshed(change_request)


def test_adding_a_risk_to_a_therapy_is_proposed_as_safety(editor):
    added = Risk.objects.get(slug="macular-oedema")  # not linked to ocrelizumab (PML now is)
    change_request = edit_risks(editor, ocrelizumab(), lambda rows: rows.append(
        {"risk": added.pk, "frequency": "rare", "figure": "", "boxed_warning": False, "notes": ""}))
    assert change_request.significance == Significance.SAFETY
    event = AuditEvent.objects.filter(change_request=change_request, details__significance="safety").get()
    assert event.details["safety"] == [f"Ocrelizumab: {added.name} added"]


def test_changing_a_risk_frequency_is_proposed_as_safety(editor):
    def rarer(rows):
        rows[0]["frequency"] = "very-rare" if rows[0]["frequency"] != "very-rare" else "rare"
    assert edit_risks(editor, ocrelizumab(), rarer).significance == Significance.SAFETY


def test_changing_a_therapy_boxed_warning_flag_is_proposed_as_safety(editor):
    def flip(rows):
        rows[0]["boxed_warning"] = not rows[0]["boxed_warning"]
    assert edit_risks(editor, ocrelizumab(), flip).significance == Significance.SAFETY


def test_changing_a_risk_boxed_warning_is_proposed_as_safety(editor):
    risk = Risk.objects.get(slug="liver-injury")
    change_request, _ = draft_change(editor, risk, boxed_warning=True)
    assert refreshed(change_request).significance == Significance.SAFETY


def test_a_change_that_does_not_touch_risks_stays_minor(editor):
    change_request, _ = draft_change(editor, ocrelizumab(), dosing="Only the dosing text.")
    assert refreshed(change_request).significance == Significance.MINOR


def test_a_new_therapy_with_risks_is_proposed_as_safety(editor):
    change_request = workflow.start_change_request(user=editor, title="New therapy")
    snapshot = snapshot_of(ocrelizumab())
    snapshot["fields"].update(name="Newmab", slug="newmab")
    workflow.create_object(change_request=change_request, user=editor, model=Therapy, snapshot=snapshot)
    assert refreshed(change_request).significance == Significance.SAFETY


def test_the_reviewer_can_change_the_proposed_significance_when_approving(editor, reviewer, client):
    added = Risk.objects.get(slug="macular-oedema")  # not linked to ocrelizumab (PML now is)
    change_request = edit_risks(editor, ocrelizumab(), lambda rows: rows.append(
        {"risk": added.pk, "frequency": "rare", "figure": "", "boxed_warning": False, "notes": ""}))
    workflow.submit(change_request=change_request, user=editor, change_note="Added macular oedema.")
    client.force_login(reviewer)
    page = client.get(review_url(change_request)).content.decode()
    assert "Why this is a safety change" in page and "Macular oedema" in page
    assert '<option value="safety" selected>' in page
    confirmed_post(client, action_url(change_request, "approve"),
                   {"significance": "major", "seen": seen_on_review_page(client, change_request)})
    change_request = refreshed(change_request)
    assert change_request.state == State.APPROVED and change_request.significance == Significance.MAJOR
    assert TherapyRisk.objects.filter(therapy=ocrelizumab(), risk=added).count() == 0  # not published yet


# --- Exactly once across servers (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections with row locks and SKIP LOCKED (PostgreSQL); SQLite serialises writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_publish_scheduled_runs_at_the_same_moment_publish_each_change_exactly_once(
    transactional_db, editor, reviewer, reviewer2  # transactional_db first: the seed and groups are reloaded
):
    slugs = ["ocrelizumab", "fingolimod", "natalizumab", "cladribine", "ofatumumab"]
    due = timezone.now() + HOUR
    change_requests = []
    for slug in slugs:
        change_request = approved_change(editor, reviewer, Therapy.objects.get(slug=slug), dosing=f"Raced {slug}.")
        workflow.schedule(change_request=change_request, user=reviewer2, publish_at=due)
        change_requests.append(change_request)
    OutboundEmail.objects.all().delete()

    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = workflow.publish_due(now=due)
        except Exception as error:  # asserted on below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(r, list) for r in results), results
    published = [o.label for r in results for o in r if o.ok]
    assert sorted(published) == sorted(str(cr) for cr in change_requests)  # each once, by one run or the other
    assert not [o for r in results for o in r if not o.ok]
    for change_request in change_requests:
        assert refreshed(change_request).state == State.PUBLISHED
        assert AuditEvent.objects.filter(change_request=change_request, action=AuditAction.PUBLISH).count() == 1
        emails = OutboundEmail.objects.filter(change_request=change_request)
        assert emails.filter(subject__startswith="Published as scheduled").count() == 1
        assert emails.filter(subject__startswith="Published:").count() == 1  # the one author, once
    assert set(Therapy.objects.filter(slug__in=slugs).values_list("dosing", flat=True)) == {
        f"Raced {slug}." for slug in slugs
    }


@pytest.mark.parametrize("ticked", [True, False])
def test_a_scheduled_publish_records_a_full_review_only_when_the_scheduler_ticked_it(approved, reviewer2, ticked):
    before = ocrelizumab()
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=at, full_review=ticked)
    assert [o.ok for o in workflow.publish_due(now=at)] == [True]
    after = ocrelizumab()
    assert after.last_published_at > before.last_published_at
    if ticked:
        assert after.last_reviewed_by == reviewer2 and after.next_review_due > before.next_review_due
    else:
        assert (after.last_reviewed_at, after.next_review_due) == (before.last_reviewed_at, before.next_review_due)
