"""Scheduling: publish or unpublish at a set time; publish_due() runs from cron on every app server."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from ..editorial import notifications
from ..models import (
    AuditAction,
    ChangeRequest,
    PublicEvent,
    Significance,
    State,
    content_models,
    kind_for,
    limits,
)
from .audit import announce, record
from .errors import WorkflowError, clean_text, require
from .locks import locked_change_request
from .permissions import (
    can_publish,
    can_schedule,
    can_unschedule,
    display_name,
    is_reviewer,
)
from .public_record import record_public
from .publishing import clear_unpublish_schedule, publish_approved, take_off_site
from .seen import require_seen

logger = logging.getLogger(__name__)


# --- Actions: scheduling -------------------------------------------------------------------------------------
#
# A reviewer approves a change to go live at a set time, or a page to come off the site at one.
# `manage.py publish_scheduled` runs publish_due() from cron every minute, on every app server at
# once: row locks with SKIP LOCKED make each item go to exactly one of them, and every item's
# schedule is cleared when it runs, so nothing is ever left "scheduled" in the past.
#
# The schedule is state held in fields (ChangeRequest.publish_at, scheduled_by, schedule_failed_at,
# schedule_failure; a page's unpublish_at, unpublish_reason, unpublish_requested_by), and only those
# fields decide anything. Each action also writes one audit event of its own action for people to
# read; its details keep the "schedule" key the log has always had (migration 0009 relies on it
# to relabel the events back when it is reversed).

SCHEDULED = "scheduled"
SCHEDULE_CANCELLED = "cancelled"
SCHEDULE_FAILED = "failed"


def format_when(when: datetime.datetime) -> str:
    """A schedule time as reviewers read it, in the site's time zone: "12 May 2026 09:30 UTC"."""
    return f"{date_format(timezone.localtime(when), 'j M Y H:i')} {timezone.get_current_timezone_name()}"


def future_time(when: datetime.datetime | None, purpose: str) -> datetime.datetime:
    if when is None:
        raise WorkflowError(f"Give the date and time {purpose}.")
    if timezone.is_naive(when):
        when = timezone.make_aware(when)  # in the site's time zone, as the form says
    if when <= timezone.now():
        raise WorkflowError(f"{format_when(when)} has already passed: choose a time in the future {purpose}.")
    return when


def schedule(
    *, change_request: ChangeRequest, user, publish_at: datetime.datetime, seen: str | None = None,
    full_review: bool = False,
) -> ChangeRequest:
    """Approve an approved change to go live at `publish_at`, or move it to a new time.

    Scheduling is publishing at a set time: `seen` and `full_review` mean what they mean for publish().
    """
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_schedule(change_request, user))
        publish_at = future_time(publish_at, "for the change to go live")
        require_seen(change_request, seen)
        previous = change_request.publish_at
        # A new schedule replaces the old one and any failure of it, and is carried out in this user's name.
        cleared = change_request.clear_schedule()
        change_request.publish_at = publish_at
        change_request.scheduled_by = user
        change_request.scheduled_full_review = full_review
        change_request.save(update_fields=[*cleared, "updated_at"])
        record(user, AuditAction.SCHEDULE, change_request=change_request, details={
            "schedule": SCHEDULED,
            "step": f"scheduled to go live at {format_when(publish_at)}",
            "publish_at": publish_at.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "full_review": full_review,
        })
        _queue_schedule_email(change_request, user, "Scheduled", publish_at=publish_at, previous=previous)
    return change_request


def unschedule(*, change_request: ChangeRequest, user) -> ChangeRequest:
    """Cancel a change's schedule: it stays approved, to be published now or scheduled again."""
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_unschedule(change_request, user))
        previous = change_request.publish_at
        change_request.save(update_fields=[*change_request.clear_schedule(), "updated_at"])
        record(user, AuditAction.UNSCHEDULE, change_request=change_request, details={
            "schedule": SCHEDULE_CANCELLED,
            "step": f"schedule for {format_when(previous)} cancelled",
            "previous": previous.isoformat(),
        })
        _queue_schedule_email(change_request, user, "Schedule cancelled", publish_at=None, previous=previous)
    return change_request


def _queue_schedule_email(change_request: ChangeRequest, user, what: str, *, publish_at, previous) -> None:
    emails = notifications.queue_message(
        to=[a.email for a in change_request.authors.filter(is_active=True).exclude(pk=user.pk)],
        subject=f"{what}: #{change_request.pk} {change_request.title}",
        template="therapies/email/scheduled.txt",
        context={"change_request": change_request, "actor": user, "publish_at": publish_at, "previous": previous,
                 "when": format_when(publish_at) if publish_at else "",
                 "previous_when": format_when(previous) if previous else ""},
        change_request=change_request,
    )
    notifications.deliver_on_commit(emails)


