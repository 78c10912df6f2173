"""Charts in Chromium at 1280 and 375 px: each is an image named by its caption, with a table of the same
numbers, visible within the page's width; and axe finds no serious or critical violation (issue 13)."""

import re

import pytest

from .conftest import screenshot
from .test_reader_features import blocking_violations, describe

PAGES = [("therapy", "/therapies/ocrelizumab/"), ("trial", "/trials/freedoms/"),
         ("compare", "/compare/?t=ocrelizumab&t=fingolimod")]
NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def check_charts(page) -> int:
    figures = page.locator("figure.chart")
    count = figures.count()
    assert count > 0
    width = page.evaluate("window.innerWidth")
    for index in range(count):
        figure = figures.nth(index)
        svg = figure.locator("svg[role=img]")
        name = page.evaluate(
            "svg => svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent)"
            ".join(' ')", svg.element_handle())
        assert name.strip(), "a chart has no accessible name"
        box = svg.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
        shown = NUMBER.findall(" ".join(svg.locator("text.chart-value").all_text_contents()))
        table = figure.locator("table.chart-table").inner_text()
        assert shown and all(number in table for number in shown), (shown, table)
    return count


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_charts_have_names_and_tables_at_desktop_width(page, name, path):
    page.goto(path)
    check_charts(page)
    violations = blocking_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, f"charts-{name}-1280")
    page.emulate_media(media="print")  # the charts, captions and tables print (static/css/charts.css)
    for part in ("figure.chart svg", "figure.chart figcaption", "figure.chart table"):
        assert page.locator(part).first.is_visible(), part


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_charts_fit_a_phone_and_pass_axe(phone_page, name, path):
    phone_page.goto(path)
    check_charts(phone_page)
    assert blocking_violations(phone_page) == []
    screenshot(phone_page, f"charts-{name}-375")
