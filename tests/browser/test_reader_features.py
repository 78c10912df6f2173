"""The reader's tools in Chromium: search, compare and "Suggest a correction" as a reader uses them,
by keyboard alone too, and an axe-core audit (WCAG 2.1 AA) of every public page type.

axe-core comes bundled in the axe-playwright-python package and is injected into the page: no network.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse

from therapies.models import CorrectionSuggestion

from .conftest import ARTIFACTS, screenshot

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
BLOCKING = {"serious", "critical"}


def _public_pages() -> list[tuple[str, str]]:
    pages = [
        ("home", "/"),
        ("therapy-list", "/therapies/"),
        ("therapy", "/therapies/ocrelizumab/"),
        ("trial-list", "/trials/"),
        ("trial", "/trials/opera-i/"),
        ("risk-list", "/risks/"),
        ("risk", "/risks/pml/"),
        ("search-results", "/search/?q=PML"),
        ("search-empty", "/search/"),
        ("search-no-results", "/search/?q=zzzzqqqq"),
        ("compare", "/compare/?t=ocrelizumab&t=fingolimod&t=cladribine"),
        ("compare-start", "/compare/"),
        ("about", "/about/"),
        ("correction", "/corrections/therapy/ocrelizumab/"),
        ("not-found", "/no-such-page/"),
    ]
    try:
        pages.append(("updates", reverse("updates")))
    except NoReverseMatch:
        pass
    return pages


AXE = Axe()
AXE_RESULTS: dict[str, list[str]] = {}


def blocking_violations(page) -> list[dict]:
    results = AXE.run(page, options=WCAG_AA).response
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )


@pytest.mark.parametrize(("name", "path"), _public_pages())
def test_public_page_has_no_serious_or_critical_axe_violations(page, name, path):
    page.goto(path)
    violations = blocking_violations(page)
    AXE_RESULTS[name] = [v["id"] for v in violations]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=2))
    screenshot(page, f"page-{name}-1280")
    assert violations == [], describe(violations)


def test_axe_audit_catches_a_real_violation(page):
    """The audit above can fail: an image without a text alternative is reported."""
    page.goto("/about/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/x.png\">')")
    assert "image-alt" in [v["id"] for v in blocking_violations(page)]


@pytest.mark.parametrize(
    ("name", "path"),
    [("therapy", "/therapies/ocrelizumab/"), ("search-results", "/search/?q=anti-CD20"),
     ("compare", "/compare/?t=ocrelizumab&t=fingolimod&t=cladribine&t=natalizumab")],
)
def test_phone_width_pages_have_no_serious_axe_violations_and_no_sideways_scroll(phone_page, name, path):
    phone_page.goto(path)
    assert blocking_violations(phone_page) == []
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow  # wide tables scroll inside their own region
    screenshot(phone_page, f"reader-{name}-375")


# --- Search -----------------------------------------------------------------------------------------------


def test_reader_searches_from_the_header_and_opens_a_result(page):
    page.goto("/trials/")
    page.get_by_role("search").get_by_label("Search therapies, trials and risks").fill("Ocrevus")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    assert "/search/?q=Ocrevus" in page.url
    results = page.locator(".result-list .result")
    assert results.count() >= 1
    assert results.first.get_by_role("link").inner_text() == "Ocrelizumab"
    assert results.first.locator(".badge").inner_text() == "Therapy"
    screenshot(page, "reader-search-ocrevus-1280")
    results.first.get_by_role("link").click()
    assert page.url.endswith("/therapies/ocrelizumab/")


def test_reader_gets_help_for_an_empty_search_and_can_follow_a_suggestion(page):
    page.goto("/search/?q=")
    assert page.get_by_role("heading", name="Things you can search for").is_visible()
    page.get_by_role("link", name="PML", exact=True).click()
    assert page.locator(".result-list .result").first.get_by_role("link").inner_text().startswith(
        "Progressive multifocal leukoencephalopathy"
    )


def tab_until(page, script: str, limit: int = 80) -> None:
    """Press Tab until `script` (evaluated against document.activeElement as `el`) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({script}))(document.activeElement)"):
            return
    raise AssertionError(f"Never reached by keyboard: {script}")


def test_search_works_by_keyboard_alone(page):
    page.goto("/")
    tab_until(page, "el.id === 'site-search-q'")
    page.keyboard.type("primary progressive")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=primary+progressive")
    tab_until(page, "el.closest('.result-list') && el.tagName === 'A'")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first}")
    assert page.get_by_role("heading", level=1).is_visible()


