"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, nothing the CSP would refuse.

Each chart is a `Chart`: the SVG (colours come from classes in static/css/charts.css, never a style
attribute), a caption that says the numbers, and the rows of a table holding the same numbers, which
templates/therapies/includes/_chart.html prints under it. The SVG is `role="img"`, named by the caption
(aria-labelledby), and scales to the width of a phone (a viewBox, width 100%).

    bar_chart   values per arm on one labelled scale (a trial; a therapy's trials; the compare page)
    ratio_chart a hazard or rate ratio with its confidence interval, against the line of no difference
    icon_array  "out of 100 people": a proportion or a risk figure of at least 1 in 100
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from . import frequencies

WIDTH = 640
LABEL_WIDTH = 280  # the arm names, left of the bars (about 34 characters at 13 px)
ROW = 34
TOP = 10
AXIS = 34  # room for the scale under the bars


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
        '{}<text class="chart-unit" x="{}" y="{}" text-anchor="end">{}</text>', ticks, x0 + span, y + 31, unit
    )


def bar_chart(chart_id: str, bars: list[Bar], *, caption: str, unit: str, note: str = "") -> Chart:
    """Values per arm on one scale from 0, each bar labelled with its group, arm and value."""
    scale_max = _nice_max(max((bar.value for bar in bars), default=0))
    x0, span = LABEL_WIDTH, WIDTH - LABEL_WIDTH - 60
    height = TOP + ROW * len(bars) + AXIS
    percent = any(bar.percent for bar in bars)
    parts = [_axis(TOP + ROW * len(bars), scale_max, x0, span, unit, percent)]  # grid first, bars over it
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        width = max(1, round(span * bar.value / scale_max)) if bar.value else 0
        name = f"{bar.group} — {bar.label}" if bar.group else bar.label
        parts.append(format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
            '<text class="chart-value" x="{}" y="{}">{}</text>',
            x0 - 8, y + 21, _short(name, 34),
            "chart-bar chart-bar-own" if bar.highlight else "chart-bar", x0, y + 6, width, ROW - 12,
            x0 + width + 6, y + 21, bar.value_text,
        ))
    body = mark_safe("".join(parts))  # noqa: S308 — every part was built by format_html, which escapes
    rows = [(bar.group, bar.label, bar.value_text) for bar in bars]
    columns = ("Trial", "Group", unit.capitalize())
    return Chart(chart_id, caption, _svg(height, f"{chart_id}-caption", body), columns, rows, note)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ratio_chart(chart_id: str, outcome) -> Chart:
    """A ratio with its interval on a log scale from 0.25 to 4, with the line of no difference at 1."""
    x0, span = 40, WIDTH - 80
    low, high = math.log(0.25), math.log(4)

    def x(value: float) -> int:
        clamped = min(max(value, 0.25), 4)
        return x0 + round(span * (math.log(clamped) - low) / (high - low))

    first, second = outcome.arms[0]["label"], outcome.arms[1]["label"]
    ticks = format_html_join(
        "",
        '<text class="chart-tick" x="{}" y="96" text-anchor="middle">{}</text>',
        ((x(t), f"{t:g}") for t in (0.25, 0.5, 1, 2, 4)),
    )
    body = format_html(
        '<line class="chart-axis" x1="{}" x2="{}" y1="80" y2="80"></line>{}'
        '<line class="chart-no-difference" x1="{}" x2="{}" y1="14" y2="80"></line>'
        '<text class="chart-label" x="{}" y="12" text-anchor="end">favours {}</text>'
        '<text class="chart-label" x="{}" y="12">favours {}</text>'
        '<line class="chart-interval" x1="{}" x2="{}" y1="46" y2="46"></line>'
        '<rect class="chart-point" x="{}" y="39" width="14" height="14"></rect>'
        '<text class="chart-value" x="{}" y="34" text-anchor="middle">{} ({} to {})</text>',
        x0, x0 + span, ticks, x(1), x(1), x(1) - 6, _short(first, 30), x(1) + 6, _short(second, 30),
        x(outcome.ci_lower), x(outcome.ci_upper), x(outcome.ratio) - 7, x(outcome.ratio), f"{outcome.ratio:g}",
        f"{outcome.ci_lower:g}", f"{outcome.ci_upper:g}",
    )
    summary = frequencies.outcome_summary(outcome)
    caption = f"{outcome.get_kind_display()} of {outcome.label}, {first} against {second}: {summary}"
    rows = [(outcome.get_kind_display(), f"{outcome.ratio:g}", f"{outcome.ci_lower:g}", f"{outcome.ci_upper:g}")]
    columns = ("Measure", "Ratio", f"Lower {outcome.ci_level}% limit", f"Upper {outcome.ci_level}% limit")
    return Chart(chart_id, caption, _svg(104, f"{chart_id}-caption", body), columns, rows)


def icon_array(chart_id: str, value: float, *, who: str, what: str, counts: str = "") -> Chart | None:
    """100 people, as many filled as the proportion says (rounded half up); None below 1 in 100."""
    count = frequencies.natural(value)
    if count.out_of != 100:
        return None
    size, gap = 22, 6
    icons = format_html_join(
        "",
        '<circle class="{}" cx="{}" cy="{}" r="{}"></circle>',
        (
            ("chart-icon chart-icon-on" if i < count.count else "chart-icon", 30 + (i % 10) * (size + gap) + size // 2,
             10 + (i // 10) * (size + gap) + size // 2, size // 2 - 1)
            for i in range(100)
        ),
    )
    height = 10 + 10 * (size + gap)
    body = format_html(
        '{}<text class="chart-value" x="330" y="40">{} in 100</text>'
        '<text class="chart-label" x="330" y="66">{}</text>',
        icons, count.count, _short(who, 40),
    )
    caption = f"{who}: about {count.count} in 100 people {what}. Each circle is one person; the filled circles {what}."
    if counts:
        caption += f" What the figure counts: {counts}."
    rows = [(who, f"{count.count} in 100", f"{value:g}")]
    return Chart(chart_id, caption, _svg(height, f"{chart_id}-caption", body), ("Group", "People", "Proportion"),
                 rows)
