"""The review cycle: how long a page may go between reviews, which pages are due, and reminders.

Health-content standards expect every page to say when it was last reviewed and when the next
review is due (the NHS "Page last reviewed / Next review due" pattern); the PIF TICK asks for a
review at least every 3 years. Publishing and "Confirm still accurate" (workflow.py) set the
dates from `next_review_due()`; the dashboard and `send_review_reminders` read `due_for_review()`.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import KINDS, ReviewReminder
from . import notifications

logger = logging.getLogger(__name__)

SOON_DAYS = 30


def review_interval_days(model: type[models.Model]) -> int:
    """Days between reviews for one content type: its own setting, else the default; never over the cap."""
    overrides = getattr(settings, "REVIEW_INTERVAL_DAYS_BY_TYPE", {}) or {}
    days = overrides.get(model._meta.model_name, settings.REVIEW_INTERVAL_DAYS)
    return max(1, min(int(days), settings.MAX_REVIEW_INTERVAL_DAYS))


def next_review_due(model: type[models.Model], reviewed_at: datetime.datetime) -> datetime.date:
    """The date the next review falls due for content of `model` reviewed at `reviewed_at`."""
    return timezone.localdate(reviewed_at) + datetime.timedelta(days=review_interval_days(model))


@dataclass(frozen=True)
class DueItem:
    """One live page whose review is overdue or falls due soon."""

    model_name: str
    verbose_name: str
    pk: int
    name: str
    due: datetime.date
    overdue: bool

    @property
    def admin_url(self) -> str:
        return reverse(f"admin:therapies_{self.model_name}_change", args=[self.pk])

    def as_json(self) -> dict:
        return {"type": self.model_name, "id": self.pk, "name": self.name, "due": self.due.isoformat(),
                "overdue": self.overdue}


def due_for_review(*, today: datetime.date | None = None, within_days: int = SOON_DAYS) -> list[DueItem]:
    """Live content whose review is overdue or due within `within_days`, most overdue first.

    One query per content kind (models/kinds.py), whatever the amount of content.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    items = []
    for kind in KINDS:
        rows = kind.model.objects.live().filter(next_review_due__lte=horizon).values_list(
            "pk", kind.title_field, "next_review_due"
        )
        items.extend(DueItem(kind.name, kind.verbose_name, pk, name, due, due < today) for pk, name, due in rows)
    return sorted(items, key=lambda item: (item.due, item.verbose_name, item.name))


# --- Reminders ------------------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    sent_to: list[str]
    already_sent: list[str]
    items: list[DueItem]


def send_review_reminders(
    *, today: datetime.date | None = None, progress: Callable[[int, int], None] | None = None
) -> ReminderRun:
    """Email each reviewer one digest of overdue and soon-due pages; at most one per reviewer per day.

    The unique (user, sent_on) constraint on ReviewReminder decides, so two runs on the same
    day — even at the same moment on two servers — never send a reviewer the digest twice.
    `progress(done, total)` is called after each reviewer (management/progress.py shows it).
    """
    today = today or timezone.localdate()
    items = due_for_review(today=today)
    run = ReminderRun(sent_to=[], already_sent=[], items=items)
    if not items:
        return run
    overdue = [item for item in items if item.overdue]
    soon = [item for item in items if not item.overdue]
    subject = f"Reviews due: {len(overdue)} overdue, {len(soon)} due within {SOON_DAYS} days"
    recipients = list(notifications.reviewers().exclude(email="").order_by("pk"))
    for done, user in enumerate(recipients, start=1):
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(user=user, sent_on=today, items=[item.as_json() for item in items])
                emails = notifications.queue_message(
                    to=[user.email],
                    subject=subject,
                    template="therapies/email/review_reminder.txt",
                    context={"user": user, "overdue": overdue, "soon": soon, "soon_days": SOON_DAYS,
                             "today": today},
                )
                notifications.deliver_on_commit(emails)
        except IntegrityError:
            run.already_sent.append(user.email)
        else:
            run.sent_to.append(user.email)
        if progress:
            progress(done, len(recipients))
    return run
