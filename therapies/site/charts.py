"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, nothing the CSP would refuse.

Each chart is a `Chart`: the SVG (colours come from classes in static/css/charts.css, never a style
attribute), a short caption saying what it shows (the sentence with the numbers is the page's own text,
never repeated), and the rows of a table holding the same numbers, which
templates/therapies/includes/_chart.html prints in the same figure. The SVG is `role="img"`, named by the
caption (aria-labelledby), and scales to the width of a phone (a viewBox, width 100%). It is drawn
WIDTH units wide, about a phone's content width, so its 13-unit text is at least 12 CSS px on a 375 px
phone: labels sit above their bars rather than beside them.

    bar_chart   values per arm on one labelled scale (a trial; a therapy's trials; the compare page)
    ratio_chart a hazard or rate ratio with its confidence interval, against the line of no difference
    icon_pair   "out of 100 people": the drug's group and its comparator's, side by side on grids of 100,
                with the difference in words
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from . import frequencies

WIDTH = 340  # a 375 px phone's content width, so that 13 units of text are at least 12 CSS px there
LABEL_CHARACTERS = 44  # an arm's name above its bar, at 13 px
ROW = 46  # a label line and a bar
TOP = 4
AXIS = 36  # room for the scale under the bars


@dataclass(frozen=True)
class Bar:
    group: str  # the trial, or the therapy on the compare page ("OPERA I")
    label: str  # the arm ("Ocrelizumab")
    value: float
    highlight: bool = False  # the therapy's own arm, drawn dark; comparators light
    percent: bool = False  # a proportion, shown as a percentage (0.329 → "32.9%")

    @property
    def value_text(self) -> str:
        return _number_text(self.value, self.percent)


def _number_text(value: float, percent: bool) -> str:
    return f"{round(value * 100, 4):g}%" if percent else f"{value:g}"


@dataclass
class Chart:
    id: str
    caption: str
    svg: SafeString
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    note: str = ""  # a caveat printed with the caption (compare: different trials, comparators and years)

    @property
    def caption_id(self) -> str:
        return f"{self.id}-caption"


def _nice_max(value: float) -> float:
    """The end of the scale: the next 1, 2 or 5 step above the largest value (0.39 → 0.4, 0.67 → 1)."""
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for multiple in (1, 2, 2.5, 5, 10):
        if value <= multiple * step + 1e-12:
            return multiple * step
    return 10 * step


def _ticks(scale_max: float) -> list[float]:
    """Four or five even steps: 0, 0.1 … 0.5; 0, 0.2 … 1; 0, 0.5 … 2."""
    leading = scale_max / 10 ** math.floor(math.log10(scale_max))
    steps = 4 if round(leading, 6) == 2 else 5
    return [round(scale_max * i / steps, 6) for i in range(steps + 1)]


def _svg(height: int, caption_id: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        WIDTH, height, caption_id, body,
    )


def _axis(y: int, scale_max: float, x0: int, span: int, unit: str, percent: bool = False) -> SafeString:
    ticks = format_html_join(
        "",
        '<line class="chart-grid" x1="{0}" x2="{0}" y1="{1}" y2="{2}"></line>'
        '<text class="chart-tick" x="{0}" y="{3}" text-anchor="middle">{4}</text>',
        ((x0 + round(span * t / scale_max), TOP, y, y + 16, _number_text(t, percent)) for t in _ticks(scale_max)),
    )
    return format_html(
        '{}<text class="chart-unit" x="{}" y="{}" text-anchor="end">{}</text>', ticks, x0 + span, y + 33, unit
    )


def bar_chart(chart_id: str, bars: list[Bar], *, caption: str, unit: str, note: str = "") -> Chart:
    """Values per arm on one scale from 0, each bar under its group and arm's name, its value at its end."""
    scale_max = _nice_max(max((bar.value for bar in bars), default=0))
    x0, span = 4, WIDTH - 64
    height = TOP + ROW * len(bars) + AXIS
    percent = any(bar.percent for bar in bars)
    parts = [_axis(TOP + ROW * len(bars), scale_max, x0 + 10, span - 20, unit, percent)]  # grid first
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        width = max(1, round((span - 20) * bar.value / scale_max)) if bar.value else 0
        name = f"{bar.group} — {bar.label}" if bar.group else bar.label
        parts.append(format_html(
            '<text class="chart-label" x="{}" y="{}">{}</text>'
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
            '<text class="chart-value" x="{}" y="{}">{}</text>',
            x0, y + 15, _short(name, LABEL_CHARACTERS),
            "chart-bar chart-bar-own" if bar.highlight else "chart-bar", x0 + 10, y + 21, width, 18,
            x0 + 10 + width + 6, y + 35, bar.value_text,
        ))
    body = mark_safe("".join(parts))  # noqa: S308 — every part was built by format_html, which escapes
    rows = [(bar.group, bar.label, bar.value_text) for bar in bars]
    columns = ("Trial", "Group", unit.capitalize())
    return Chart(chart_id, caption, _svg(height, f"{chart_id}-caption", body), columns, rows, note)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ratio_chart(chart_id: str, outcome) -> Chart:
    """A ratio with its interval on a log scale from 0.25 to 4, with the line of no difference at 1."""
    x0, span = 16, WIDTH - 32
    low, high = math.log(0.25), math.log(4)

    def x(value: float) -> int:
        clamped = min(max(value, 0.25), 4)
        return x0 + round(span * (math.log(clamped) - low) / (high - low))

    first, second = outcome.arms[0]["label"], outcome.arms[1]["label"]
    ticks = format_html_join(
        "",
        '<text class="chart-tick" x="{}" y="114" text-anchor="middle">{}</text>',
        ((x(t), f"{t:g}") for t in (0.25, 0.5, 1, 2, 4)),
    )
    body = format_html(
        '<line class="chart-axis" x1="{}" x2="{}" y1="96" y2="96"></line>{}'
        '<line class="chart-no-difference" x1="{}" x2="{}" y1="34" y2="96"></line>'
        '<text class="chart-label" x="{}" y="14" text-anchor="end">favours</text>'
        '<text class="chart-label" x="{}" y="30" text-anchor="end">{}</text>'
        '<text class="chart-label" x="{}" y="14">favours</text>'
        '<text class="chart-label" x="{}" y="30">{}</text>'
        '<line class="chart-interval" x1="{}" x2="{}" y1="66" y2="66"></line>'
        '<rect class="chart-point" x="{}" y="59" width="14" height="14"></rect>'
        '<text class="chart-value" x="{}" y="54" text-anchor="middle">{} ({} to {})</text>',
        x0, x0 + span, ticks, x(1), x(1), x(1) - 6, x(1) - 6, _short(first, 21), x(1) + 6, x(1) + 6,
        _short(second, 21), x(outcome.ci_lower), x(outcome.ci_upper), x(outcome.ratio) - 7,
        min(max(x(outcome.ratio), 80), WIDTH - 80), f"{outcome.ratio:g}", f"{outcome.ci_lower:g}",
        f"{outcome.ci_upper:g}",
    )
    caption = f"{outcome.get_kind_display()} of {outcome.label}, {first} against {second}, with its confidence interval"
    rows = [(outcome.get_kind_display(), f"{outcome.ratio:g}", f"{outcome.ci_lower:g}", f"{outcome.ci_upper:g}")]
    columns = ("Measure", "Ratio", f"Lower {outcome.ci_level}% limit", f"Upper {outcome.ci_level}% limit")
    return Chart(chart_id, caption, _svg(122, f"{chart_id}-caption", body), columns, rows)


def _grid(x0: int, count: int) -> SafeString:
    """A grid of 100 people, 10 by 10, the first `count` filled."""
    size, gap = 14, 2.5
    return format_html_join(
        "",
        '<circle class="{}" cx="{}" cy="{}" r="{}"></circle>',
        (
            ("chart-icon chart-icon-on" if i < count else "chart-icon",
             round(x0 + (i % 10) * (size + gap) + size / 2, 1), round(40 + (i // 10) * (size + gap) + size / 2, 1),
             size / 2 - 1)
            for i in range(100)
        ),
    )


def difference_words(drug: int, comparator: int) -> str:
    """"about 6 more in 100", "about 1 fewer in 100", "about the same"."""
    if drug == comparator:
        return "about the same"
    return f"about {abs(drug - comparator)} {'more' if drug > comparator else 'fewer'} in 100"


def icon_pair(chart_id: str, drug: tuple[str, float], comparator: tuple[str, float], *, what: str) -> Chart | None:
    """The drug's group and its comparator's as two grids of 100 people side by side, as many filled as each
    proportion says (rounded half up), with the difference in words; None when either is below 1 in 100."""
    counts = [frequencies.natural(value) for _, value in (drug, comparator)]
    if any(count.out_of != 100 for count in counts):
        return None
    drug_name, comparator_name = drug[0], comparator[0]
    half = WIDTH // 2
    body = format_html(
        '<text class="chart-label" x="4" y="14">{}</text><text class="chart-value" x="4" y="31">{} in 100</text>{}'
        '<text class="chart-label" x="{}" y="14">{}</text><text class="chart-value" x="{}" y="31">{} in 100</text>{}',
        _short(drug_name, 21), counts[0].count, _grid(4, counts[0].count),
        half + 4, _short(comparator_name, 21), half + 4, counts[1].count, _grid(half + 4, counts[1].count),
    )
    difference = difference_words(counts[0].count, counts[1].count)
    compared = comparator_name[:1].lower() + comparator_name[1:]
    caption = (f"Out of 100 people, how many {what}: {drug_name} and {compared}, {difference} with "
               f"{drug_name}. Each circle is one person.")
    rows = [(name, f"{count.count} in 100", f"{value:g}")
            for (name, value), count in zip((drug, comparator), counts, strict=True)]
    return Chart(chart_id, caption, _svg(40 + 10 * 16 + 6, f"{chart_id}-caption", body),
                 ("Group", "People", "Proportion"), rows)