def can_schedule_unpublish(user) -> str | None:
    if not is_reviewer(user):
        return "Only medical reviewers can schedule content to be unpublished."
    return None


def schedule_unpublish(*, obj: models.Model, user, at: datetime.datetime, reason: str = "") -> models.Model:
    """Set a live page to come off the site at `at` (publish_scheduled does it)."""
    require(can_schedule_unpublish(user))
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if not obj.is_live:
            raise WorkflowError(f"{obj} is not published, so there is nothing to take off the site.")
        at = future_time(at, "for it to come off the site")
        previous = obj.unpublish_at
        obj.unpublish_at = at
        obj.unpublish_reason = clean_text(reason, limit=limits.REASON, what="The reason")
        obj.unpublish_requested_by = user
        obj.save(update_fields=["unpublish_at", "unpublish_reason", "unpublish_requested_by"])
        record(user, AuditAction.SCHEDULE_UNPUBLISH, obj=obj, details={
            "schedule": SCHEDULED,
            "step": f"scheduled to come off the site at {format_when(at)}",
            "unpublish_at": at.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "reason": obj.unpublish_reason,
        })
    return obj


def unschedule_unpublish(*, obj: models.Model, user) -> models.Model:
    """Cancel a page's scheduled unpublishing: it stays on the site."""
    if not is_reviewer(user):
        raise WorkflowError("Only medical reviewers can change when content is unpublished.")
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if obj.unpublish_at is None:
            raise WorkflowError(f"{obj} is not scheduled to come off the site.")
        previous = obj.unpublish_at
        obj.save(update_fields=clear_unpublish_schedule(obj))
        record(user, AuditAction.UNSCHEDULE_UNPUBLISH, obj=obj, details={
            "schedule": SCHEDULE_CANCELLED,
            "step": f"scheduled unpublishing at {format_when(previous)} cancelled",
            "previous": previous.isoformat(),
        })
    return obj


@dataclass(frozen=True)
class ScheduledOutcome:
    """What publish_due() did with one due item (printed by the publish_scheduled command)."""

    action: str  # "publish" or "unpublish"
    label: str
    ok: bool
    message: str


def publish_due(*, now: datetime.datetime | None = None) -> list[ScheduledOutcome]:
    """Publish every approved change whose publish_at has come; unpublish every page whose unpublish_at has.

    Safe to run at the same moment on several servers: each item is taken under a row lock with
    SKIP LOCKED (PostgreSQL; SQLite serialises writers anyway) and its state re-checked inside the
    lock, so each is done exactly once. One item failing never stops the others.
    """
    now = now or timezone.now()
    outcomes: list[ScheduledOutcome | None] = []
    due = ChangeRequest.objects.filter(state=State.APPROVED, publish_at__lte=now).order_by("publish_at", "pk")
    for pk in list(due.values_list("pk", flat=True)):
        outcomes.append(_isolated("publish", f"change request #{pk}", _publish_scheduled, pk, now))
    for model in content_models():
        due_objects = model.objects.filter(unpublish_at__lte=now).order_by("unpublish_at", "pk")
        for pk in list(due_objects.values_list("pk", flat=True)):
            label = f"{model._meta.verbose_name} #{pk}"
            outcomes.append(_isolated("unpublish", label, _unpublish_scheduled, model, pk, now))
    return [outcome for outcome in outcomes if outcome is not None]


def _isolated(action: str, label: str, run: Callable, *args) -> ScheduledOutcome | None:
    try:
        return run(*args)
    except Exception as error:  # one broken item must not stop the others; it is retried next run
        logger.exception("Scheduled %s of %s failed unexpectedly", action, label)
        return ScheduledOutcome(action, label, False, f"unexpected error, will be retried: {error}")


