"""Every action writes its audit event (DESIGN.md rule 8), each of its own kind.

Scheduling has audit actions of its own (issue 10): each action writes exactly one event, with its action.

And migration 0009, which carries the schedule state that used to live only in the audit log over
into fields, and relabels the old events (APPROVE / COMMENT / UNPUBLISH) with the new actions.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from therapies import workflow
from therapies.models import (
    AlertSubscriber,
    AuditAction,
    AuditEvent,
    ChangeRequest,
    PublicChange,
    Reference,
    Revision,
    Therapy,
)
from therapies.workflow.alert_access import delete_alert_addresses, record_addresses_seen
from therapies.workflow.roles import EDITORS

from .workflow_helpers import approved_change, draft_change, submitted_change

HOUR = datetime.timedelta(hours=1)


def new_events(before: set[int]) -> list[tuple[str, int | None]]:
    """(action, actor id) of every audit event written since `before` was taken."""
    return list(AuditEvent.objects.exclude(pk__in=before).order_by("pk").values_list("action", "actor_id"))


def event_ids() -> set[int]:
    return set(AuditEvent.objects.values_list("pk", flat=True))


@pytest.fixture
def approved(db, editor, reviewer) -> ChangeRequest:
    return approved_change(editor, reviewer, Therapy.objects.get(slug="ocrelizumab"), dosing="New dosing.")


def test_schedule_writes_one_schedule_event(approved, reviewer2):
    before = event_ids()
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=timezone.now() + HOUR)
    assert new_events(before) == [(AuditAction.SCHEDULE, reviewer2.pk)]


def test_unschedule_writes_one_unschedule_event(approved, reviewer2):
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=timezone.now() + HOUR)
    before = event_ids()
    workflow.unschedule(change_request=approved, user=reviewer2)
    assert new_events(before) == [(AuditAction.UNSCHEDULE, reviewer2.pk)]


def test_a_failed_scheduled_publish_writes_one_schedule_failed_event(approved, reviewer2, editor2):
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=reviewer2, publish_at=at)
    Therapy.objects.filter(slug="ocrelizumab").update(live_revision=Revision.objects.create(  # a conflict
        change_request=workflow.start_change_request(user=editor2, title="Other"),
        content_type=approved.revisions.get().content_type, object_id=approved.revisions.get().object_id,
        object_repr="Ocrelizumab", snapshot={}, edited_by=editor2,
    ))
    before = event_ids()
    assert not workflow.publish_due(now=at)[0].ok
    assert new_events(before) == [(AuditAction.SCHEDULE_FAILED, None)]  # written by the system, not a person


def test_schedule_unpublish_writes_one_schedule_unpublish_event(reviewer):
    before = event_ids()
    workflow.schedule_unpublish(obj=Therapy.objects.get(slug="fingolimod"), user=reviewer,
                                at=timezone.now() + HOUR, reason="Licence withdrawn")
    assert new_events(before) == [(AuditAction.SCHEDULE_UNPUBLISH, reviewer.pk)]


def test_unschedule_unpublish_writes_one_unschedule_unpublish_event(reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=timezone.now() + HOUR)
    before = event_ids()
    workflow.unschedule_unpublish(obj=therapy, user=reviewer)
    assert new_events(before) == [(AuditAction.UNSCHEDULE_UNPUBLISH, reviewer.pk)]


# --- Rule 8: every action writes an audit event ------------------------------------------------------------------


def _edit(change_request, user, **fields):
    revision = change_request.revisions.get()
    return workflow.save_draft(revision=revision, user=user, snapshot={
        **revision.snapshot, "fields": {**revision.snapshot["fields"], **fields}})


def _cited_source_edited(people):
    """A change request in review cites a source; another change request edits the source (rule 5)."""
    source = Reference.objects.get(key="epar-ofatumumab")
    citing, revision = draft_change(people.editor, Therapy.objects.get(slug="ofatumumab"))
    workflow.save_draft(revision=revision, user=people.editor, snapshot={
        **revision.snapshot, "m2m": {**revision.snapshot["m2m"], "references": [source.pk]}})
    workflow.submit(change_request=citing, user=people.editor, change_note="Cited the EPAR only.")
    other, source_revision = draft_change(people.editor2, source)
    return lambda: workflow.save_draft(revision=source_revision, user=people.editor2, snapshot={
        **source_revision.snapshot, "fields": {**source_revision.snapshot["fields"], "title": "Changed."}})


def _scheduled_by_someone_no_longer_a_reviewer(people):
    approved = approved_change(people.editor, people.reviewer, Therapy.objects.get(slug="fingolimod"), dosing="d")
    at = timezone.now() + HOUR
    workflow.schedule(change_request=approved, user=people.reviewer2, publish_at=at)
    people.reviewer2.groups.clear()
    return lambda: workflow.publish_due(now=at)


def _scheduled(people):
    approved = approved_change(people.editor, people.reviewer, Therapy.objects.get(slug="fingolimod"), dosing="d")
    workflow.schedule(change_request=approved, user=people.reviewer, publish_at=timezone.now() + HOUR)
    return approved


def _published(people, dosing):
    change_request = approved_change(people.editor, people.reviewer, Therapy.objects.get(slug="fingolimod"),
                                     dosing=dosing)
    return workflow.publish(change_request=change_request, user=people.reviewer)


def _revert(people):
    _published(people, "v1")
    _published(people, "v2")
    older = Therapy.objects.get(slug="fingolimod").live_revision.base_revision
    return lambda: workflow.revert(revision=older, user=people.editor2)


def _unschedule_unpublish(people):
    therapy = Therapy.objects.get(slug="fingolimod")
    workflow.schedule_unpublish(obj=therapy, user=people.reviewer, at=timezone.now() + HOUR)
    return lambda: workflow.unschedule_unpublish(obj=therapy, user=people.reviewer)


def _with_a_user(change):
    def setup(people):
        user = get_user_model().objects.create_user(username="newcomer", email="newcomer@example.org")
        return lambda: change(user)
    return setup


def _remove_from_editors(user):
    user.groups.add(Group.objects.get(name=EDITORS))
    return user.groups.remove(Group.objects.get(name=EDITORS))


def _given(setup, act):
    """An entry of EVERY_ACTION: `setup(people)` makes what the action needs, `act(people, it)` performs it."""
    return lambda people: (lambda it: lambda: act(people, it))(setup(people))


def _draft(p):
    return draft_change(p.editor)[0]


def _submitted(p):
    return submitted_change(p.editor)


def _approved(p):
    return approved_change(p.editor, p.reviewer)


def _nothing(p):
    return None


def _support(p):
    """Someone in the Support group (issue 26: readers' alert addresses), and an address to look at."""
    AlertSubscriber.objects.create(email="reader@example.org")
    user = get_user_model().objects.create_user(username="support", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    return user


def _fingolimod(p):
    return Therapy.objects.get(slug="fingolimod")


def _unpublished_fingolimod(p):
    """The public record's row of fingolimod taken off the site, to correct its reason."""
    workflow.unpublish(obj=_fingolimod(p), user=p.reviewer, reason="r")
    return PublicChange.objects.get()


def _commented(p):
    return workflow.comment(change_request=_submitted(p), user=p.reviewer, body="Source?")


def _resolved(p):
    return workflow.resolve_comment(note=_commented(p), user=p.reviewer)


# Each action, performed on what it needs. The call must write one event of that action.
EVERY_ACTION = {
    AuditAction.CREATE: _given(_nothing, lambda p, _: workflow.start_change_request(user=p.editor, title="New")),
    AuditAction.EDIT: _given(_draft, lambda p, cr: _edit(cr, p.editor, dosing="e")),
    AuditAction.SUBMIT: _given(_draft, lambda p, cr: workflow.submit(change_request=cr, user=p.editor,
                                                                      change_note="n")),
    AuditAction.COMMENT: _given(_draft, lambda p, cr: workflow.comment(change_request=cr, user=p.reviewer, body="c")),
    AuditAction.RESOLVE_COMMENT: _given(_commented, lambda p, note: workflow.resolve_comment(note=note,
                                                                                            user=p.editor)),
    AuditAction.REOPEN_COMMENT: _given(_resolved, lambda p, note: workflow.reopen_comment(note=note, user=p.editor)),
    AuditAction.APPROVE: _given(_submitted, lambda p, cr: workflow.approve(change_request=cr, user=p.reviewer)),
    AuditAction.REQUEST_CHANGES: _given(_submitted, lambda p, cr: workflow.request_changes(
        change_request=cr, user=p.reviewer, comment_text="fix")),
    AuditAction.REJECT: _given(_submitted, lambda p, cr: workflow.reject(change_request=cr, user=p.reviewer,
                                                                          reason="no")),
    AuditAction.WITHDRAW: _given(_draft, lambda p, cr: workflow.withdraw(change_request=cr, user=p.editor)),
    AuditAction.PUBLISH: _given(_approved, lambda p, cr: workflow.publish(change_request=cr, user=p.reviewer)),
    AuditAction.UNPUBLISH: _given(_fingolimod, lambda p, page: workflow.unpublish(obj=page, user=p.reviewer,
                                                                                  reason="r")),
    AuditAction.REVERT: _revert,
    AuditAction.CONFIRM_REVIEWED: _given(_fingolimod, lambda p, page: workflow.confirm_reviewed(
        obj=page, user=p.reviewer, note="checked")),
    AuditAction.REMOVE: _given(lambda p: draft_change(p.editor)[1], lambda p, revision: workflow.remove_object(
        revision=revision, user=p.editor)),
    AuditAction.SCHEDULE: _given(_approved, lambda p, cr: workflow.schedule(
        change_request=cr, user=p.reviewer, publish_at=timezone.now() + HOUR)),
    AuditAction.UNSCHEDULE: _given(_scheduled, lambda p, cr: workflow.unschedule(change_request=cr, user=p.reviewer)),
    AuditAction.SCHEDULE_FAILED: _scheduled_by_someone_no_longer_a_reviewer,
    AuditAction.SCHEDULE_UNPUBLISH: _given(_fingolimod, lambda p, page: workflow.schedule_unpublish(
        obj=page, user=p.reviewer, at=timezone.now() + HOUR)),
    AuditAction.UNSCHEDULE_UNPUBLISH: _unschedule_unpublish,
    AuditAction.RE_REVIEW: _cited_source_edited,
    AuditAction.CORRECT_PUBLIC: _given(_unpublished_fingolimod, lambda p, row: workflow.correct_public_note(
        change=row, user=p.reviewer, note="A better reason.")),
    AuditAction.USER_CREATE: _given(_nothing, lambda p, _: get_user_model().objects.create_user(username="newcomer")),
    AuditAction.USER_FLAGS: _with_a_user(lambda user: setattr(user, "is_staff", True) or user.save()),
    AuditAction.ROLE_ADD: _with_a_user(lambda user: user.groups.add(Group.objects.get(name=EDITORS))),
    AuditAction.ROLE_REMOVE: _with_a_user(_remove_from_editors),
    AuditAction.GROUP_PERMISSIONS: _given(_nothing, lambda p, _: Group.objects.get(name=EDITORS).permissions.add(
        Permission.objects.get(codename="view_logentry"))),
    AuditAction.SEE_ALERT_ADDRESSES: _given(_support, lambda p, user: record_addresses_seen(
        user=user, subscriber_ids=[], search="reader@example.org")),
    AuditAction.DELETE_ALERT_ADDRESSES: _given(_support, lambda p, user: delete_alert_addresses(
        user=user, subscribers=AlertSubscriber.objects.filter(email="reader@example.org"))),
}


@pytest.fixture
def people(editor, editor2, reviewer, reviewer2):
    return SimpleNamespace(editor=editor, editor2=editor2, reviewer=reviewer, reviewer2=reviewer2)


def test_every_audit_action_is_exercised_below():
    assert set(EVERY_ACTION) == set(AuditAction)


@pytest.mark.parametrize("action", list(EVERY_ACTION), ids=[action.value for action in EVERY_ACTION])
def test_every_action_writes_an_audit_event(people, action):
    """Rule 8: performing the action writes exactly one audit event of its own kind."""
    perform = EVERY_ACTION[action](people)
    before = event_ids()
    perform()
    written = [name for name, _ in new_events(before)]
    assert written.count(action) == 1, written


def test_the_new_actions_have_their_own_names():
    assert {
        AuditAction.SCHEDULE: "schedule",
        AuditAction.UNSCHEDULE: "unschedule",
        AuditAction.SCHEDULE_FAILED: "schedule_failed",
        AuditAction.SCHEDULE_UNPUBLISH: "schedule_unpublish",
        AuditAction.UNSCHEDULE_UNPUBLISH: "unschedule_unpublish",
    } == {action: action.value for action in AuditAction if "schedule" in action.value}
    longest = max(len(action.value) for action in AuditAction)
    assert longest <= AuditEvent._meta.get_field("action").max_length


# --- Migration 0009 ----------------------------------------------------------------------------------------------

BEFORE = ("therapies", "0008_publish_state_set_by_workflow_only")
AFTER = ("therapies", "0009_schedule_state_fields")


def migrate_to(target: tuple[str, str]):
    """Migrate the test database to `target` and return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


class OldLog:
    """Rows written by the code before migration 0009, through the historical models at 0008."""

    def __init__(self, apps) -> None:
        self.apps = apps
        user = apps.get_model("auth", "User")
        self.author, self.approver, self.scheduler, self.unpublisher = (
            user.objects.create(username=name, email=f"{name}@example.org")
            for name in ("m-author", "m-approver", "m-scheduler", "m-unpublisher")
        )
        self.change_request_model = apps.get_model("therapies", "ChangeRequest")
        self.event_model = apps.get_model("therapies", "AuditEvent")

    def change_request(self, title: str, *, publish_at=None):
        return self.change_request_model.objects.create(
            title=title, state="approved", created_by=self.author, approved_by=self.approver,
            approved_at=timezone.now(), publish_at=publish_at,
        )

    def event(self, actor, action: str, *, change_request=None, obj=None, **details):
        content_type = None
        if obj is not None:
            content_type = self.apps.get_model("contenttypes", "ContentType").objects.get(
                app_label="therapies", model=obj._meta.model_name)
        return self.event_model.objects.create(
            actor=actor, action=action, change_request=change_request, details=details,
            content_type=content_type, object_id=obj.pk if obj is not None else None,
        )


@pytest.mark.django_db(transaction=True)
def test_migration_0009_carries_schedule_state_over_and_relabels_the_log(transactional_db):
    soon = timezone.now() + HOUR
    try:
        old = OldLog(migrate_to(BEFORE))
        # Scheduled twice: the latest schedule's actor scheduled it, not the approver.
        rescheduled = old.change_request("Rescheduled", publish_at=soon)
        approval = old.event(old.approver, "approve", change_request=rescheduled)
        first = old.event(old.approver, "approve", change_request=rescheduled, schedule="scheduled")
        latest = old.event(old.scheduler, "approve", change_request=rescheduled, schedule="scheduled")
        # Scheduled with no schedule event (set by hand): the approver, as the old code assumed.
        unlogged = old.change_request("Unlogged", publish_at=soon)
        # A failed scheduled publish, with nothing after it: still the failure to show.
        failed = old.change_request("Failed")
        old.event(old.scheduler, "approve", change_request=failed, schedule="scheduled")
        failure = old.event(None, "comment", change_request=failed, schedule="failed", error="Conflict on X.")
        comment = old.event(old.author, "comment", change_request=failed, comment=1)  # a review comment
        # A failure that was rescheduled and then cancelled since: nothing to show.
        recovered = old.change_request("Recovered")
        old.event(None, "comment", change_request=recovered, schedule="failed", error="Old conflict.")
        old.event(old.scheduler, "approve", change_request=recovered, schedule="scheduled")
        cancelled = old.event(old.scheduler, "approve", change_request=recovered, schedule="cancelled")
        # A page to come off the site: the latest scheduled-unpublish event has the reason and requester.
        therapy = old.apps.get_model("therapies", "Therapy").objects.get(slug="fingolimod")
        therapy.unpublish_at = soon
        therapy.save(update_fields=["unpublish_at"])
        old.event(old.approver, "unpublish", obj=therapy, schedule="scheduled", reason="First thought.")
        unpublish_cancelled = old.event(old.approver, "unpublish", obj=therapy, schedule="cancelled")
        asked = old.event(old.unpublisher, "unpublish", obj=therapy, schedule="scheduled", reason="Withdrawn.")
        carried_out = old.event(old.approver, "unpublish", obj=therapy, scheduled=True, reason="Earlier, done.")

        new = migrate_to(AFTER)
        change_requests = new.get_model("therapies", "ChangeRequest").objects
        assert change_requests.get(pk=rescheduled.pk).scheduled_by_id == old.scheduler.pk
        assert change_requests.get(pk=unlogged.pk).scheduled_by_id == old.approver.pk
        failed_now = change_requests.get(pk=failed.pk)
        assert (failed_now.schedule_failed_at, failed_now.schedule_failure) == (failure.created_at, "Conflict on X.")
        recovered_now = change_requests.get(pk=recovered.pk)
        assert (recovered_now.schedule_failed_at, recovered_now.schedule_failure) == (None, "")
        therapy_now = new.get_model("therapies", "Therapy").objects.get(pk=therapy.pk)
        assert (therapy_now.unpublish_reason, therapy_now.unpublish_requested_by_id) == ("Withdrawn.",
                                                                                       old.unpublisher.pk)
        actions = dict(new.get_model("therapies", "AuditEvent").objects.values_list("pk", "action"))
        assert [actions[e.pk] for e in (approval, first, latest, failure, comment, cancelled)] == [
            "approve", "schedule", "schedule", "schedule_failed", "comment", "unschedule"]
        assert [actions[e.pk] for e in (asked, unpublish_cancelled, carried_out)] == [
            "schedule_unpublish", "unschedule_unpublish", "unpublish"]

        # Reversible: backwards, the old code finds its events under the old actions again.
        actions = dict(migrate_to(BEFORE).get_model("therapies", "AuditEvent").objects.values_list("pk", "action"))
        assert [actions[e.pk] for e in (latest, failure, cancelled, asked, unpublish_cancelled, carried_out)] == [
            "approve", "comment", "approve", "unpublish", "unpublish", "unpublish"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
