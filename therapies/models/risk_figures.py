"""The rules a therapy–risk figure follows (DESIGN.md "Medical content"), and the one reading of the
percentage a figure states, shared by the rules and by every page that draws or compares it.

A figure says what it counts (its measure); "not known" states no number; a comparator's figure says
which group it is from; and a frequency badge is the category of the figure's own measure: a figure
outside its category's band is refused unless the editor names what the label's category counts instead
("ALT increased, any degree: very common" beside "ALT at least 3 times normal: 8%").
"""

from __future__ import annotations

import math
import re

from django.utils.text import capfirst

from .content import Frequency

# [low, high) in percent, per category (CIOMS III, EU product information): very common ≥ 10%, common 1
# to < 10%, uncommon 0.1 to < 1%, rare 0.01 to < 0.1%, very rare < 0.01%.
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
# costs linear time (security finding N1: a run of 40,000 digits took minutes on the review page).
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
    """The proportion, in percent, the figure's first number states, as a range (open ends moved in by a
    hair): "12%", "34–40%", "<1%" or a first "N in M"; None when it states none."""
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


def band_error(frequency: str, figure: str) -> str:
    """Why a figure cannot sit under this category's badge, or "" when it can (or states no proportion)."""
    if not contradicts(frequency, figure):
        return ""
    low, high = stated_range(figure)
    lowest, highest = _band_of(max(low, 0.0)), _band_of(min(high, 100.0))
    shown = lowest if lowest == highest else f"{lowest} to {highest}"
    label = Frequency(frequency).label if frequency in Frequency.values else frequency
    return (
        f"the figure “{figure}” contradicts its category “{label}”: by the CIOMS bands it is {shown}. Choose "
        "the category of the figure's own measure or, where the label's category counts something else, "
        "say what in “What the category counts”."
    )


# The fields of a therapy–risk row the rules read.
FIGURE_FIELDS = ("frequency", "figure", "measure", "comparator", "comparator_figure", "category_counts")


def _comparator_errors(figure: str, comparator: str, comparator_figure: str) -> dict[str, str]:
    errors = {}
    if comparator_figure.strip() and not comparator.strip():
        errors["comparator"] = "Say which group the comparator figure is from: “placebo”, or the drug by name."
    if comparator.strip() and not comparator_figure.strip():
        errors["comparator_figure"] = "Give the comparison group's figure, or leave the group empty."
    if comparator_figure.strip() and not any(ch.isdigit() for ch in comparator_figure):
        errors["comparator_figure"] = "Give the comparison group's figure as a number, for example “52%”."
    if comparator_figure.strip() and not figure.strip():
        errors["figure"] = "A comparator's figure stands beside the therapy's own: give the therapy's figure too."
    return errors


def figure_errors(
    *,
    frequency: str,
    figure: str,
    measure: str,
    comparator: str = "",
    comparator_figure: str = "",
    category_counts: str = "",
) -> dict[str, str]:
    """What is wrong with a therapy–risk figure, by field: the rules of DESIGN.md "Medical content".

    A figure says what it counts (its measure), so compare never sets a measure of one thing beside
    a measure of another; and "not known" means the label gives no frequency, so its figure states no
    number (a count of reports goes in the notes, where it is not read as a rate).
    """
    figure, measure = figure or "", measure or ""
    errors = _comparator_errors(figure, comparator or "", comparator_figure or "")
    if figure.strip() and not measure.strip():
        errors["measure"] = "Say what the figure counts, in which people and over what time, and from which source."
    if frequency == Frequency.NOT_KNOWN and any(ch.isdigit() for ch in figure):
        errors["figure"] = (
            "“Not known” means the label gives no frequency, so the figure cannot state a number: choose the "
            "label's category, or move a count of reported cases into the notes."
        )
    if not (category_counts or "").strip() and (problem := band_error(frequency, figure)):
        errors["frequency"] = capfirst(problem)
    return errors
