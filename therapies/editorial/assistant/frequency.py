"""Frequency against figure: a CIOMS category its own figure contradicts, and a figure without a measure.

The CIOMS III bands (EU product information; models/content.py `Frequency`): very common ≥ 10%,
common 1 to < 10%, uncommon 0.1 to < 1%, rare 0.01 to < 0.1%, very rare < 0.01%. A figure's first
percentage ("12%", "34–40%", "<1%") or first "N in M" is read as the proportion it states; a figure
whose range overlaps no part of its category's band contradicts it ("12%" marked uncommon). The
measure rule and the "not known" rule are the models' own (`figure_errors`), read here so that a
revision saved before they existed is flagged too. Which child rows have a frequency is read from
the registry: rows whose fields include a field with the Frequency choices and a "figure".
"""

import math
import re
from collections.abc import Iterator

from ...models import Frequency, figure_errors
from .proposal import Finding, Proposal

# [low, high) in percent, per category.
BANDS: dict[str, tuple[float, float]] = {
    Frequency.VERY_COMMON: (10.0, math.inf),
    Frequency.COMMON: (1.0, 10.0),
    Frequency.UNCOMMON: (0.1, 1.0),
    Frequency.RARE: (0.01, 0.1),
    Frequency.VERY_RARE: (0.0, 0.01),
}
_EPSILON = 1e-9
# A number starts only at its first digit (never after a digit, "." or ",") and has at most 15 digits a part,
# and the gaps between words are short: each match attempt is bounded, so a long run of digits or spaces
# costs linear time (security finding N1: a run of 40,000 digits took minutes).
_FIGURE = r"(?<![\d.,])\d{1,15}(?:\.\d{1,15})?"
_PERCENT = re.compile(
    r"(?:(?P<bound>[<>≤≥]|less than|fewer than|under|below|more than|over|above)\s{0,3})?"
    rf"(?P<low>{_FIGURE})\s{{0,3}}(?:(?:–|-|to)\s{{0,3}}(?P<high>{_FIGURE})\s{{0,3}})?%",
    re.IGNORECASE,
)
_ONE_IN = re.compile(
    r"(?<![\d.,])\b(?P<count>\d[\d,]{0,20})\s{1,3}(?:in|out of)\s{1,3}(?P<total>\d[\d,]{0,20})\b", re.IGNORECASE
)


def stated_range(figure: str) -> tuple[float, float] | None:
    """The proportion, in percent, the figure's first number states, as a range (open ends moved in by a hair)."""
    found = [m for m in (_PERCENT.search(figure), _ONE_IN.search(figure)) if m]
    if not found:
        return None
    match = min(found, key=lambda m: m.start())
    if match.re is _ONE_IN:
        total = float(match["total"].replace(",", ""))
        value = 100.0 * float(match["count"].replace(",", "")) / total if total else math.inf
        return value, value
    low = float(match["low"])
    high = float(match["high"]) if match["high"] else low
    bound = (match["bound"] or "").lower()
    if bound in ("<", "≤", "less than", "fewer than", "under", "below"):
        return 0.0, low - (_EPSILON if bound not in ("≤",) else 0)
    if bound in (">", "≥", "more than", "over", "above"):
        return low + (_EPSILON if bound not in ("≥",) else 0), 100.0
    return low, high


def contradicts(frequency: str, figure: str) -> bool:
    """The figure states a proportion outside every part of the category's band."""
    band, stated = BANDS.get(frequency), stated_range(figure or "")
    if band is None or stated is None:
        return False
    return not (stated[0] < band[1] and stated[1] >= band[0])


def _band_of(value: float) -> str:
    """"very common": the category whose band holds the value, as a reader would say it."""
    name = next(name for name, (low, high) in BANDS.items() if low <= value < high)
    return Frequency(name).label.split(" (")[0].lower()


def _frequency_field(spec) -> str | None:
    names = [n for n in spec.fields if spec.model._meta.get_field(n).choices == Frequency.choices]
    return names[0] if names and "figure" in spec.fields else None


def _row_findings(row: dict, frequency: str) -> Iterator[tuple[str, str]]:
    """(field, what is wrong) for one row with a frequency."""
    figure, category = row.get("figure") or "", row.get(frequency) or ""
    yield from figure_errors(frequency=category, figure=figure, measure=row.get("measure", "")).items()
    if contradicts(category, figure):
        low, high = stated_range(figure)
        lowest, highest = _band_of(max(low, 0.0)), _band_of(min(high, 100.0))
        shown = lowest if lowest == highest else f"{lowest} to {highest}"
        label = Frequency(category).label if category in Frequency.values else category
        yield frequency, f"the figure “{figure}” contradicts its category “{label}”: by the CIOMS bands it is {shown}."


def check(proposal: Proposal) -> Iterator[Finding]:
    for spec, row, _previous in proposal.changed_rows():
        frequency = _frequency_field(spec)
        if frequency is None:
            continue
        where = f"{proposal.name}, {proposal.row_name(spec, row[spec.key])}"
        for field, message in _row_findings(row, frequency):
            yield Finding("frequency", f"{where}: {message}", proposal.revision_id, field, spec.relation, row[spec.key])
