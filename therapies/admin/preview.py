"""Render a draft exactly as its public page would look, without publishing anything.

The public templates read many-to-many values through `.all()`; the draft's
values are handed to them through Django's prefetch cache, so the same
templates render the draft and nothing is written to the live rows.
"""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..editorial.snapshots import instance_from_snapshot, m2m_fields
from ..models import Revision, Risk, Therapy, TherapyRisk, Trial
from ..site.views import risk_detail_context, therapy_detail_context, trial_detail_context


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


def render_preview(request: HttpRequest, revision: Revision) -> HttpResponse:
    live_row, draft = draft_instance(revision)
    change_request = revision.change_request
    in_request = Q(pk__in=change_request.revisions.values("object_id"))
    if isinstance(draft, Therapy):
        rows = revision.snapshot["children"].get("therapy_risks", [])
        risks = Risk.objects.in_bulk([row["risk"] for row in rows])
        links = [
            TherapyRisk(therapy=draft, risk=risks[row["risk"]], frequency=row["frequency"], figure=row["figure"],
                        boxed_warning=row.get("boxed_warning", False), notes=row["notes"])
            for row in rows
            if row["risk"] in risks
        ]
        trials = Trial.objects.filter(Q(live=True) | in_request, therapy=live_row).order_by("name")
        context = therapy_detail_context(draft, trials=list(trials), therapy_risks=links, history=[])
        template = "therapies/therapy_detail.html"
    elif isinstance(draft, Trial):
        context = trial_detail_context(draft, history=[])
        template = "therapies/trial_detail.html"
    else:
        links = TherapyRisk.objects.filter(Q(therapy__live=True), risk=live_row).select_related("therapy")
        context = risk_detail_context(draft, therapy_risks=list(links), history=[])
        template = "therapies/risk_detail.html"
    context.update(preview=True, preview_change_request=change_request, preview_revision=revision)
    return render(request, template, context)
