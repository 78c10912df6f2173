"""The editorial workflow (therapies/workflow.py): every rule of DESIGN.md, at the workflow layer."""

import datetime

import pytest
from django.core import mail
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from therapies import workflow
from therapies.editorial import snapshots
from therapies.editorial.history import published_history
from therapies.models import (
    AuditAction,
    AuditEvent,
    ChangeRequest,
    ContentLock,
    Revision,
    Risk,
    State,
    Therapy,
    TherapyRisk,
    Trial,
)
from therapies.workflow import PublishConflict, WorkflowError

from .workflow_helpers import approved_change, draft_change, submitted_change

pytestmark = pytest.mark.django_db


def refreshed(change_request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.get(pk=change_request.pk)


# --- The happy path --------------------------------------------------------------------------------------


def test_saving_a_draft_leaves_the_live_page_unchanged(editor):
    before = Therapy.objects.get(slug="ocrelizumab").dosing
    draft_change(editor, dosing="A new dosing text.")
    assert Therapy.objects.get(slug="ocrelizumab").dosing == before


def test_publish_applies_the_draft_and_a_ticked_full_review_counts_as_a_review(editor, reviewer):
    change_request = approved_change(editor, reviewer, dosing="A new dosing text.")
    workflow.publish(change_request=change_request, user=reviewer, full_review=True)
    therapy = Therapy.objects.get(slug="ocrelizumab")
    assert therapy.dosing == "A new dosing text."
    assert therapy.last_reviewed_by == reviewer
    assert therapy.live_revision.change_request == change_request
    assert refreshed(change_request).state == State.PUBLISHED
    assert not ContentLock.objects.exists()
    assert published_history(therapy) == [therapy.live_revision]


def test_publish_replaces_child_rows(editor, reviewer):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    change_request, revision = draft_change(editor, therapy)
    snapshot = revision.snapshot
    # A risk ocrelizumab is not linked to (since the December 2026 content review it is linked to PML).
    added = Risk.objects.get(slug="macular-oedema")
    snapshot["children"]["therapy_risks"].append({"risk": added.pk, "frequency": "rare", "figure": "", "notes": ""})
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    assert not TherapyRisk.objects.filter(therapy=therapy, risk=added).exists()
    workflow.submit(change_request=change_request, user=editor, change_note="Added macular oedema.")
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    assert TherapyRisk.objects.get(therapy=therapy, risk=added).frequency == "rare"


# --- State machine ----------------------------------------------------------------------------------------


def test_request_changes_then_resubmit(editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    workflow.request_changes(change_request=change_request, user=reviewer, comment_text="Cite the label.")
    assert refreshed(change_request).state == State.CHANGES_REQUESTED
    assert refreshed(change_request).comments.get().body == "Cite the label."
    workflow.submit(change_request=change_request, user=editor)
    assert refreshed(change_request).state == State.IN_REVIEW


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.APPROVED])
def test_editing_a_change_in_review_or_approved_sends_it_back_to_draft(editor, reviewer, state):
    change_request = submitted_change(editor, dosing="first")
    if state == State.APPROVED:
        workflow.approve(change_request=change_request, user=reviewer)
    assert refreshed(change_request).state == state
    revision = change_request.revisions.get()
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "second"
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    change_request = refreshed(change_request)
    assert change_request.state == State.DRAFT
    assert change_request.approved_by is None
    with pytest.raises(WorkflowError, match="not in review"):
        workflow.approve(change_request=change_request, user=reviewer)


FORBIDDEN = [
    # (state, action, message fragment)
    (State.DRAFT, "approve", "not in review"),
    (State.DRAFT, "publish", "only approved changes can be published"),
    (State.DRAFT, "reject", "not in review"),
    (State.IN_REVIEW, "submit", "not a draft"),
    (State.IN_REVIEW, "withdraw", "only drafts can be withdrawn"),
    (State.IN_REVIEW, "publish", "only approved changes can be published"),
    (State.APPROVED, "approve", "not in review"),
    (State.APPROVED, "request_changes", "not in review"),
    (State.PUBLISHED, "submit", "not a draft"),
    (State.PUBLISHED, "publish", "only approved"),
    (State.REJECTED, "submit", "not a draft"),
    (State.WITHDRAWN, "approve", "not in review"),
]