# --- Compare ----------------------------------------------------------------------------------------------


def test_reader_compares_adds_and_removes_therapies(page):
    page.goto("/therapies/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()
    page.get_by_label("Ocrelizumab").check()
    page.get_by_label("Fingolimod").check()
    page.get_by_role("button", name="Compare").click()
    table = page.get_by_role("table")
    assert table.get_by_role("columnheader").filter(has_text="Ocrelizumab").count() == 1
    assert table.get_by_role("rowheader", name="Key risks and how often").is_visible()
    page.get_by_label("Add a therapy to the comparison").select_option(label="Cladribine")
    page.get_by_role("button", name="Add").click()
    assert page.url.endswith("t=fingolimod&t=ocrelizumab&t=cladribine")  # the chooser lists them A to Z
    screenshot(page, "reader-compare-1280")
    page.get_by_role("link", name="Remove Fingolimod from the comparison").click()
    page.wait_for_url("**/compare/?t=ocrelizumab&t=cladribine")
    assert page.get_by_role("table").get_by_role("columnheader").filter(has_text="Fingolimod").count() == 0


def test_compare_page_prints_without_forms_or_remove_links(page):
    page.goto("/compare/?t=ocrelizumab&t=fingolimod")
    page.emulate_media(media="print")
    assert not page.locator(".compare-add").is_visible()
    assert not page.locator(".compare-remove").first.is_visible()
    assert not page.locator(".site-search").is_visible()
    assert page.locator(".compare-table").is_visible()
    width = page.evaluate("document.querySelector('.compare-table').getBoundingClientRect().width")
    assert width <= 1280


def test_compare_works_by_keyboard_alone(page):
    page.goto("/compare/")
    tab_until(page, "el.id === 'pick-cladribine'")
    page.keyboard.press("Space")
    tab_until(page, "el.id === 'pick-natalizumab'")
    page.keyboard.press("Space")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Compare'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare/?t=cladribine&t=natalizumab")
    tab_until(page, "el.id === 'compare-add'")
    page.keyboard.press("ArrowDown")  # a closed select changes its value with the arrow keys
    chosen = page.evaluate("document.activeElement.value")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Add'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**t={chosen}")
    tab_until(page, "el.classList.contains('compare-remove')")  # the first column's: Cladribine
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/compare/?t=natalizumab&t={chosen}")


# --- Suggest a correction ----------------------------------------------------------------------------------


def test_reader_suggests_a_correction_from_a_therapy_page(page):
    cache.clear()
    page.goto("/therapies/cladribine/")
    form = page.locator("#suggest-correction")
    form.get_by_label("What is wrong?").fill("The EU approval year looks wrong.")
    form.get_by_label("Where did you find the correct information? (optional)").fill("EPAR, 2017")
    form.get_by_label("Your email address (optional)").fill("reader@example.org")
    screenshot(page, "reader-correction-form-1280")
    form.get_by_role("button", name="Send suggestion").click()
    page.wait_for_url("**/corrections/therapy/cladribine/thanks/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    suggestion = CorrectionSuggestion.objects.get()
    assert suggestion.page_path == "/therapies/cladribine/" and suggestion.source == "EPAR, 2017"
    page.get_by_role("link", name="Back to Cladribine").click()
    assert page.url.endswith("/therapies/cladribine/")


def test_honeypot_is_not_reachable_by_keyboard_or_visible(page):
    page.goto("/risks/pml/")
    wrapper = page.locator(".honeypot")
    assert wrapper.get_attribute("aria-hidden") == "true"
    box = wrapper.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # clipped to one pixel: nothing to see
    # Tabbing through the whole form never lands on it.
    tab_until(page, "el.id === 'id_what_is_wrong'")
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") != "id_website"


def test_correction_form_errors_are_announced_and_linked(page):
    page.goto("/corrections/trial/opera-i/")
    page.get_by_label("Your email address (optional)").fill("not-an-email")
    page.evaluate("document.querySelector('.correction-form').noValidate = true")
    page.get_by_role("button", name="Send suggestion").click()
    alert = page.get_by_role("alert")
    assert "Tell us what is wrong on this page." in alert.inner_text()
    assert blocking_violations(page) == []
    screenshot(page, "reader-correction-errors-1280")
