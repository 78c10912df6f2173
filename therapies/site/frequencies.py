"""Natural frequencies: a trial outcome's stored numbers, said in everyday words.

Every sentence here is computed from the numbers a reviewer approved (models/outcomes.py), never typed a
second time: an annualised relapse rate of 0.16 reads "about 16 relapses a year for every 100 people", a
proportion of 0.33 "about 33 in 100 people …", a hazard ratio of 0.76 "a 24% lower risk of … than with
placebo". Small numbers move to a larger group rather than rounding to nothing: 0.004 is "about 4 in
1,000", never "about 0 in 100".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..models import OutcomeKind

GROUPS = (100, 1_000, 10_000, 100_000)


def _round(value: float | Decimal) -> int:
    """Half up, as people round (Python's round() would give 16 for 16.5)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Natural:
    """`count` in `out_of`: 16 in 100."""

    count: int
    out_of: int

    @property
    def out_of_text(self) -> str:
        return f"{self.out_of:,}"

    def __str__(self) -> str:
        return f"{self.count:,} in {self.out_of_text}"


def natural(value: float) -> Natural:
    """A rate or proportion as a whole count in the smallest group of 100, 1,000, … where it is at least 1."""
    exact = Decimal(str(value))
    for group in GROUPS:
        count = _round(exact * group)
        if count >= 1:
            return Natural(count, group)
    return Natural(0, GROUPS[-1])


def _about(count: int) -> str:
    return "about" if count else "fewer than 1"


def arr_sentence(value: float) -> str:
    """0.16 → "about 16 relapses a year for every 100 people"."""
    n = natural(value)
    if n.count == 0:
        return f"fewer than 1 relapse a year for every {n.out_of_text} people"
    noun = "relapse" if n.count == 1 else "relapses"
    return f"about {n.count:,} {noun} a year for every {n.out_of_text} people"


def proportion_sentence(value: float, event: str) -> str:
    """0.33, "had a relapse" → "about 33 in 100 people had a relapse"."""
    n = natural(value)
    if n.count == 0:
        return f"fewer than 1 in {n.out_of_text} people {event}"
    return f"about {n} people {event}"


def percent_change(ratio: float) -> int:
    """How much lower (positive) or higher (negative) a ratio is, in whole percent: 0.76 → 24, 1.3 → -30."""
    return _round((Decimal(1) - Decimal(str(ratio))) * 100)


def _change_words(ratio: float) -> str:
    change = percent_change(ratio)
    if change == 0:
        return "no difference in the"
    return f"a {abs(change)}% {'lower' if change > 0 else 'higher'}"


def ratio_sentence(*, kind: str, ratio: float, label: str, therapy_arm: str, comparator_arm: str) -> str:
    """A hazard or rate ratio in words: "With Ocrelizumab, a 24% lower risk of … than with Placebo"."""
    measure = "rate" if kind == OutcomeKind.RATE_RATIO else "risk"
    return f"With {therapy_arm}, {_change_words(ratio)} {measure} of {label} than with {comparator_arm}"


def interval_sentence(*, lower: float, upper: float, level: int) -> str:
    """The confidence interval in words: "the true difference is likely to lie between 41% lower and 2% lower"."""

    def side(ratio: float) -> str:
        change = percent_change(ratio)
        return "no difference" if change == 0 else f"{abs(change)}% {'lower' if change > 0 else 'higher'}"

    return f"the trial's {level}% confidence interval runs from {side(upper)} to {side(lower)}"


@dataclass(frozen=True)
class ArmLine:
    arm: str
    value: float
    n: int | None
    words: str  # "about 16 relapses a year for every 100 people"


def arm_lines(outcome) -> list[ArmLine]:
    """Each arm's value in words (none for a ratio, whose arms carry no value)."""
    lines = []
    for arm in outcome.arms:
        value = arm.get("value")
        if value is None:
            continue
        if outcome.kind == OutcomeKind.ARR:
            words = arr_sentence(value)
        else:
            words = proportion_sentence(value, outcome.event)
        lines.append(ArmLine(arm["label"], value, arm.get("n"), words))
    return lines


def outcome_summary(outcome) -> str:
    """One sentence for the whole outcome, as the trial, therapy and at-a-glance sections print it."""
    if outcome.kind in OutcomeKind.ratios():
        first, second = outcome.arms[0]["label"], outcome.arms[1]["label"]
        main = ratio_sentence(kind=outcome.kind, ratio=outcome.ratio, label=outcome.label, therapy_arm=first,
                              comparator_arm=second)
        interval = interval_sentence(lower=outcome.ci_lower, upper=outcome.ci_upper, level=outcome.ci_level)
        return f"{main} ({interval})."
    parts = [f"{line.arm}: {line.words}" for line in arm_lines(outcome)]
    return "; ".join(parts) + "."


# --- Risk figures ---------------------------------------------------------------------------------------

_PERCENT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*(?:[–-]\s*(\d{1,3}(?:\.\d+)?)\s*)?%")


@dataclass(frozen=True)
class RiskFigure:
    """The first percentage of a therapy–risk figure (the therapy's own; a "vs …" after it is the comparator)."""

    low: float  # as a fraction: 0.24
    high: float  # the same as low unless the figure is a range ("34–40%")

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    @property
    def words(self) -> str:
        """"about 24 in 100 people (about 1 in 4)" or "between 34 and 40 in 100 people"."""
        if self.is_range:
            low, high = natural(self.low), natural(self.high)
            if low.out_of == high.out_of:
                return f"between {low.count:,} and {high.count:,} in {high.out_of_text} people"
            return f"between {low} and {high} people"
        text = f"about {natural(self.low)} people"
        one = one_in(self.low)
        return f"{text} ({one})" if one else text


def risk_figure(figure: str) -> RiskFigure | None:
    """The first percentage in a figure's text, or None if it states none: "24% vs 18% on placebo" → 0.24."""
    match = _PERCENT.search(figure or "")
    if not match:
        return None
    low = float(match.group(1)) / 100
    high = float(match.group(2)) / 100 if match.group(2) else low
    if not 0 <= low <= high <= 1:
        return None
    return RiskFigure(low, high)


def one_in(value: float) -> str:
    """"about 1 in 4" for 0.24; empty where it would mislead (half or more, or zero)."""
    if not 0 < value < 0.5:
        return ""
    return f"about 1 in {_round(1 / Decimal(str(value))):,}"
