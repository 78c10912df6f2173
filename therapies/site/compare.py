"""Side-by-side comparison of two to four live therapies (/compare/?t=ocrelizumab&t=fingolimod).

`build_comparison()` reads the requested slugs, reports every problem in the
reader's words (unknown, repeated, too many) and still shows the valid ones.
It runs a fixed number of queries whatever the number of therapies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import Frequency, Therapy, TherapyRisk, Trial
from .charts import Chart
from .outcome_charts import COMPARE_CAVEAT, shared_scale_chart

MIN_THERAPIES = 2
MAX_THERAPIES = 4


@dataclass
class Comparison:
    therapies: list[Therapy] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    # Live therapies not shown yet, as (slug, name), for the "Add a therapy" select.
    addable: list[tuple[str, str]] = field(default_factory=list)
    all_choices: list[tuple[str, str]] = field(default_factory=list)
    relapse_chart: Chart | None = None  # the therapies' trial relapse rates on one scale (outcome_charts.py)

    @property
    def slugs(self) -> list[str]:
        return [t.slug for t in self.therapies]

    @property
    def can_add(self) -> bool:
        return len(self.therapies) < MAX_THERAPIES and bool(self.addable)

    @property
    def is_complete(self) -> bool:
        return len(self.therapies) >= MIN_THERAPIES


def build_comparison(requested: list[str]) -> Comparison:
    comparison = Comparison()
    all_live = list(Therapy.objects.live().only("name", "slug").order_by("name"))
    names = {t.slug: t.name for t in all_live}
    comparison.all_choices = [(t.slug, t.name) for t in all_live]

    wanted: list[str] = []
    unknown: list[str] = []
    repeated: list[str] = []
    for raw in requested:
        slug = raw.strip().lower()
        if not slug:
            continue
        if slug not in names:
            unknown.append(raw.strip()[:60])
        elif slug in wanted:
            if names[slug] not in repeated:
                repeated.append(names[slug])
        else:
            wanted.append(slug)
    for value in unknown:
        comparison.messages.append(
            f"We couldn't find a therapy called “{value}”, so it is not in the table. Choose one from the list."
        )
    for name in repeated:
        comparison.messages.append(f"{name} was chosen more than once; it is shown once.")
    if len(wanted) > MAX_THERAPIES:
        left_out = ", ".join(names[s] for s in wanted[MAX_THERAPIES:])
        comparison.messages.append(
            f"You can compare up to {MAX_THERAPIES} therapies at a time, so these were left out: {left_out}. "
            "Remove one to add another."
        )
        wanted = wanted[:MAX_THERAPIES]

    if wanted:
        rows = (
            Therapy.objects.live()
            .filter(slug__in=wanted)
            .prefetch_related(
                "routes",
                "approved_indications",
                Prefetch(
                    "trials",
                    queryset=Trial.objects.live().select_related("therapy").prefetch_related("outcomes").order_by("name"),
                    to_attr="live_trials",
                ),
                Prefetch(
                    "therapy_risks",
                    queryset=TherapyRisk.objects.live().select_related("risk"),
                    to_attr="live_risks",
                ),
            )
        )
        by_slug = {t.slug: t for t in rows}
        comparison.therapies = [by_slug[s] for s in wanted if s in by_slug]
        for therapy in comparison.therapies:
            therapy.live_risks = Frequency.most_frequent_first(therapy.live_risks, then=lambda link: link.risk.name)
    trials = [trial for therapy in comparison.therapies for trial in therapy.live_trials]
    comparison.relapse_chart = shared_scale_chart(
        "compare-relapses", trials, by_therapy=True, note=COMPARE_CAVEAT,
        caption_start="Relapses a year in each therapy's trials, on one scale",
    )
    shown = set(comparison.slugs)
    comparison.addable = [(slug, name) for slug, name in comparison.all_choices if slug not in shown]
    return comparison


def without(slugs: list[str], slug: str) -> list[str]:
    return [s for s in slugs if s != slug]
