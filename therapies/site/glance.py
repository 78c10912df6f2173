"""The therapy page's "At a glance": how it is given, how well it worked, its main risks, monitoring and
pregnancy, each from reviewed content (the sections' own leads, trial outcomes, risk links), each linking
to its section. Also the page's outcome chart and the icon arrays of its risk figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from ..models import OutcomeKind, Severity
from . import charts, frequencies
from .fact_box import fact_boxes
from .fragments import LazyRows
from .outcome_charts import primary_arr, shared_scale_chart

IMPORTANT_SEVERITIES = (Severity.LIFE_THREATENING, Severity.SERIOUS)
MAX_GLANCE_RISKS = 4


@dataclass
class TrialResult:
    trial: object
    summary: str


@dataclass
class RiskLine:
    link: object
    figure: frequencies.RiskFigure | None


def _main_outcome(trial):
    """A primary outcome (its relapse rate first, where that was primary), else the relapse rate; or none."""
    primary = [o for o in trial.outcomes.all() if o.is_primary]
    if primary:
        return min(primary, key=lambda o: (o.kind != OutcomeKind.ARR, o.position))
    return primary_arr(trial)


def trial_results(trials) -> list[TrialResult]:
    results = []
    for trial in trials:
        outcome = _main_outcome(trial)
        if outcome is not None:
            trial.outcome_words = frequencies.outcome_summary(outcome)  # the trial's card shows it too
            results.append(TrialResult(trial, trial.outcome_words))
    return results


def important_risks(therapy_risks) -> list[RiskLine]:
    """Boxed warnings and serious risks, most frequent first (the list arrives in that order)."""
    chosen = [
        link for link in therapy_risks if link.boxed_warning or link.risk.severity in IMPORTANT_SEVERITIES
    ][:MAX_GLANCE_RISKS]
    return [RiskLine(link, frequencies.risk_figure(link.figure)) for link in chosen]


def risk_icon_arrays(therapy_risks) -> list[charts.Chart]:
    """An "out of 100 people" picture for each risk whose figure states a single percentage of 1% or more."""
    found = []
    for link in therapy_risks:
        figure = frequencies.risk_figure(link.figure)
        if figure is None or figure.is_range:
            continue
        chart = charts.icon_array(f"risk-icons-{link.risk.slug}", figure.low, who=link.risk.name, what="had it",
                                  counts=link.measure)
        if chart:
            found.append(chart)
    return found


def therapy_page_extras(therapy, *, trials, therapy_risks) -> dict:
    """Computed when first read: a page served from its fragments (site/fragments.py) reads no rows for them.
    "At a glance" comes before the trial cards on the page, so its results give the cards their words."""
    name = therapy.name
    return {
        "glance_results": LazyRows(lambda: trial_results(trials)),
        "glance_risks": LazyRows(lambda: important_risks(therapy_risks)),
        "trials_chart": SimpleLazyObject(lambda: shared_scale_chart(
            "trials-chart", trials, caption_start=f"Relapses a year in the trials of {name}, on one scale"
        )),
        "risk_icons": LazyRows(lambda: risk_icon_arrays(therapy_risks)),
        "fact_boxes": LazyRows(lambda: fact_boxes(trials, therapy_risks)),
    }
