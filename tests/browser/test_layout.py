"""Every public page (tests/public_pages.py: from the URL conf and the sitemap) at 1280 and 375 px wide:
no sideways page scroll, every cell of every table inside the screen, no console errors (a missing
favicon is one), a meta description, and no serious or critical axe violations (issue 13)."""

import pytest
from django.test import Client

from tests.public_pages import MISSING, public_page_urls

from .conftest import screenshot
from .test_reader_features import blocking_violations, describe

WIDTHS = [1280, 375]

# Each table cell's box against the viewport; a cell hidden on purpose (no size) is left out.
CELLS_OUTSIDE = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll('main table th, main table td')]
    .map(cell => [cell, cell.getBoundingClientRect()])
    .filter(([cell, box]) => box.width > 1 && box.height > 1)
    .filter(([cell, box]) => box.left < -0.5 || box.right > width + 0.5)
    .map(([cell, box]) => `${cell.closest('table').className || 'table'} ${cell.tagName} `
      + `"${cell.textContent.trim().slice(0, 40)}" ${Math.round(box.left)}..${Math.round(box.right)}`);
}"""
OVERFLOW = "document.scrollingElement.scrollWidth - window.innerWidth"
DESCRIPTION = "(document.querySelector('meta[name=description]') || {content: ''}).content.trim()"


@pytest.fixture
def at_width(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _pages() -> list[str]:
    return public_page_urls(Client(), every_content_page=True)


@pytest.mark.parametrize("at_width", WIDTHS, indirect=True)
def test_every_public_page_fits_the_screen_has_a_description_and_no_console_errors(at_width):
    page = at_width
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(_console(message, page.url)))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    problems = []
    urls = _pages()
    for url in urls:
        page.goto(url, wait_until="networkidle")  # the API docs draw themselves after fetching openapi.json
        if (overflow := page.evaluate(OVERFLOW)) > 0:
            problems.append(f"{url}: the page scrolls sideways by {overflow}px")
        problems += [f"{url}: cell off-screen: {cell}" for cell in page.evaluate(CELLS_OUTSIDE)]
        if len(page.evaluate(DESCRIPTION)) < 20:
            problems.append(f"{url}: no meta description")
    errors = [error for error in errors if error]
    assert len(urls) > 40 and not problems and not errors, "\n".join(problems + errors)


def _console(message, url: str) -> str:
    """A console error, except the 404 page's own status (the page a reader asked for does not exist)."""
    location = message.location.get("url", "")
    if url.endswith(MISSING) and location.endswith(MISSING):
        return ""
    return f"{url}: {message.text} ({location})"


@pytest.mark.parametrize("at_width", WIDTHS, indirect=True)
def test_every_public_page_has_no_serious_or_critical_axe_violations(at_width):
    page = at_width
    found = {}
    for url in public_page_urls(Client()):
        page.goto(url, wait_until="networkidle")
        if violations := blocking_violations(page):
            found[url] = describe(violations)
    assert not found, found


@pytest.mark.parametrize("at_width", [375], indirect=True)
def test_compare_on_a_phone_shows_one_therapy_after_another_with_its_name_on_top(at_width):
    page = at_width
    page.goto("/compare/?t=ocrelizumab&t=natalizumab&t=fingolimod")
    names = page.locator(".compare-table thead th")
    tops = [names.nth(i).bounding_box()["y"] for i in range(3)]
    first_cells = page.locator(".compare-table tbody tr:first-child td")
    cell_tops = [first_cells.nth(i).bounding_box()["y"] for i in range(3)]
    # Each therapy's name comes before its own cells and after the previous therapy's.
    assert tops[0] < cell_tops[0] < tops[1] < cell_tops[1] < tops[2] < cell_tops[2]
    # Every cell says which aspect it is; the names stay in view while you read that therapy's part.
    assert first_cells.nth(1).evaluate("cell => getComputedStyle(cell, '::before').content") == '"Type of medicine"'
    assert names.nth(0).evaluate("th => getComputedStyle(th).position") == "sticky"
    screenshot(page, "compare-3-375")
