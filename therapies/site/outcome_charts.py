"""Which charts and natural-frequency sentences a page shows of trial outcomes (charts.py draws them).

Reads outcomes already fetched (`trial.outcomes.all()` from a prefetch), so a page's queries stay the same
however many trials and outcomes it has.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import OutcomeKind
from . import charts, frequencies

COMPARE_CAVEAT = (
    "Each therapy's figures come from its own trials, which compared it with different treatments (placebo "
    "or an older medicine), in different people and different years, so the bars are not a head-to-head test."
)


@dataclass
class OutcomeView:
    outcome: object
    summary: str  # the natural-frequency sentence
    chart: charts.Chart
    icons: list[charts.Chart]


def _arm_bars(outcome, group: str = "") -> list[charts.Bar]:
    return [
        charts.Bar(group, arm["label"], arm["value"], highlight=index == 0,
                   percent=outcome.kind == OutcomeKind.PROPORTION)
        for index, arm in enumerate(outcome.arms)
        if arm.get("value") is not None
    ]


def _unit(kind: str) -> str:
    return "relapses per person per year" if kind == OutcomeKind.ARR else "people with the event"


def outcome_view(outcome, chart_id: str) -> OutcomeView:
    summary = frequencies.outcome_summary(outcome)
    if outcome.kind in OutcomeKind.ratios():
        return OutcomeView(outcome, summary, charts.ratio_chart(chart_id, outcome), [])
    name = outcome.get_kind_display()  # "Annualised relapse rate", never "… of relapses" (audit N58)
    what = name if outcome.label.lower().removesuffix("s") in name.lower() else f"{name} of {outcome.label}"
    caption = f"{what} over {outcome.time_frame}, by group"
    chart = charts.bar_chart(chart_id, _arm_bars(outcome), caption=caption, unit=_unit(outcome.kind))
    icons = []
    valued = [arm for arm in outcome.arms if arm.get("value") is not None]
    if outcome.kind == OutcomeKind.PROPORTION and len(valued) >= 2:
        first, last = valued[0], valued[-1]
        pair = charts.icon_pair(f"{chart_id}-icons", (first["label"], first["value"]),
                                (last["label"], last["value"]), what=outcome.event)
        icons = [pair] if pair else []
    return OutcomeView(outcome, summary, chart, icons)


def trial_outcome_views(outcomes) -> list[OutcomeView]:
    outcomes = sorted(outcomes, key=lambda o: o.position)
    return [outcome_view(outcome, f"outcome-{outcome.position}") for outcome in outcomes]


def primary_arr(trial):
    """The trial's annualised relapse rate outcome, the primary one first; None if it has none."""
    found = [o for o in trial.outcomes.all() if o.kind == OutcomeKind.ARR]
    return min(found, key=lambda o: (not o.is_primary, o.position), default=None)


def shared_scale_chart(chart_id: str, trials, *, caption_start: str, by_therapy: bool = False, note: str = ""):
    """Every trial's relapse rates on one scale: a therapy's trials, or several therapies' (compare)."""
    bars = []
    for trial in trials:
        outcome = primary_arr(trial)
        if outcome is not None:
            bars += _arm_bars(outcome, trial.name)
    if not bars:
        return None
    caption = f"{caption_start}, by trial and group"
    return charts.bar_chart(chart_id, bars, caption=caption, unit="relapses per person per year", note=note)
