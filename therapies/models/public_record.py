"""The public record: one row per public event of one page — published, taken off the site, confirmed still
accurate — with the words readers are shown (issue 21, item 4).

The workflow writes these rows in the same transaction as the event (workflow/public_record.py). `/updates/`,
its feed, the API's changes and each page's history read this table only; the audit log (AuditEvent) stays
private and append-only. Unlike the audit log, a row's public wording can be corrected by a reviewer: the row
keeps the corrected wording and when it was corrected, and the correction itself is an audit event with the
old and the new wording.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import limits
from .editorial import ChangeRequest, Significance
from .limits import BoundedTextField


class PublicEvent(models.TextChoices):
    PUBLISH = "publish", "Published"
    UNPUBLISH = "unpublish", "Taken off the site"
    CONFIRM = "confirm", "Confirmed still accurate"


class PublicChangeQuerySet(models.QuerySet):
    def in_order(self) -> "PublicChangeQuerySet":
        """Oldest first, in the order they were recorded (what a reader of new changes follows)."""
        return self.order_by("at", "pk")

    def newest_first(self) -> "PublicChangeQuerySet":
        return self.order_by("-at", "-pk")

    def of(self, obj: models.Model) -> "PublicChangeQuerySet":
        """The rows of one page."""
        return self.of_page(type(obj), obj.pk)

    def of_page(self, model: type[models.Model], pk) -> "PublicChangeQuerySet":
        """The rows of the page of `model` with id `pk` (a value or a subquery)."""
        return self.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)


class PublicChange(models.Model):
    """One public event of one page, as readers see it."""

    kind = models.CharField(max_length=10, choices=PublicEvent.choices, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(
        max_length=200, help_text="The page's name when it happened (an unpublished page is named, not linked)."
    )
    significance = models.CharField(max_length=10, choices=Significance.choices, blank=True)
    note = BoundedTextField(
        max_length=limits.REASON, blank=True,
        help_text="Public: the change note of a publish, the reason for taking a page off the site.",
    )
    at = models.DateTimeField(db_index=True)
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="public_changes"
    )
    corrected_at = models.DateTimeField(null=True, blank=True, help_text="When a reviewer last corrected the note.")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PublicChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="public_change_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}: {self.object_repr}"

    @property
    def significance_heading(self) -> str:
        return Significance.heading_of(self.significance)
