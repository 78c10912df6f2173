"""Numbers against the data (issue 24): each number a change adds to its text, compared with the figures stored
for the object — a trial's number randomised and its outcomes (each arm's value and size, the ratio and its
confidence limits, the relative difference between the arms), a therapy's risk figures and its trials' outcomes,
a risk's figures on each therapy, comparators and durations.

A number that matches none (at the precision it is written: "46%" is 45.5 to 46.5) is flagged "check this number
against its source". A percentage said as a difference ("46% lower", "47% fewer", "a 30% reduction") that matches
no stored difference is a contradiction, named with the stored figure nearest to it. The stored figures are the
ones the reviewer approved with their sources; a sentence that repeats them wrongly is what this catches (a new
sentence in "When to get urgent help" passed unflagged because the page cited sources elsewhere).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ...models import Risk, Therapy, TherapyRisk, Trial
from ...models.outcomes import TrialOutcome
from .proposal import Finding, Proposal, TextChange, added_matches

# A number starts at its first digit and has a bounded length, so a run of 40,000 digits (or "1." / "1,") costs
# linear time, not quadratic (issue 23, N1; the same bound as unsourced_numbers._NUMBER).
_START = r"(?<![\d.,])"
_NUMBER = _START + r"\d{1,15}(?:,\d{3}){0,5}(?:\.\d{1,15})?"
# A percentage, a decimal (0.16, 0.54) or a count of people: the figures a sentence can get wrong.
NUMBERS = re.compile(
    rf"(?P<value>{_NUMBER})\s?(?P<unit>%|per ?cent\b)(?:\s+(?P<diff>lower|fewer|less|reduction|reduced|decrease|"
    rf"higher|more|increase|greater))?"
    rf"|{_START}(?P<decimal>\d{{1,15}}\.\d{{1,15}})\b"
    rf"|\b(?P<count>{_NUMBER})\s+(?:people|patients|participants|adults|children|women|men)\b",
    re.IGNORECASE,
)
DIFFERENCE_BEFORE = re.compile(r"(?:reduc\w*|lower\w*|cut|decrease\w*|fell|by)\s+(?:of\s+|by\s+)?$", re.IGNORECASE)
# Fields and child rows that are the data themselves, not text about it.
DATA_FIELDS = frozenset({"figure", "number_randomised"})
DATA_ROWS = frozenset({"outcomes"})


@dataclass(frozen=True)
class Mention:
    text: str  # as written: "46% lower"
    value: float  # 46.0
    precision: float  # half a unit of its last digit: 0.5 for "46%", 0.005 for "0.16"
    difference: bool  # said as a difference between groups

    def matches(self, figure: float) -> bool:
        return abs(self.value - figure) <= self.precision + 1e-9


@dataclass
class Figures:
    """The object's stored figures: `values` as they may be quoted, `differences` in percent between groups."""

    values: set[float]
    differences: dict[float, str]  # percentage → what it is ("relapses, OPERA I")


def _float(raw: str) -> float:
    return float(raw.replace(",", ""))


def _precision(raw: str) -> float:
    decimals = len(raw.split(".", 1)[1]) if "." in raw else 0
    return 0.5 * 10 ** -decimals


def mentions(text: str) -> list[Mention]:
    found = []
    for match in NUMBERS.finditer(text):
        raw = match.group("value") or match.group("decimal") or match.group("count")
        difference = bool(match.group("diff")) or (
            bool(match.group("unit")) and bool(DIFFERENCE_BEFORE.search(text[max(0, match.start() - 40):match.start()]))
        )
        found.append(Mention(" ".join(match.group(0).split()), _float(raw), _precision(raw), difference))
    return found


def numbers_in(text: str) -> list[float]:
    """Every number written in `text`, for the figures stored as text (a risk's "92% (3% serious)")."""
    return [_float(raw) for raw in re.findall(_NUMBER, text or "")]


