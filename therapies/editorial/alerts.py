"""Safety alerts, the sending side (issue 26): from a published change to one email per subscriber.

1. A publish or unpublish, once committed, records one AlertEvent (`record_change`) from its rows of the public
   record (models/public_record.py): the therapies it touches, its significance, its public note, its date and
   its pages. Called from the public record's hook (`on_public_changes`, connected in apps.py to
   signals.public_changes_recorded): the one place that reads what was published.
2. `queue_events` (manage.py send_alerts, cron) turns each event into messages, QUEUE_CHUNK subscribers at a
   time: one OutboundEmail per subscriber who wants it now, one AlertDigestEntry per weekly subscriber. The
   event's `queued_through` cursor moves in the same transaction as its chunk, and the event row is held
   (FOR UPDATE SKIP LOCKED) meanwhile, so two runs at once, or one that stops half-way, queue nobody twice
   and skip nobody.
3. `queue_digests` gathers a weekly subscriber's entries into one message when their digest is due.
4. notifications.send_pending sends the outbox: claimed rows, marked sent one by one, retried with backoff,
   the run stopped (and nothing lost) when the mail server goes away.

Every alert carries the signed manage link and the List-Unsubscribe headers (editorial/alert_links.py).
Memory is bounded by the chunk sizes, not by the number of subscribers.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import (
    AlertDigestEntry,
    AlertEvent,
    AlertFrequency,
    AlertLevel,
    AlertSubscriber,
    AlertSubscription,
    OutboundEmail,
    PublicChange,
    PublicEvent,
    Risk,
    Significance,
    Therapy,
    TherapyRisk,
    Trial,
    page_kinds,
)
from ..models.alerts import UNCONFIRMED_DAYS
from . import alert_links

QUEUE_CHUNK = 500  # subscribers queued per transaction
DIGEST_CHUNK = 200  # digests composed per transaction
KEEP_SENT_DAYS = 30  # sent alert emails are deleted after this (they hold the address)
Progress = Callable[[int, int], None] | None


def therapies_touched(objects: Iterable[models.Model]) -> list[int]:
    """The therapies whose readers a change to `objects` concerns: a therapy itself, the therapies a risk is
    linked to, the therapy a trial studied."""
    ids: set[int] = set()
    for obj in objects:
        if isinstance(obj, Therapy):
            ids.add(obj.pk)
        elif isinstance(obj, Risk):
            ids.update(TherapyRisk.objects.filter(risk=obj).values_list("therapy_id", flat=True))
        elif isinstance(obj, Trial):
            ids.add(obj.therapy_id)
    return sorted(ids)


def _subscriptions_matching(therapy_ids: list[int], significance: str):
    wanted = Q(therapy__isnull=True) | Q(therapy_id__in=therapy_ids)
    if significance != Significance.SAFETY:
        wanted &= Q(level=AlertLevel.ALL)
    return AlertSubscription.objects.filter(wanted)


def subscribers_for(therapy_ids: list[int], significance: str):
    """Confirmed addresses that follow a change of this significance to any of these therapies."""
    matching = _subscriptions_matching(therapy_ids, significance).filter(subscriber=OuterRef("pk"))
    return AlertSubscriber.objects.filter(Exists(matching), confirmed_at__isnull=False)


def audience(objects: Iterable[models.Model], significance: str) -> dict[str, int]:
    """How many people a change would email now and in their weekly digest (the reviewer's confirm page)."""
    counts = dict(subscribers_for(therapies_touched(objects), significance)
                  .values_list("frequency").annotate(n=models.Count("pk")).order_by())
    return {"now": counts.get(AlertFrequency.IMMEDIATE, 0), "weekly": counts.get(AlertFrequency.WEEKLY, 0)}


def _pages(objects: Iterable[models.Model]) -> list[dict]:
    """The pages a change touched, as its alert names and links them (the page's change history)."""
    page_models = tuple(kind.model for kind in page_kinds())
    return [{"name": str(obj)[:200], "path": f"{obj.get_absolute_url()}#history"}
            for obj in objects if isinstance(obj, page_models)]


def record_change(*, objects: list[models.Model], action: str, significance: str, note: str,
                  occurred_at: datetime.datetime, change_request=None,
                  public_change: PublicChange | None = None) -> AlertEvent | None:
    """Record one public change for alerting, unless nobody could want it (no confirmed subscriber at all)."""
    if not AlertSubscriber.objects.filter(confirmed_at__isnull=False).exists():
        return None
    return AlertEvent.objects.create(
        action=action, significance=significance, note=note, occurred_at=occurred_at,
        therapy_ids=therapies_touched(objects), pages=_pages(objects), change_request=change_request,
        public_change=public_change,
    )


def on_public_changes(sender, *, changes: list[PublicChange], **kwargs) -> None:
    """Receiver of signals.public_changes_recorded (after the commit): one alert per public change.

    The pages of one published change request share its note, so they make one alert; each page taken off
    the site makes its own. A "still accurate" confirmation changes no content and alerts nobody.
    """
    events: dict[tuple, list[PublicChange]] = {}
    for change in changes:
        if change.kind == PublicEvent.CONFIRM:
            continue
        key = (change.kind, change.change_request_id) if change.change_request_id else (change.kind, change.pk)
        events.setdefault(key, []).append(change)
    for rows in events.values():
        first = rows[0]
        record_change(objects=[obj for row in rows if (obj := _page_of(row)) is not None], action=first.kind,
                      significance=first.significance, note=first.note, occurred_at=first.at,
                      change_request=first.change_request, public_change=first)


def _page_of(change: PublicChange) -> models.Model | None:
    model = change.content_type.model_class()
    return model._default_manager.filter(pk=change.object_id).first() if model is not None else None


def _context(event: AlertEvent) -> dict:
    return {
        "event": event, "significance": Significance.heading_of(event.significance) if event.significance else "",
        "pages": [{"name": page["name"], "url": alert_links.absolute(page["path"])} for page in event.pages],
        "unpublished": event.action == "unpublish",
    }


def _alert_email(subscriber: AlertSubscriber, subject: str, template: str, context: dict) -> OutboundEmail:
    body = render_to_string(template, {
        **context, "manage_url": alert_links.manage_url(subscriber.pk, subscriber.email),
        "updates_url": alert_links.absolute("/updates/"),
    })
    return OutboundEmail(to=subscriber.email, subject=subject[:300], body=body, alert_subscriber=subscriber,
                         headers=alert_links.list_headers(subscriber.pk, subscriber.email))


def _subject(event: AlertEvent) -> str:
    names = ", ".join(page["name"] for page in event.pages) or "msinfo"
    heading = Significance.heading_of(event.significance) if event.significance else "Update"
    return f"{heading}: {names}"[:300]


def _queue_chunk(event_pk: int) -> int | None:
    """Queue the next chunk of one event in one transaction; the number queued, or None when it is done or
    another run holds it."""
    with transaction.atomic():
        event = AlertEvent.objects.select_for_update(skip_locked=True).filter(
            pk=event_pk, queued_at__isnull=True).first()
        if event is None:
            return None
        if event.public_change_id:  # a reviewer may have corrected the public wording since
            event.note = PublicChange.objects.values_list("note", flat=True).get(pk=event.public_change_id)
        chunk = list(subscribers_for(event.therapy_ids, event.significance)
                     .filter(pk__gt=event.queued_through, confirmed_at__lte=event.created_at)
                     .only("pk", "email", "frequency").order_by("pk")[:QUEUE_CHUNK])
        if not chunk:
            event.queued_at = timezone.now()
            event.save(update_fields=["queued_at"])
            return None
        context, subject = _context(event), _subject(event)
        now = [s for s in chunk if s.frequency == AlertFrequency.IMMEDIATE]
        OutboundEmail.objects.bulk_create(
            [_alert_email(s, subject, "therapies/email/alert.txt", context) for s in now])
        AlertDigestEntry.objects.bulk_create(
            [AlertDigestEntry(subscriber=s, event=event) for s in chunk if s.frequency == AlertFrequency.WEEKLY],
            ignore_conflicts=True)
        event.queued_through = chunk[-1].pk
        event.save(update_fields=["queued_through"])
        return len(chunk)


def queue_events(progress: Progress = None) -> int:
    """Queue every event not yet queued; the number of subscribers queued for."""
    queued = 0
    for event_pk in AlertEvent.objects.filter(queued_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        event = AlertEvent.objects.only("therapy_ids", "significance").get(pk=event_pk)
        total = subscribers_for(event.therapy_ids, event.significance).count()
        done = 0
        while (count := _queue_chunk(event_pk)) is not None:
            done += count
            if progress:
                progress(min(done, total), max(done, total))
        queued += done
    return queued


def _queue_digest_chunk(now: datetime.datetime) -> int:
    with transaction.atomic():
        due = list(AlertSubscriber.objects.select_for_update(skip_locked=True)
                   .filter(frequency=AlertFrequency.WEEKLY, digest_due_at__lte=now, confirmed_at__isnull=False)
                   .only("pk", "email", "digest_due_at").order_by("pk")[:DIGEST_CHUNK])
        emails = []
        for subscriber in due:
            entries = list(AlertDigestEntry.objects.filter(subscriber=subscriber).select_related("event")
                           .order_by("event__occurred_at", "pk"))
            if entries:
                changes = [_context(entry.event) for entry in entries]
                emails.append(_alert_email(subscriber, f"Your weekly msinfo digest: {len(changes)} change(s)",
                                           "therapies/email/alert_digest.txt", {"changes": changes}))
                AlertDigestEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
            subscriber.digest_due_at = now + datetime.timedelta(days=7)
        AlertSubscriber.objects.bulk_update(due, ["digest_due_at"])
        OutboundEmail.objects.bulk_create(emails)
        return len(due)


def queue_digests(now: datetime.datetime | None = None) -> int:
    """Compose the weekly digests that are due; the number of subscribers whose digest came due."""
    now, total = now or timezone.now(), 0
    while count := _queue_digest_chunk(now):
        total += count
    return total


def forget_old(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Delete addresses nobody confirmed within UNCONFIRMED_DAYS, and sent alert emails older than
    KEEP_SENT_DAYS. (addresses deleted, emails deleted)"""
    now = now or timezone.now()
    _, addresses = AlertSubscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - datetime.timedelta(days=UNCONFIRMED_DAYS)).delete()
    _, emails = OutboundEmail.objects.filter(
        alert_subscriber__isnull=False, sent_at__lt=now - datetime.timedelta(days=KEEP_SENT_DAYS)).delete()
    return addresses.get("therapies.AlertSubscriber", 0), emails.get("therapies.OutboundEmail", 0)
