"""/choose/ in Chromium (issue 25, "Done when"): the two readers of the issue, answered with JavaScript off, the
sheet to take to the appointment on at most two A4 pages, and axe at 375 and 1280 px."""

import re

import pytest

from therapies.models import Therapy

from .conftest import ARTIFACTS, screenshot
from .test_layout import CELLS_OUTSIDE
from .test_reader_features import blocking_violations, describe

EU_RELAPSING = {
    "ocrelizumab", "alemtuzumab", "ofatumumab", "natalizumab", "ublituximab",
    "fingolimod", "ozanimod", "ponesimod", "cladribine",
}
EU_READER = "/choose/?course=RRMS&region=eu&way=&visits=few&pregnancy=yes&priority=visits"


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def listed(page) -> list[str]:
    return [re.sub("^therapy-", "", i) for i in page.locator(".choose-card").evaluate_all("els => els.map(e => e.id)")]


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def test_eu_reader_with_relapsing_ms_who_may_become_pregnant_and_wants_few_visits(no_js_page, seeded):
    page = no_js_page
    page.goto("/choose/")
    answer(page, "What type of MS do you have?", "Relapsing-remitting MS")
    answer(page, "Where do you live?", "European Union")
    answer(page, "How often could you go to a clinic?", "A few times a year")
    answer(page, "Could a pregnancy come up in the next few years?", "Yes, it may")
    page.get_by_role("button", name="Show the therapies").click()
    assert "region=eu" in page.url and "pregnancy=yes" in page.url  # a GET: the answer can be bookmarked
    assert set(listed(page)) == EU_RELAPSING
    for slug in EU_RELAPSING:
        therapy = Therapy.objects.get(slug=slug)
        card = page.locator(f"#therapy-{slug}")
        said = card.locator(".choose-meanings").inner_text()
        if therapy.contraception_eu:
            assert f"contraception for {therapy.contraception_eu} after the last dose (EU label)" in said, slug
        else:
            assert "gives no time for contraception" in said, slug
        assert re.search(r"visits in the first year|no fixed visits", said), slug
        assert "(US label)" not in said
    screenshot(page, "choose-eu-relapsing")


def test_us_reader_with_primary_progressive_ms_gets_only_its_approvals(no_js_page, seeded):
    page = no_js_page
    page.goto("/choose/")
    answer(page, "What type of MS do you have?", "Primary progressive MS")
    answer(page, "Where do you live?", "United States")
    page.get_by_role("button", name="Show the therapies").click()
    assert listed(page) == ["ocrelizumab"]
    page.get_by_role("link", name=re.compile("Show all, with why")).click()
    others = page.locator(".choose-others").inner_text()
    assert "not approved for primary progressive MS in the US" in others
    assert listed(page) == ["ocrelizumab"]


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("query", [
    EU_READER + "&all=1",
    "?region=other&pregnancy=yes&all=1",  # the longest sheet: every therapy, both regulators' approvals
])
def test_the_sheet_for_the_appointment_fits_two_a4_pages(page, seeded, query):
    page.goto("/choose/" + query.removeprefix("/choose/"))
    page.emulate_media(media="print")
    assert page.locator(".choose-form").is_hidden()
    assert page.locator(".choose-list").is_hidden()
    sheet = page.locator("main").inner_text()
    assert "What you told us" in sheet and "Your shortlist" in sheet and "Questions to ask your MS team" in sheet
    shown = len(EU_RELAPSING) if "region=eu" in query else Therapy.objects.live().count()
    assert page.locator(".choose-print-table tbody tr").count() == shown
    pdf = page.pdf(format="A4", print_background=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"choose-sheet-{len(query)}.pdf").write_bytes(pdf)
    assert 1 <= _pdf_pages(pdf) <= 2


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_serious_and_the_page_fits_the_width(browser, live_server, seeded, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto(EU_READER + "&all=1")
        violations = blocking_violations(page)
        assert violations == [], describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(CELLS_OUTSIDE) == []
        assert errors == []
        screenshot(page, f"choose-{width}")
    finally:
        context.close()
