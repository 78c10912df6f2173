"""Render a draft exactly as its public page would look, without publishing anything.

The public templates read many-to-many values through `.all()`; the draft's
values are handed to them through Django's prefetch cache, so the same
templates render the draft and nothing is written to the live rows.

Each content kind with a page registers its preview-context builder in the admin wing's entry for it
(admin/kinds.py, `AdminParts.preview`; the builders are below) and its page template in the site's
(site/kinds.py, `SiteParts.template`).
"""

from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ..editorial.snapshots import child_instance, instance_from_snapshot, m2m_fields
from ..models import ChangeRequest, Revision, Risk, Therapy, TherapyRisk, Trial, kind_for
from ..models.querysets import live_q
from ..site.kind_parts import SITE
from ..site.views import risk_detail_context, therapy_detail_context, trial_detail_context
from .kind_parts import ADMIN


def draft_instance(revision: Revision):
    """An unsaved object carrying the draft's fields and many-to-many values."""
    model = revision.content_type.model_class()
    live_row = model.objects.get(pk=revision.object_id)
    draft = instance_from_snapshot(model, revision.snapshot, live_row)
    draft._prefetched_objects_cache = {
        field.name: field.related_model.objects.filter(pk__in=revision.snapshot["m2m"].get(field.name, []))
        for field in m2m_fields(model)
    }
    return live_row, draft


def in_change_request(change_request: ChangeRequest, model: type[models.Model]) -> models.Q:
    """Rows of `model` that this change request drafts. Matched on content type *and* id: an id alone
    would also match an unrelated row of another kind that happens to share it."""
    drafted = change_request.revisions.filter(content_type=kind_for(model).content_type()).values("object_id")
    return models.Q(pk__in=drafted)


def therapy_context(draft: Therapy, *, live_row: Therapy, revision: Revision) -> dict:
    """A therapy with its drafted risk rows, and its trials: live ones and those drafted alongside it."""
    spec = kind_for(Therapy).child("therapy_risks")
    rows = revision.snapshot["children"].get("therapy_risks", [])
    risks = Risk.objects.in_bulk([row["risk"] for row in rows])
    links = []
    for row in rows:
        if row["risk"] in risks:
            link = child_instance(spec, row, draft)
            link.risk = risks[row["risk"]]
            links.append(link)
    trials = Trial.objects.filter(live_q() | in_change_request(revision.change_request, Trial), therapy=live_row)
    trials = trials.select_related("therapy").prefetch_related("outcomes").order_by("name")
    return therapy_detail_context(draft, trials=list(trials), therapy_risks=links, history=[])


def trial_context(draft: Trial, *, live_row: Trial, revision: Revision) -> dict:
    """A trial with its drafted outcomes."""
    spec = kind_for(Trial).child("outcomes")
    outcomes = [child_instance(spec, row, draft) for row in revision.snapshot["children"].get("outcomes", [])]
    return trial_detail_context(draft, history=[], outcomes=outcomes)


def risk_context(draft: Risk, *, live_row: Risk, revision: Revision) -> dict:
    links = TherapyRisk.objects.filter(live_q("therapy__"), risk=live_row).select_related("therapy")
    return risk_detail_context(draft, therapy_risks=list(links), history=[])


def render_preview(request: HttpRequest, revision: Revision) -> HttpResponse:
    live_row, draft = draft_instance(revision)
    kind = kind_for(draft)
    if not kind.has_page:
        raise Http404(f"A {kind.verbose_name} has no public page of its own to preview.")
    context = ADMIN.of(kind).preview(draft, live_row=live_row, revision=revision)
    context.update(preview=True, preview_change_request=revision.change_request, preview_revision=revision)
    return render(request, SITE.of(kind).template, context)
