"""Editorial models: change requests, revisions, review comments, locks and the audit log.

Drafts never touch live rows: a Revision holds a JSON snapshot of one object's
editable fields and child rows, and publishing copies it onto the live row
(the Wagtail model). The state machine and every rule live in the workflow package.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse

from . import limits
from .limits import BoundedTextField, one_line
from .roles import EDIT, REVIEW


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# States in which a change request still holds its objects (and their locks).
OPEN_STATES = (State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED, State.APPROVED)
# States in which its author may still edit it.
EDITABLE_STATES = OPEN_STATES


class Significance(models.TextChoices):
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    SAFETY = "safety", "Safety"

    @classmethod
    def heading_of(cls, value: str) -> str:
        """What readers call a published change of this significance (“Safety update”) on the change log, its
        feed and a page’s history, one wording everywhere; “Update” for a value no longer in the list."""
        return f"{cls(value).label} update" if value in cls.values else "Update"


class ChangeRequestQuerySet(models.QuerySet):
    def open(self) -> "ChangeRequestQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def published(self) -> "ChangeRequestQuerySet":
        return self.filter(state=State.PUBLISHED)


class ChangeRequest(models.Model):
    """The unit of review, like a pull request: one or more revisions published together."""

    title = models.CharField(max_length=200)
    change_note = BoundedTextField(
        "Change note",
        max_length=limits.CHANGE_NOTE,
        blank=True,
        help_text="Public: shown in the page history and the change log, e.g. "
        "“Added the 2018 stroke warning for alemtuzumab”.",
    )
    significance = models.CharField(max_length=10, choices=Significance.choices, default=Significance.MINOR)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="change_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Rule 9: an approval is for what the reviewer saw. The digest of the change request as approved
    # (workflow/seen.py); publishing refuses a change request that no longer matches it.
    approved_digest = models.CharField(max_length=64, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    publish_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="Approved changes go live at this time (publish_scheduled); empty means not scheduled.",
    )
    # The schedule's state lives here, not in the audit log: publish_scheduled publishes in the name of
    # `scheduled_by`, and the review page explains the last failure from these fields.
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
        help_text="The reviewer who set publish_at: the scheduled publish happens in their name.",
    )
    schedule_failed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the last scheduled publish did not happen."
    )
    schedule_failure = models.TextField(
        blank=True, editable=False, help_text="Why the last scheduled publish did not happen (until rescheduled)."
    )
    scheduled_full_review = models.BooleanField(
        default=False, editable=False,
        help_text="The reviewer who scheduled it reviewed every page in full: the scheduled publish records a full "
        "review (rule 6).",
    )
    closed_reason = BoundedTextField(
        max_length=limits.REASON, blank=True, help_text="Why it was rejected or withdrawn."
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="authored_change_requests",
        blank=True,
        help_text="Everyone who created or edited any revision: none of them may approve it.",
    )

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        permissions = [
            (EDIT, "Can draft content changes (medical editor)"),
            (REVIEW, "Can review, approve and publish changes (medical reviewer)"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def save(self, *args, **kwargs) -> None:
        # Always one line, however it was written: the title is every email's subject, and a line break
        # there made each email about the change request fail for good (reviewers were never told).
        self.title = one_line(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:therapies_changerequest_change", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def clear_schedule(self) -> list[str]:
        """Forget the schedule, who set it and how its last attempt failed; return the fields to save.

        One place for all of them, so publishing, cancelling and rule 5 can never leave a scheduler
        behind without a time (who would then publish a later schedule?) or an old failure on show.
        """
        self.publish_at = None
        self.scheduled_by = None
        self.scheduled_full_review = False
        self.schedule_failed_at = None
        self.schedule_failure = ""
        return ["publish_at", "scheduled_by", "scheduled_full_review", "schedule_failed_at", "schedule_failure"]



class Revision(models.Model):
    """A full JSON snapshot of one content object's editable fields and child rows."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="revisions")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200)
    snapshot = models.JSONField()
    base_revision = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The live revision this draft was based on (none for new objects and the seed content).",
    )
    base_snapshot = models.JSONField(
        null=True, blank=True, help_text="The live content when this draft was started: the left side of its diff."
    )
    is_new = models.BooleanField(default=False, help_text="The object did not exist before this change request.")
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every save: a save based on an older version is refused (no lost edits)."
    )

    class Meta:
        ordering = ["content_type_id", "object_repr"]
        indexes = [models.Index(fields=["content_type", "object_id", "published_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "content_type", "object_id"], name="one_revision_per_object_per_cr"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_repr} in change request #{self.change_request_id}"


class ContentLock(models.Model):
    """Held by the one open change request that may change an object.

    Unique on (content type, object id): the database itself refuses a second
    open change request for the same object, even when two editors click at the
    same moment (a check in Python alone would let both through).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="locks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_open_change_per_object")
        ]

    def __str__(self) -> str:
        return f"Lock on {self.content_type.model} #{self.object_id} held by change request #{self.change_request_id}"


class ReviewComment(models.Model):
    """A comment on a change request, optionally on one field of one revision; replies nest once."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="comments")
    revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    field_name = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = BoundedTextField(max_length=limits.COMMENT)
    created_at = models.DateTimeField(auto_now_add=True)
    # Resolution, as in Wagtail's comments: a thread is open until someone resolves it; reopening clears both.
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on #{self.change_request_id}"

    @property
    def is_open(self) -> bool:
        """A thread (a comment without a parent) still waiting to be resolved."""
        return self.parent_id is None and self.resolved_at is None


class AuditAction(models.TextChoices):
    CREATE = "create", "Created change request"
    EDIT = "edit", "Edited draft"
    SUBMIT = "submit", "Submitted for review"
    COMMENT = "comment", "Commented"
    RESOLVE_COMMENT = "resolve_comment", "Resolved a comment"
    REOPEN_COMMENT = "reopen_comment", "Reopened a comment"
    APPROVE = "approve", "Approved"
    REQUEST_CHANGES = "request_changes", "Requested changes"
    REJECT = "reject", "Rejected"
    WITHDRAW = "withdraw", "Withdrew"
    PUBLISH = "publish", "Published"
    UNPUBLISH = "unpublish", "Unpublished"
    REVERT = "revert", "Started a revert"
    CONFIRM_REVIEWED = "confirm_reviewed", "Confirmed still accurate"
    REMOVE = "remove", "Removed an object from a change request"
    SCHEDULE = "schedule", "Scheduled publishing"
    UNSCHEDULE = "unschedule", "Cancelled scheduled publishing"
    SCHEDULE_FAILED = "schedule_failed", "Scheduled publishing failed"
    SCHEDULE_UNPUBLISH = "schedule_unpublish", "Scheduled unpublishing"
    UNSCHEDULE_UNPUBLISH = "unschedule_unpublish", "Cancelled scheduled unpublishing"
    RE_REVIEW = "re_review", "Sent back for re-review: a source it cites changed"
    CORRECT_PUBLIC = "correct_public", "Corrected the public wording of a change"
    # Roles (workflow/accounts.py): who can draft, review and publish is part of the record too.
    USER_CREATE = "user_create", "Created a user"
    USER_FLAGS = "user_flags", "Changed a user's staff, superuser or active status"
    ROLE_ADD = "role_add", "Gave a user a group or permission"
    ROLE_REMOVE = "role_remove", "Took a group or permission from a user"
    GROUP_PERMISSIONS = "group_permissions", "Changed a group's permissions"
    # Readers' alert addresses (issue 26): every look at them, and every deletion, is on the record.
    SEE_ALERT_ADDRESSES = "alert_addresses", "Looked at the addresses of alert subscribers"
    DELETE_ALERT_ADDRESSES = "alert_delete", "Deleted alert subscribers' addresses"


class AuditEvent(models.Model):
    """Append-only record of every editorial action: saved once, never changed or deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("Audit events are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit events are append-only: they cannot be deleted.")


class ReviewReminder(models.Model):
    """One review-reminder digest sent to one reviewer on one day (so a second run sends nothing)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    items = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="one_reminder_per_user_per_day")]

    def __str__(self) -> str:
        return f"Review reminder to {self.user} on {self.sent_on}"


class CorrectionStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "Change request started"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class CorrectionSuggestion(models.Model):
    """A reader's "Suggest a correction", stored with the page it came from."""

    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    page_path = models.CharField(max_length=300)
    page_title = models.CharField(max_length=200, blank=True)
    what_is_wrong = BoundedTextField("What is wrong", max_length=limits.CORRECTION)
    source = BoundedTextField(
        "Source",
        max_length=limits.CORRECTION_SOURCE,
        blank=True,
        help_text="Where the correct information can be found.",
    )
    email = models.EmailField(blank=True, help_text="Optional, for a reply.")
    client_key = models.CharField(max_length=64, db_index=True, help_text="Hash of the sender's address (rate limit).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=12, choices=CorrectionStatus.choices, default=CorrectionStatus.NEW)
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Correction to {self.page_title or self.page_path} ({self.created_at:%Y-%m-%d})"


class OutboxRow(models.Model):
    """Something to send after a commit, kept until it is sent (a transactional outbox): when it was queued,
    when it went, how many tries it took, and why the last one failed."""

    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class OutboundEmail(OutboxRow):
    """An email waiting to be sent (a transactional outbox).

    Written in the same transaction as the action it reports, so a committed action
    always has its emails recorded, and a failing mail server loses nothing:
    `manage.py send_pending_email` retries what could not be sent.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    # Extra mail headers (an alert's List-Unsubscribe, RFC 8058), and when a failed email may be tried again.
    headers = models.JSONField(default=dict, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # An alert to a reader (models/alerts.py): deleted with the address when the reader leaves.
    alert_subscriber = models.ForeignKey(
        "therapies.AlertSubscriber", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class FrontendPurge(OutboxRow):
    """A purge of a front cache (Varnish) waiting to be sent: an outbox, like OutboundEmail (issue 16).

    Written in the publish's own transaction, one row per front cache (FRONTEND_CACHE_URLS), so a
    committed publish always has its purges on record and a front cache that is down gets them when it
    answers again (`manage.py send_frontend_purges`, cron; editorial/frontend_cache.py).
    """

    url = models.CharField(max_length=500)
    keys = models.TextField()  # space-separated page keys (models/page_keys.py), as the xkey-softpurge header
    next_attempt_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"purge {self.keys[:80]} → {self.url}"
