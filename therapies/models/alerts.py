"""Safety alerts by email (issue 26): who follows which therapy, and the public changes to tell them about.

Personal data is kept to the minimum: an address, its choices and when it was confirmed. No name, no account,
no IP address, no record of opens or clicks. An address nobody confirmed is deleted after
UNCONFIRMED_DAYS; ending a subscription deletes the address, with every alert email queued or sent to it
(OutboundEmail.alert_subscriber cascades). The rate limit keeps only keyed hashes, for an hour.
"""

from django.db import models

from . import limits
from .content import Therapy
from .editorial import ChangeRequest
from .public_record import PublicChange

UNCONFIRMED_DAYS = 7


class AlertLevel(models.TextChoices):
    SAFETY = "safety", "Safety changes only"
    ALL = "all", "Every change"


class AlertFrequency(models.TextChoices):
    IMMEDIATE = "immediate", "As soon as it is published"
    WEEKLY = "weekly", "A weekly digest"


class AlertSubscriber(models.Model):
    """One email address that asked for alerts. Deleted, not flagged, when it leaves."""

    email = models.EmailField(max_length=limits.EMAIL, unique=True)
    frequency = models.CharField(max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.IMMEDIATE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    digest_due_at = models.DateTimeField(null=True, blank=True, help_text="When the next weekly digest goes.")

    class Meta:
        ordering = ["pk"]
        permissions = [("see_alert_addresses", "Can see the addresses of alert subscribers (support)")]

    def __str__(self) -> str:
        return f"Alert subscriber #{self.pk}"


class AlertSubscription(models.Model):
    """What one address follows: one therapy (or all of them, therapy empty) at one level."""

    subscriber = models.ForeignKey(AlertSubscriber, on_delete=models.CASCADE, related_name="subscriptions")
    therapy = models.ForeignKey(
        Therapy, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_subscriptions",
        help_text="Empty: every therapy.",
    )
    level = models.CharField(max_length=10, choices=AlertLevel.choices, default=AlertLevel.SAFETY)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "therapy"], name="one_alert_subscription_per_therapy"),
            models.UniqueConstraint(fields=["subscriber"], condition=models.Q(therapy__isnull=True),
                                    name="one_alert_subscription_for_all_therapies"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} for {self.therapy or 'every therapy'}"


class AlertEvent(models.Model):
    """One public change alerts go out for (a publish or an unpublish), written after its commit.

    `manage.py send_alerts` turns it into one message per matching subscriber (or one digest entry), a chunk
    of subscribers at a time: `queued_through` is the last subscriber queued, moved in the same transaction
    as that chunk's messages, so a run that stops half-way resumes where it stopped and queues nobody twice.
    """

    action = models.CharField(max_length=20)  # "publish" or "unpublish"
    significance = models.CharField(max_length=10)
    note = models.TextField(help_text="The public change note, or the public reason for unpublishing.")
    occurred_at = models.DateTimeField()
    therapy_ids = models.JSONField(default=list, help_text="The therapies whose pages the change touches.")
    pages = models.JSONField(default=list, help_text='[{"name": …, "path": …}] the pages, as readers saw them.')
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="alert_events"
    )
    public_change = models.ForeignKey(
        PublicChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Its row in the public record (the first page's): a corrected note is read from there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_through = models.BigIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Alert for {self.action} {self.occurred_at:%Y-%m-%d}: {self.note[:60]}"


class AlertDigestEntry(models.Model):
    """A change waiting for a weekly subscriber's next digest."""

    subscriber = models.ForeignKey(AlertSubscriber, on_delete=models.CASCADE, related_name="digest_entries")
    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["subscriber", "event"], name="one_digest_entry_per_event")]

    def __str__(self) -> str:
        return f"Digest entry: event #{self.event_id} for subscriber #{self.subscriber_id}"


class AlertSignup(models.Model):
    """One subscribe request, for the rate limit: keyed hashes of the address and of the client, kept an hour."""

    address_key = models.CharField(max_length=64, db_index=True)
    client_key = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"Subscribe request {self.created_at:%Y-%m-%d %H:%M}"