def _publish_scheduled(pk: int, now: datetime.datetime) -> ScheduledOutcome | None:
    with transaction.atomic():
        change_request = (
            ChangeRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=State.APPROVED, publish_at__lte=now)
            .first()
        )
        if change_request is None:
            return None  # another server holds it, or it was published, cancelled or moved meanwhile
        scheduled_for = change_request.publish_at
        scheduler = change_request.scheduled_by  # published in the name of the reviewer who scheduled it
        try:
            with transaction.atomic():  # a conflict rolls back to here; the lock is kept
                if scheduler is None:
                    raise WorkflowError(
                        "Nobody is recorded as having scheduled it. "
                        "A medical reviewer must publish it or schedule it again."
                    )
                if can_publish(change_request, scheduler):
                    raise WorkflowError(
                        f"{display_name(scheduler)}, who scheduled it, can no longer publish. "
                        "A medical reviewer must publish it or schedule it again."
                    )
                publish_approved(change_request, scheduler, scheduled_for=scheduled_for,
                                 full_review=change_request.scheduled_full_review)
        except WorkflowError as error:
            _record_schedule_failure(change_request, scheduler, scheduled_for, error.message)
            return ScheduledOutcome("publish", str(change_request), False, error.message)
        if scheduler is not None and scheduler.email:
            notifications.deliver_on_commit(notifications.queue_message(
                to=[scheduler.email],
                subject=f"Published as scheduled: #{change_request.pk} {change_request.title}",
                template="therapies/email/published.txt",
                context={"change_request": change_request, "actor": scheduler, "scheduled_for": scheduled_for},
                change_request=change_request,
            ))
    return ScheduledOutcome("publish", str(change_request), True,
                            f"published as scheduled for {format_when(scheduled_for)}")


def _record_schedule_failure(change_request: ChangeRequest, scheduler, scheduled_for, message: str) -> None:
    """Say loudly that a scheduled publish did not happen: it stays approved, its past schedule is cleared
    (retrying every minute would only repeat the conflict), the log and the people involved are told."""
    cleared = change_request.clear_schedule()
    change_request.schedule_failed_at = timezone.now()
    change_request.schedule_failure = message
    change_request.save(update_fields=[*cleared, "updated_at"])
    record(None, AuditAction.SCHEDULE_FAILED, change_request=change_request, details={
        "schedule": SCHEDULE_FAILED,
        "step": f"scheduled publishing at {format_when(scheduled_for)} failed: {message}",
        "scheduled_for": scheduled_for.isoformat(),
        "error": message,
    })
    people = list(change_request.authors.filter(is_active=True))
    if scheduler is not None:
        people.append(scheduler)
    notifications.deliver_on_commit(notifications.queue_message(
        to=[person.email for person in people],
        subject=f"Scheduled publishing failed: #{change_request.pk} {change_request.title}",
        template="therapies/email/schedule_failed.txt",
        context={"change_request": change_request, "when": format_when(scheduled_for), "message": message,
                 "scheduler": scheduler},
        change_request=change_request,
    ))


def _unpublish_scheduled(model: type[models.Model], pk: int, now: datetime.datetime) -> ScheduledOutcome | None:
    """Take a page off the site in the name of the reviewer who scheduled it.

    Unlike publishing, this does not re-check that they are still a reviewer: taking a page
    down errs on the safe side, and it was a reviewer's decision when it was made.
    """
    with transaction.atomic():
        obj = model.objects.select_for_update(skip_locked=True).filter(pk=pk, unpublish_at__lte=now).first()
        if obj is None:
            return None
        scheduled_for = obj.unpublish_at
        scheduler = obj.unpublish_requested_by
        reason = obj.unpublish_reason or "scheduled"
        if not obj.is_live:
            obj.save(update_fields=clear_unpublish_schedule(obj))
            return ScheduledOutcome("unpublish", str(obj), True, "was already off the site; schedule cleared")
        take_off_site(obj)
        # A scheduled unpublish is listed on /updates/ as a major update (its form asks no significance).
        record(scheduler, AuditAction.UNPUBLISH, obj=obj, details={
            "reason": reason, "significance": Significance.MAJOR, "scheduled": True,
            "scheduled_for": scheduled_for.isoformat(),
            "step": f"unpublished as scheduled for {format_when(scheduled_for)}",
        })
        record_public(PublicEvent.UNPUBLISH, [obj], note=reason, significance=Significance.MAJOR)
        announce([obj], "unpublish")
        if scheduler is not None and scheduler.email:
            notifications.deliver_on_commit(notifications.queue_message(
                to=[scheduler.email],
                subject=f"Unpublished as scheduled: {obj}",
                template="therapies/email/unpublished_scheduled.txt",
                context={"obj": obj, "actor": scheduler, "when": format_when(scheduled_for), "reason": reason,
                         "admin_path": kind_for(model).admin_url(obj.pk)},
            ))
    return ScheduledOutcome("unpublish", str(obj), True, f"unpublished as scheduled for {format_when(scheduled_for)}")