def call(action: str, change_request, user):
    kwargs = {
        "submit": {"change_note": "note"},
        "request_changes": {"comment_text": "fix"},
        "reject": {"reason": "wrong"},
    }.get(action, {})
    return getattr(workflow, action)(change_request=change_request, user=user, **kwargs)


@pytest.mark.parametrize("state,action,message", FORBIDDEN)
def test_forbidden_transition_is_refused_with_its_message(editor, reviewer, editor_reviewer, state, action, message):
    change_request, _ = draft_change(editor, dosing="x")
    ChangeRequest.objects.filter(pk=change_request.pk).update(state=state)
    actor = editor if action in ("submit", "withdraw") else reviewer
    with pytest.raises(WorkflowError) as excinfo:
        call(action, refreshed(change_request), actor)
    assert message in excinfo.value.message
    assert refreshed(change_request).state == state


def test_submit_needs_a_change_note_and_a_change(editor):
    change_request, _ = draft_change(editor, dosing="x")
    with pytest.raises(WorkflowError, match="public change note"):
        workflow.submit(change_request=change_request, user=editor, change_note="  ")
    empty = workflow.start_change_request(user=editor, title="Nothing yet")
    with pytest.raises(WorkflowError, match="at least one change"):
        workflow.submit(change_request=empty, user=editor, change_note="note")


def test_reject_and_withdraw_leave_live_content_alone_and_release_locks(editor, reviewer):
    before = Therapy.objects.get(slug="ocrelizumab").dosing
    change_request = submitted_change(editor, dosing="rejected text")
    workflow.reject(change_request=change_request, user=reviewer, reason="Not supported by the label.")
    assert Therapy.objects.get(slug="ocrelizumab").dosing == before
    assert refreshed(change_request).closed_reason == "Not supported by the label."
    other, _ = draft_change(editor, dosing="withdrawn text")  # the lock was released
    workflow.withdraw(change_request=other, user=editor)
    assert refreshed(other).state == State.WITHDRAWN
    assert Therapy.objects.get(slug="ocrelizumab").dosing == before
    assert not ContentLock.objects.exists()


# --- Four eyes and permissions ------------------------------------------------------------------------------


def test_reviewer_cannot_approve_own_change(reviewer):
    change_request = submitted_change(reviewer, dosing="x")
    with pytest.raises(WorkflowError, match="someone else must approve"):
        workflow.approve(change_request=change_request, user=reviewer)
    assert "approve" not in workflow.available_actions(refreshed(change_request), reviewer)


def test_reviewer_who_edited_any_revision_cannot_approve(editor, reviewer):
    change_request, revision = draft_change(editor, dosing="x")
    snapshot = revision.snapshot
    snapshot["fields"]["summary"] = "Edited by the reviewer too."
    workflow.save_draft(revision=revision, user=reviewer, snapshot=snapshot)
    workflow.submit(change_request=change_request, user=editor, change_note="note")
    with pytest.raises(WorkflowError, match="someone else must approve"):
        workflow.approve(change_request=change_request, user=reviewer)


