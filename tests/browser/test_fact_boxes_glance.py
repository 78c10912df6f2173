"""Issue 22's "Done when" in Chromium at 375 and 1280 px: on every therapy page "At a glance" has at most 120
words at reading grade 8 or below and names every boxed warning; every figure cell of every fact box has its
comparator or says none is known; no chart text is under 12 CSS px on a phone; tables keep their headers."""

import pytest
import textstat

from therapies.models import TherapyRisk

from .conftest import screenshot

SLUGS = ["alemtuzumab", "cladribine", "fingolimod", "natalizumab", "ocrelizumab", "ofatumumab", "ozanimod",
         "ponesimod", "siponimod", "ublituximab"]

# Each block of the glance as a reader meets it (a heading, an item, a paragraph), one sentence each.
GLANCE_TEXT = """section => [...section.querySelectorAll('h2, dt, dd, li, p')].map(el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('ul, p').forEach(child => child.remove());
    const text = copy.textContent.replace(/\\s+/g, ' ').trim();
    return text && !/[.!?]$/.test(text) ? text + '.' : text;
}).filter(Boolean).join(' ')"""

# The rendered size of every SVG text: its font size times the SVG's scale on screen.
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.chart-svg text')].map(t =>
    parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a), 99)"""


def check_therapy(page, slug: str) -> None:
    page.goto(f"/therapies/{slug}/")
    glance = page.locator("#at-a-glance")
    text = page.evaluate(GLANCE_TEXT, glance.element_handle())
    assert textstat.lexicon_count(text) <= 120, (slug, text)
    assert textstat.flesch_kincaid_grade(text) <= 8, (slug, text)
    for link in TherapyRisk.objects.filter(therapy__slug=slug, boxed_warning=True).select_related("risk"):
        assert glance.locator(f'a[href="{link.risk.get_absolute_url()}"]').count() == 1, (slug, link.risk)
    cells = page.locator(".fact-box-table tbody tr:not(.fact-box-group)")
    for index in range(cells.count()):
        row = cells.nth(index).locator("td")
        values = [row.nth(i).inner_text().strip() for i in range(row.count())]
        assert values and all(values), (slug, values)  # a number, a sentence, or "None known: …"
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12 or page.viewport_size["width"] > 375, slug


@pytest.mark.parametrize("slug", SLUGS)
def test_every_therapy_page_on_a_phone(phone_page, slug):
    check_therapy(phone_page, slug)
    assert phone_page.evaluate(SMALLEST_CHART_TEXT) >= 12
    assert phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, slug
    if slug == "ocrelizumab":
        screenshot(phone_page, "fact-boxes-glance-375")
        risks = phone_page.locator("#risks table")
        assert risks.get_by_role("rowheader").count() >= 4  # the stacked cards keep their table headers


def test_trial_and_compare_charts_on_a_phone(phone_page):
    for path in ("/trials/oratorio/", "/trials/freedoms/", "/compare/?t=ocrelizumab&t=fingolimod"):
        phone_page.goto(path)
        assert phone_page.evaluate(SMALLEST_CHART_TEXT) >= 12, path


@pytest.mark.parametrize("slug", ["ocrelizumab", "fingolimod", "siponimod"])
def test_therapy_pages_at_desktop_width(page, slug):
    check_therapy(page, slug)
    if slug == "ocrelizumab":
        screenshot(page, "fact-boxes-glance-1280")
