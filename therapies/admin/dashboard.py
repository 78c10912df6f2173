"""The editorial dashboard on the admin index: what this person can act on now.

Each section lists only what the signed-in user may act on (their drafts, changes requested of
them, changes awaiting their review, ...), with a count and a link to the full list. The number of
queries is fixed whatever the amount of content: one aggregate for the counts, one query per list.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .. import workflow
from ..editorial.review_cycle import SOON_DAYS
from ..models import KINDS, ChangeRequest, State
from ..models.querysets import live_q

LIST_LIMIT = 10
RECENT_DAYS = 30


@dataclass
class Row:
    label: str
    url: str
    detail: str = ""
    flag: str = ""  # "overdue", "safety", "scheduled": a visual marker with text of its own


@dataclass
class Section:
    key: str
    title: str
    count: int
    empty: str
    rows: list[Row] = field(default_factory=list)
    more_url: str = ""


def _change_request_url(pk: int) -> str:
    return reverse("admin:therapies_changerequest_change", args=[pk])


def _changelist(query: str) -> str:
    return f"{reverse('admin:therapies_changerequest_changelist')}?{query}"


def _when(value: datetime.datetime | None) -> str:
    return workflow.format_when(value) if value else ""


def _rows(queryset, detail) -> list[Row]:
    return [
        Row(label=f"#{cr.pk} {cr.title}", url=_change_request_url(cr.pk), detail=detail(cr),
            flag="safety" if cr.significance == "safety" else "")
        for cr in queryset[:LIST_LIMIT]
    ]


def _by_date(pairs: list[tuple]) -> list[Row]:
    return [row for _, row in sorted(pairs, key=lambda pair: (pair[0], pair[1].label))][:LIST_LIMIT]


def sections_for(user, *, now: datetime.datetime | None = None) -> list[Section]:
    """The dashboard sections for `user`; empty for someone with no editorial role."""
    if not workflow.is_editor(user):
        return []
    reviewer = workflow.is_reviewer(user)
    now = now or timezone.now()
    recent = now - datetime.timedelta(days=RECENT_DAYS)
    authored = Exists(ChangeRequest.authors.through.objects.filter(changerequest_id=OuterRef("pk"), user_id=user.pk))
    change_requests = ChangeRequest.objects.annotate(mine=authored).only(
        "pk", "title", "significance", "state", "updated_at", "submitted_at", "approved_at", "publish_at",
        "published_at",
    )
    approved_q = Q(state=State.APPROVED) if reviewer else Q(state=State.APPROVED, mine=True)
    counts = change_requests.aggregate(
        drafts=Count("pk", filter=Q(state=State.DRAFT, mine=True)),
        changes_requested=Count("pk", filter=Q(state=State.CHANGES_REQUESTED, mine=True)),
        awaiting=Count("pk", filter=Q(state=State.IN_REVIEW, mine=False)),
        approved=Count("pk", filter=approved_q),
        published=Count("pk", filter=Q(state=State.PUBLISHED, published_at__gte=recent)),
    )

    sections = [
        Section(
            "drafts", "My drafts", counts["drafts"], "You have no drafts.",
            _rows(change_requests.filter(state=State.DRAFT, mine=True).order_by("-updated_at"),
                  lambda cr: f"last changed {_when(cr.updated_at)}"),
            _changelist("state__exact=draft&mine=yes"),
        ),
        Section(
            "changes_requested", "Changes requested of me", counts["changes_requested"],
            "No reviewer is waiting for changes from you.",
            _rows(change_requests.filter(state=State.CHANGES_REQUESTED, mine=True).order_by("-updated_at"),
                  lambda cr: f"sent back {_when(cr.updated_at)}"),
            _changelist("state__exact=changes_requested&mine=yes"),
        ),
    ]
    if reviewer:
        sections.append(Section(
            "awaiting", "Awaiting my review", counts["awaiting"], "Nothing is waiting for your review.",
            _rows(change_requests.filter(state=State.IN_REVIEW, mine=False).order_by("submitted_at", "pk"),
                  lambda cr: f"submitted {_when(cr.submitted_at)}"),
            _changelist("state__exact=in_review&awaiting=yes"),
        ))
    # Scheduled ones first, soonest first; then those approved but not yet scheduled.
    approved = change_requests.filter(approved_q).order_by(F("publish_at").asc(nulls_last=True), "approved_at", "pk")
    sections.append(Section(
        "approved", "Approved and scheduled", counts["approved"],
        "No approved changes are waiting to be published.",
        _rows(approved, lambda cr: f"goes live at {_when(cr.publish_at)}" if cr.publish_at
              else "approved; not yet published or scheduled"),
        _changelist("state__exact=approved" + ("" if reviewer else "&mine=yes")),
    ))
    if reviewer:
        sections.extend(_content_sections(now))
    sections.append(Section(
        "published", f"Published in the last {RECENT_DAYS} days", counts["published"],
        "Nothing was published recently.",
        _rows(change_requests.filter(state=State.PUBLISHED, published_at__gte=recent).order_by("-published_at"),
              lambda cr: f"published {_when(cr.published_at)}"),
        _changelist("state__exact=published"),
    ))
    return sections


def _content_sections(now: datetime.datetime) -> list[Section]:
    """Reviews overdue, reviews due soon, and pages scheduled to come off the site: one query per content kind."""
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=SOON_DAYS)
    overdue, soon, leaving = [], [], []
    for kind in KINDS:
        rows = kind.model.objects.filter(
            live_q() & (Q(next_review_due__lte=horizon) | Q(unpublish_at__isnull=False))
        ).values_list("pk", kind.title_field, "next_review_due", "unpublish_at")
        for pk, label, due, unpublish_at in rows:
            url = kind.admin_url(pk)
            title = f"{label} ({kind.verbose_name})"
            if unpublish_at is not None:
                leaving.append((unpublish_at, Row(title, url, f"comes off the site at {_when(unpublish_at)}",
                                                  "scheduled")))
            if due is None or due > horizon:
                continue
            if due < today:
                overdue.append((due, Row(title, url, f"review was due {date_format(due, 'j M Y')}", "overdue")))
            else:
                soon.append((due, Row(title, url, f"review due {date_format(due, 'j M Y')}")))
    sections = [
        Section("overdue", "Reviews overdue", len(overdue), "No page is overdue for review.", _by_date(overdue)),
        Section("due_soon", f"Reviews due within {SOON_DAYS} days", len(soon),
                f"No page falls due for review in the next {SOON_DAYS} days.", _by_date(soon)),
    ]
    if leaving:
        sections.append(Section("leaving", "Scheduled to come off the site", len(leaving), "", _by_date(leaving)))
    return sections