def _outcome_figures(outcome: dict, where: str, figures: Figures, randomised: int | None = None) -> None:
    arms = [arm for arm in outcome.get("arms") or [] if isinstance(arm, dict)]
    values = [arm.get("value") for arm in arms if isinstance(arm.get("value"), int | float)]
    proportion = outcome.get("kind") == "proportion"
    for value in values:
        figures.values.update({value, value * 100} if proportion else {value})
    figures.values.update(arm["n"] for arm in arms if isinstance(arm.get("n"), int))
    for name in ("ratio", "ci_lower", "ci_upper"):
        value = outcome.get(name)
        if isinstance(value, int | float):
            figures.values.add(value)
            figures.differences[round((1 - value) * 100, 4)] = f"{where} ({name.replace('_', ' ')} {value})"
    if len(values) >= 2 and values[1]:
        figures.differences[round((1 - values[0] / values[1]) * 100, 4)] = f"{where} ({values[0]} against {values[1]})"
        if proportion:
            figures.values.add(abs(values[0] - values[1]) * 100)  # the difference in points
    if randomised:
        figures.values.add(randomised)


def _trial_figures(fields: dict, outcomes: Iterable[dict], figures: Figures) -> None:
    name = fields.get("name") or "the trial"
    if isinstance(fields.get("number_randomised"), int):
        figures.values.add(fields["number_randomised"])
    for text_field in ("comparator", "duration"):
        figures.values.update(numbers_in(fields.get(text_field) or ""))
    for outcome in outcomes:
        _outcome_figures(outcome, f"“{outcome.get('label', 'outcome')}”, {name}", figures)


def stored_figures(proposal: Proposal) -> Figures | None:
    """The figures this object's text may quote; None for a kind that stores none (a source, an editorial text)."""
    figures = Figures(set(), {})
    snapshot = proposal.snapshot
    if proposal.model is Trial:
        _trial_figures(snapshot.get("fields", {}), snapshot.get("children", {}).get("outcomes", []), figures)
    elif proposal.model is Therapy:
        for row in snapshot.get("children", {}).get("therapy_risks", []):
            figures.values.update(numbers_in(row.get("figure", "")))
        trials = Trial.objects.filter(therapy_id=proposal.object_id).values("id", "name", "number_randomised",
                                                                            "comparator", "duration")
        by_trial = {trial["id"]: trial for trial in trials}
        outcomes: dict[int, list[dict]] = {pk: [] for pk in by_trial}
        fields = ("trial_id", "label", "kind", "arms", "ratio", "ci_lower", "ci_upper")
        for outcome in TrialOutcome.objects.filter(trial_id__in=list(by_trial)).values(*fields):
            outcomes[outcome["trial_id"]].append(outcome)
        for pk, trial in by_trial.items():
            _trial_figures(trial, outcomes[pk], figures)
    elif proposal.model is Risk:
        for figure in TherapyRisk.objects.filter(risk_id=proposal.object_id).values_list("figure", flat=True):
            figures.values.update(numbers_in(figure))
    else:
        return None
    return figures


def _nearest(mention: Mention, differences: dict[float, str]) -> tuple[float, str]:
    figure = min(differences, key=lambda value: abs(value - mention.value))
    return figure, differences[figure]


def _shown(figure: float, mention: Mention) -> str:
    decimals = len(mention.text.split("%")[0].split(".", 1)[1]) if "." in mention.text.split("%")[0] else 0
    return f"{figure:.{decimals}f}%"


def _finding(proposal: Proposal, text: TextChange, mention: Mention, figures: Figures) -> Finding | None:
    every = figures.values | set(figures.differences)
    if any(mention.matches(figure) for figure in every):
        return None
    if mention.difference and figures.differences:
        figure, what = _nearest(mention, figures.differences)
        return text.finding(
            "contradiction",
            f"{proposal.name}, {text.where}: says “{mention.text}”, but the stored outcome {what} gives "
            f"{_shown(figure, mention)}. Check which is right against the source.",
            proposal,
        )
    return text.finding(
        "data",
        f"{proposal.name}, {text.where}: “{mention.text}” matches none of the figures stored for this "
        f"{proposal.kind.verbose_name}. Check this number against its source.",
        proposal,
    )


def check(proposal: Proposal) -> Iterator[Finding]:
    texts = [text for text in proposal.changed_texts
             if text.field.name not in DATA_FIELDS and text.relation not in DATA_ROWS]
    if not texts:
        return
    figures = stored_figures(proposal)
    if figures is None:
        return
    for text in texts:
        new = mentions(text.new)
        added = set(added_matches([m.text for m in new], [m.text for m in mentions(text.old)]))
        for mention in dict.fromkeys(m for m in new if m.text in added):  # once each, in the text's order
            finding = _finding(proposal, text, mention, figures)
            if finding is not None:
                yield finding
