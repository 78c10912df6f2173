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
from .fact_box import row_label as fact_box_label
from .fragments import LazyRows
from .outcome_charts import primary_arr, shared_scale_chart

IMPORTANT_SEVERITIES = (Severity.LIFE_THREATENING, Severity.SERIOUS)
MAX_GLANCE_RISKS = 4  # boxed warnings are never left out: with more of them, all are listed and no others
SHORT_WORD = 8  # a bracketed everyday word the glance uses instead of the name: "cancer"
SEVERITY_RANK = {Severity.LIFE_THREATENING: 0, Severity.SERIOUS: 1, Severity.MODERATE: 2, Severity.MILD: 3}


@dataclass
class TrialResult:
    trials: list
    summary: str


@dataclass
class RiskLine:
    link: object
    label: str  # the risk's name as the glance says it: "PML", "Cancer"


def _main_outcome(trial):
    """A primary outcome (its relapse rate first, where that was primary), else the relapse rate; or none."""
    primary = [o for o in trial.outcomes.all() if o.is_primary]
    if primary:
        return min(primary, key=lambda o: (o.kind != OutcomeKind.ARR, o.position))
    return primary_arr(trial)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def result_words(outcome, drug: str) -> str:
    """The direction of a main outcome in words, without its numbers (those are in the fact box): "people had
    fewer relapses on ocrelizumab than on interferon beta-1a"."""
    comparator = _lower(outcome.arms[-1]["label"])
    if outcome.is_ratio:
        change = frequencies.percent_change(outcome.ratio)
        size = "lower" if change > 0 else "higher" if change < 0 else "the same"
        return f"people had a {size} risk of {outcome.label} on {drug} than on {comparator}"
    valued = [arm["value"] for arm in outcome.arms if arm.get("value") is not None]
    first, last = valued[0], valued[-1]
    fewer = "fewer" if first < last else "more" if first > last else "as many"
    if outcome.kind == OutcomeKind.ARR:
        return f"people had {fewer} relapses on {drug} than on {comparator}"
    return f"{fewer} people on {drug} than on {comparator} {outcome.event}"


def _last_sentence(text: str) -> str:
    sentences = [part.strip() for part in text.replace("\n", " ").split(". ") if part.strip()]
    last = sentences[-1] if sentences else ""
    return last if last.endswith(".") else f"{last}."


def trial_results(trials, therapy_name: str) -> list[TrialResult]:
    """Each main trial's result in words, trials with the same result said once: "In OPERA I and OPERA II, …".
    A trial with no stored outcome is said in its reviewed summary's last sentence."""
    grouped: dict[str, list] = {}
    for trial in trials:
        outcome = _main_outcome(trial)
        if outcome is not None:
            trial.outcome_words = frequencies.outcome_summary(outcome)  # the trial's card shows it too
            words = result_words(outcome, therapy_name.lower()) + "."
        else:
            words = _last_sentence(trial.summary)
            if not words.strip(". "):
                continue
            words = _lower(words)
        grouped.setdefault(words, []).append(trial)
    return [TrialResult(group, words) for words, group in grouped.items()]


def glance_label(risk) -> str:
    """A risk's name as the glance says it: an abbreviation named in brackets ("PML"), else the name before
    any brackets ("Secondary autoimmunity"), or the everyday word in them where that is shorter ("cancer")."""
    name = risk.name
    if "(" not in name:
        return name
    outer, inner = name.split("(", 1)
    outer, inner = outer.strip(), inner.rstrip(")").strip()
    if inner.isupper():
        return inner
    short = len(inner) <= SHORT_WORD and " " not in inner  # "Malignancy (cancer)", not "… (lymphopenia)"
    return inner[:1].upper() + inner[1:] if short else outer


def important_risks(therapy_risks) -> list[RiskLine]:
    """Every boxed warning first, then the other serious risks by seriousness, then how often (never by
    frequency alone); at most MAX_GLANCE_RISKS unless there are more boxed warnings than that."""
    links = list(therapy_risks)  # most frequent first
    boxed = [link for link in links if link.boxed_warning]
    serious = [link for link in links if not link.boxed_warning and link.risk.severity in IMPORTANT_SEVERITIES]
    serious.sort(key=lambda link: SEVERITY_RANK[link.risk.severity])  # stable: frequency within a severity
    boxed.sort(key=lambda link: SEVERITY_RANK[link.risk.severity])
    chosen = boxed + serious[: max(0, MAX_GLANCE_RISKS - len(boxed))]
    return [RiskLine(link, glance_label(link.risk)) for link in chosen]


def risk_icon_arrays(therapy_risks, therapy_name: str) -> list[charts.Chart]:
    """"Out of 100 people" pictures in pairs: the therapy's figure and its comparator's, where both state a
    single percentage of 1% or more (a figure without a comparator has none: its fact box row says so)."""
    found = []
    for link in therapy_risks:
        figure, comparator = frequencies.risk_figure(link.figure), frequencies.risk_figure(link.comparator_figure)
        if figure is None or comparator is None or figure.is_range or comparator.is_range:
            continue
        what = f"had {_lower(fact_box_label(link))}"
        chart = charts.icon_pair(f"risk-icons-{link.risk.slug}", (therapy_name, figure.low),
                                 (link.comparator[:1].upper() + link.comparator[1:], comparator.low), what=what)
        if chart:
            found.append(chart)
    return found


def therapy_page_extras(therapy, *, trials, therapy_risks) -> dict:
    """Computed when first read: a page served from its fragments (site/fragments.py) reads no rows for them.
    "At a glance" comes before the trial cards on the page, so its results give the cards their words."""
    name = therapy.name
    return {
        "glance_results": LazyRows(lambda: trial_results(trials, name)),
        "glance_risks": LazyRows(lambda: important_risks(therapy_risks)),
        "trials_chart": SimpleLazyObject(lambda: shared_scale_chart(
            "trials-chart", trials, caption_start=f"Relapses a year in the trials of {name}, on one scale"
        )),
        "risk_icons": LazyRows(lambda: risk_icon_arrays(therapy_risks, name)),
        "fact_boxes": LazyRows(lambda: fact_boxes(trials, therapy_risks, therapy_name=name)),
    }
