"""A reader's main path, in Chromium: home → therapies → filter → a therapy → its trial and risk."""

from playwright.sync_api import expect

from .conftest import screenshot


def test_reader_finds_a_therapy_by_filtering_and_follows_its_trial(page):
    page.goto("/")
    assert page.title() == "Immunotherapies for multiple sclerosis — msinfo"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Therapies").click()
    page.get_by_label("MS course").select_option("PPMS")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/therapies/?*course=PPMS*")
    page.get_by_role("link", name="Ocrelizumab", exact=True).first.click()
    page.wait_for_url("**/therapies/ocrelizumab/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ocrelizumab")
    assert page.get_by_text("Next review due").count() >= 1
    screenshot(page, "therapy-ocrelizumab-1280")
    page.get_by_role("link", name="OPERA I", exact=True).first.click()
    page.wait_for_url("**/trials/opera-i/")
    expect(page.get_by_text("NCT01247324").first).to_be_visible()
    page.goto("/trials/NCT01194570/")
    assert page.url.endswith("/trials/oratorio/")


def test_skip_link_is_the_first_keyboard_stop(page):
    page.goto("/therapies/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pages_fit_a_phone_screen_without_sideways_scrolling(phone_page):
    for path in ["/", "/therapies/", "/therapies/alemtuzumab/", "/trials/", "/risks/pml/"]:
        phone_page.goto(path)
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    screenshot(phone_page, "risk-pml-375")