def test_superuser_gets_no_bypass(superuser, editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        workflow.approve(change_request=change_request, user=superuser)
    with pytest.raises(WorkflowError, match="Only medical editors"):
        workflow.start_change_request(user=superuser, title="t")


def test_editor_cannot_approve_publish_reject_or_unpublish(editor, editor2):
    change_request = submitted_change(editor2, dosing="x")
    for action in ["approve", "reject", "request_changes"]:
        with pytest.raises(WorkflowError, match="Only medical reviewers"):
            call(action, change_request, editor)
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        workflow.unpublish(obj=Therapy.objects.get(slug="fingolimod"), user=editor, reason="x")


def test_only_an_author_can_withdraw_or_submit(editor, editor2):
    change_request, _ = draft_change(editor, dosing="x")
    with pytest.raises(WorkflowError, match="Only an author"):
        workflow.withdraw(change_request=change_request, user=editor2)
    with pytest.raises(WorkflowError, match="Only an author"):
        workflow.submit(change_request=change_request, user=editor2, change_note="n")


# --- Locks and conflicts -----------------------------------------------------------------------------------------


def test_object_in_an_open_change_request_cannot_be_drafted_again(editor, editor2):
    change_request, _ = draft_change(editor, dosing="x", title="Dosing fix")
    other = workflow.start_change_request(user=editor2, title="Another")
    with pytest.raises(WorkflowError) as excinfo:
        workflow.add_object(change_request=other, user=editor2, obj=Therapy.objects.get(slug="ocrelizumab"))
    assert excinfo.value.message == (
        f"Ocrelizumab is already being changed in change request #{change_request.pk} "
        "(“Dosing fix”) by Editor Tester."
    )


def test_the_database_refuses_a_second_lock(editor):
    change_request, revision = draft_change(editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentLock.objects.create(
            content_type=revision.content_type, object_id=revision.object_id, change_request=change_request
        )


def test_publish_refuses_when_the_live_version_moved(editor, editor2, reviewer):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    stale = approved_change(editor, reviewer, therapy, dosing="stale")
    # Simulate another change request having published since the draft was started.
    newer = Revision.objects.create(
        change_request=workflow.start_change_request(user=editor2, title="Other"),
        content_type=stale.revisions.get().content_type, object_id=therapy.pk, object_repr="Ocrelizumab",
        snapshot=snapshots.snapshot_of(therapy), edited_by=editor2,
    )
    Therapy.objects.filter(pk=therapy.pk).update(live_revision=newer)
    with pytest.raises(PublishConflict, match="Ocrelizumab was published by another change request"):
        workflow.publish(change_request=stale, user=reviewer)
    assert Therapy.objects.get(pk=therapy.pk).dosing != "stale"
    assert refreshed(stale).state == State.APPROVED


# --- Atomic change sets ---------------------------------------------------------------------------------------------


def new_therapy_with_trial_and_risk(editor) -> tuple[ChangeRequest, Therapy, Trial, Risk]:
    change_request = workflow.start_change_request(user=editor, title="Add Novumab")
    base = snapshots.snapshot_of(Risk.objects.get(slug="pml"))
    base["fields"].update(name="Novel risk", slug="novel-risk")
    risk_rev = workflow.create_object(change_request=change_request, user=editor, model=Risk, snapshot=base)
    therapy_snapshot = snapshots.snapshot_of(Therapy.objects.get(slug="ocrelizumab"))
    therapy_snapshot["fields"].update(name="Novumab", slug="novumab", brand_names="Novra")
    therapy_snapshot["children"]["therapy_risks"] = [
        {"risk": risk_rev.object_id, "frequency": "common", "figure": "3%", "measure": "people affected, 2 years",
         "notes": ""}
    ]
    therapy_rev = workflow.create_object(
        change_request=change_request, user=editor, model=Therapy, snapshot=therapy_snapshot
    )
    trial_snapshot = snapshots.snapshot_of(Trial.objects.get(slug="opera-i"))
    trial_snapshot["fields"].update(name="NOVA", slug="nova", nct_id="NCT09999999", therapy=therapy_rev.object_id)
    trial_rev = workflow.create_object(change_request=change_request, user=editor, model=Trial, snapshot=trial_snapshot)
    return (
        change_request,
        Therapy.objects.get(pk=therapy_rev.object_id),
        Trial.objects.get(pk=trial_rev.object_id),
        Risk.objects.get(pk=risk_rev.object_id),
    )


def test_new_therapy_trial_and_risk_publish_together(editor, reviewer):
    change_request, therapy, trial, risk = new_therapy_with_trial_and_risk(editor)
    assert not any(o.live for o in (therapy, trial, risk))
    workflow.submit(change_request=change_request, user=editor, change_note="Added Novumab.")
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    assert Therapy.objects.live().filter(slug="novumab").exists()
    assert Trial.objects.live().filter(slug="nova").exists()
    assert Risk.objects.live().filter(slug="novel-risk").exists()
    assert TherapyRisk.objects.live().filter(therapy__slug="novumab", risk__slug="novel-risk").exists()


def test_a_failure_midway_through_publish_applies_nothing(editor, reviewer, monkeypatch):
    change_request, therapy, trial, risk = new_therapy_with_trial_and_risk(editor)
    workflow.submit(change_request=change_request, user=editor, change_note="Added Novumab.")
    workflow.approve(change_request=change_request, user=reviewer)
    real_apply = workflow.publishing.apply_snapshot
    calls = []

    def failing_apply(obj, snapshot):
        calls.append(obj)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_apply(obj, snapshot)

    monkeypatch.setattr(workflow.publishing, "apply_snapshot", failing_apply)
    with pytest.raises(RuntimeError):
        workflow.publish(change_request=change_request, user=reviewer)
    assert not Therapy.objects.live().filter(slug="novumab").exists()
    assert not Risk.objects.live().filter(slug="novel-risk").exists()
    assert refreshed(change_request).state == State.APPROVED
    assert not AuditEvent.objects.filter(action=AuditAction.PUBLISH).exists()


def test_publish_refuses_an_invalid_object_and_names_it(editor, reviewer):
    change_request, revision = draft_change(editor)
    Revision.objects.filter(pk=revision.pk).update(
        snapshot={**revision.snapshot, "fields": {**revision.snapshot["fields"], "drug_class": "teleport"}}
    )
    workflow.submit(change_request=change_request, user=editor, change_note="n")
    workflow.approve(change_request=change_request, user=reviewer)
    with pytest.raises(PublishConflict, match="Ocrelizumab is not valid: drug_class"):
        workflow.publish(change_request=change_request, user=reviewer)


def test_a_live_page_never_links_to_a_draft(editor, editor2, reviewer):
    # A draft risk in one change request; a therapy in another links to it.
    drafts = workflow.start_change_request(user=editor2, title="New risk")
    base = snapshots.snapshot_of(Risk.objects.get(slug="pml"))
    base["fields"].update(name="Draft risk", slug="draft-risk")
    risk_rev = workflow.create_object(change_request=drafts, user=editor2, model=Risk, snapshot=base)
    change_request, revision = draft_change(editor)
    snapshot = revision.snapshot
    snapshot["children"]["therapy_risks"].append(
        {"risk": risk_rev.object_id, "frequency": "rare", "figure": "", "notes": ""}
    )
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    workflow.submit(change_request=change_request, user=editor, change_note="n")
    workflow.approve(change_request=change_request, user=reviewer)
    with pytest.raises(PublishConflict, match="links to the risk “Draft risk”, which is not published"):
        workflow.publish(change_request=change_request, user=reviewer)


def test_withdrawing_deletes_objects_that_were_never_published(editor):
    change_request, therapy, trial, risk = new_therapy_with_trial_and_risk(editor)
    workflow.withdraw(change_request=change_request, user=editor)
    assert not Therapy.objects.filter(slug="novumab").exists()
    assert not Trial.objects.filter(slug="nova").exists()
    assert not Risk.objects.filter(slug="novel-risk").exists()


# --- Unpublish, confirm, revert -------------------------------------------------------------------------------------


def test_unpublish_takes_an_object_off_the_site(reviewer):
    therapy = workflow.unpublish(obj=Therapy.objects.get(slug="fingolimod"), user=reviewer, reason="Under review")
    assert not therapy.live
    assert not Therapy.objects.live().filter(slug="fingolimod").exists()
    event = AuditEvent.objects.get(action=AuditAction.UNPUBLISH)
    assert event.details == {"reason": "Under review", "significance": "major"}
    assert event.actor == reviewer


def test_confirm_still_accurate_moves_review_dates_without_content_change(reviewer):
    # The seed was last reviewed on the day of its content review; make that review a year old.
    Therapy.objects.filter(slug="fingolimod").update(
        last_reviewed_at=timezone.now() - datetime.timedelta(days=365),
        next_review_due=timezone.localdate(),
    )
    therapy = Therapy.objects.get(slug="fingolimod")
    body = therapy.body
    updated = workflow.confirm_reviewed(obj=therapy, user=reviewer, note="Checked against the label.")
    assert updated.last_reviewed_by == reviewer
    assert updated.next_review_due > therapy.next_review_due
    assert Therapy.objects.get(pk=therapy.pk).body == body
    assert AuditEvent.objects.filter(action=AuditAction.CONFIRM_REVIEWED, object_id=therapy.pk).exists()


def test_revert_opens_a_new_change_request_with_the_old_content(editor, reviewer, editor2, reviewer2):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    first = approved_change(editor, reviewer, therapy, dosing="version one")
    workflow.publish(change_request=first, user=reviewer)
    old_revision = Therapy.objects.get(pk=therapy.pk).live_revision
    second = approved_change(editor, reviewer, therapy, dosing="version two")
    workflow.publish(change_request=second, user=reviewer)
    revert_request = workflow.revert(revision=old_revision, user=editor2)
    assert revert_request.revisions.get().snapshot["fields"]["dosing"] == "version one"
    assert Therapy.objects.get(pk=therapy.pk).dosing == "version two"  # reviewed like any other
    workflow.submit(change_request=revert_request, user=editor2, change_note="Restored the earlier dosing.")
    workflow.approve(change_request=revert_request, user=reviewer2)
    workflow.publish(change_request=revert_request, user=reviewer2)
    assert Therapy.objects.get(pk=therapy.pk).dosing == "version one"


# --- Audit and email ---


def test_a_change_requests_life_is_in_its_audit_trail_in_order(editor, reviewer, django_capture_on_commit_callbacks):
    """Every action of a change request's life, in order (each action on its own: test_audit_actions.py)."""
    change_request, revision = draft_change(editor, dosing="x")
    workflow.comment(change_request=change_request, user=reviewer, body="Looks fine", revision=revision,
                     field_name="dosing")
    workflow.submit(change_request=change_request, user=editor, change_note="n")
    workflow.request_changes(change_request=change_request, user=reviewer, comment_text="More detail")
    workflow.submit(change_request=change_request, user=editor)
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    events = AuditEvent.objects.filter(change_request=change_request).order_by("pk")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["create", "edit", "edit", "comment", "submit", "request_changes", "submit", "approve", "publish"]


def test_emails_go_to_the_right_people(editor, reviewer, reviewer2, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change_request = submitted_change(editor, dosing="x")
    assert sorted(m.to[0] for m in mail.outbox) == ["reviewer2@example.org", "reviewer@example.org"]
    assert mail.outbox[0].subject == f"Review requested: #{change_request.pk} Update dosing"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(change_request=change_request, user=reviewer)
        workflow.publish(change_request=change_request, user=reviewer)
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Approved", "Published"]
    assert all(m.to == ["editor@example.org"] for m in mail.outbox)


def test_review_requested_is_not_sent_to_reviewers_who_are_authors(
    editor, reviewer, reviewer2, django_capture_on_commit_callbacks
):
    """reviewer2 edited the draft too, so may not approve it (rule 2): asking them to review it would be noise."""
    change_request, revision = draft_change(editor, dosing="x")
    workflow.save_draft(revision=revision, user=reviewer2,
                        snapshot={**revision.snapshot, "fields": {**revision.snapshot["fields"], "summary": "Edited."}})
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(change_request=change_request, user=editor, change_note="Clarified the dosing.")
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]
    assert mail.outbox[0].subject.startswith("Review requested:")


def test_audit_events_are_append_only(editor):
    draft_change(editor)
    event = AuditEvent.objects.first()
    event.details = {"tampered": True}
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_of_audit_events(editor):
    draft_change(editor)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.update(details={"tampered": True})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.filter(details={"tampered": True}).count() == 0


def test_a_nul_character_is_refused_with_a_message_not_a_crash(editor, reviewer):
    change_request, revision = draft_change(editor)
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "bad\x00text"
    with pytest.raises(WorkflowError, match="NUL character"):
        workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    with pytest.raises(WorkflowError, match="NUL character"):
        workflow.comment(change_request=change_request, user=reviewer, body="a\x00b")
    workflow.submit(change_request=change_request, user=editor, change_note="note")
    with pytest.raises(WorkflowError, match="NUL character"):
        workflow.reject(change_request=change_request, user=reviewer, reason="no\x00")
    assert refreshed(change_request).state == State.IN_REVIEW


# --- Rule 9: an approval is for what the reviewer saw -------------------------------------------------------------


def test_the_stale_approval_is_refused(editor, reviewer):
    """The reviewer opened the change request at "20 mg"; the editor made it "2000 mg" and resubmitted."""
    change_request = submitted_change(editor, dosing="20 mg once a month.")
    seen = workflow.review_digest(change_request)
    revision = change_request.revisions.get()
    workflow.save_draft(revision=revision, user=editor,
                        snapshot={**revision.snapshot, "fields": {**revision.snapshot["fields"],
                                                                 "dosing": "2000 mg once a month."}})
    workflow.submit(change_request=change_request, user=editor)
    with pytest.raises(WorkflowError) as refused:
        workflow.approve(change_request=change_request, user=reviewer, seen=seen)
    assert refused.value.message == "This change request changed after you opened it: review it again."
    change_request = refreshed(change_request)
    assert change_request.state == State.IN_REVIEW and change_request.approved_by is None
    workflow.approve(change_request=change_request, user=reviewer, seen=workflow.review_digest(change_request))
    assert refreshed(change_request).state == State.APPROVED


def test_a_changed_change_note_makes_an_open_approve_form_stale(editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    seen = workflow.review_digest(change_request)
    workflow.update_change_note(change_request=change_request, user=editor, change_note="A different public note.")
    workflow.submit(change_request=change_request, user=editor)
    with pytest.raises(WorkflowError, match="changed after you opened it"):
        workflow.approve(change_request=change_request, user=reviewer, seen=seen)


def test_a_publish_is_refused_when_the_change_request_changed_since_the_reviewer_opened_it(
    editor, reviewer, reviewer2
):
    change_request = approved_change(editor, reviewer, dosing="first")
    seen = workflow.review_digest(change_request)  # reviewer2 opens the page, ready to publish
    revision = change_request.revisions.get()
    workflow.save_draft(revision=revision, user=editor,
                        snapshot={**revision.snapshot, "fields": {**revision.snapshot["fields"], "dosing": "second"}})
    workflow.submit(change_request=change_request, user=editor)
    workflow.approve(change_request=change_request, user=reviewer)
    with pytest.raises(WorkflowError, match="changed after you opened it"):
        workflow.publish(change_request=change_request, user=reviewer2, seen=seen)
    assert Therapy.objects.get(slug="ocrelizumab").dosing not in ("first", "second")
    workflow.publish(change_request=change_request, user=reviewer2, seen=workflow.review_digest(change_request))
    assert Therapy.objects.get(slug="ocrelizumab").dosing == "second"


def test_publish_refuses_a_change_request_that_no_longer_matches_its_approval(editor, reviewer):
    """A revision rewritten behind the workflow's back (not through save_draft, so rule 5 never saw it)."""
    change_request = approved_change(editor, reviewer, dosing="approved words")
    revision = change_request.revisions.get()
    Revision.objects.filter(pk=revision.pk).update(
        snapshot={**revision.snapshot, "fields": {**revision.snapshot["fields"], "dosing": "unapproved words"}})
    with pytest.raises(PublishConflict, match="changed after it was approved"):
        workflow.publish(change_request=change_request, user=reviewer)
    assert Therapy.objects.get(slug="ocrelizumab").dosing != "unapproved words"
    assert refreshed(change_request).state == State.APPROVED


# --- Rule 6: "Last updated" on every publish, "Last reviewed" only on a full review --------------------------


def test_a_publish_without_a_full_review_moves_last_updated_but_not_last_reviewed(editor, reviewer):
    before = Therapy.objects.get(slug="ocrelizumab")
    change_request = approved_change(editor, reviewer, dosing="A one-line wording fix.")
    workflow.publish(change_request=change_request, user=reviewer)
    after = Therapy.objects.get(slug="ocrelizumab")
    assert after.dosing == "A one-line wording fix."
    assert after.last_published_at > before.last_published_at
    assert (after.last_reviewed_at, after.last_reviewed_by, after.next_review_due) == (
        before.last_reviewed_at, before.last_reviewed_by, before.next_review_due)
    event = AuditEvent.objects.get(change_request=change_request, action=AuditAction.PUBLISH)
    assert event.details["full_review"] is False


def test_the_first_publish_of_a_new_page_is_a_full_review(editor, reviewer):
    change_request, therapy, trial, risk = new_therapy_with_trial_and_risk(editor)
    workflow.submit(change_request=change_request, user=editor, change_note="Added Novumab.")
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    for obj in (therapy, trial, risk):
        obj = type(obj).objects.get(pk=obj.pk)
        assert obj.last_reviewed_by == reviewer and obj.next_review_due is not None
