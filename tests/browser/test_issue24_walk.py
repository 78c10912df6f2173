"""Issue 24 in Chromium: the editor's and the reviewer's walk, the API docs with an operation expanded."""

import re

from playwright.sync_api import expect

from .test_reader_features import blocking_violations, describe


def test_api_docs_prefill_nothing_and_pass_axe_with_an_operation_expanded(page):
    page.goto("/api/v1/docs/")
    page.locator(".opblock").nth(9).wait_for()
    operation = page.locator("#operations-therapies-list_therapies")
    operation.locator(".opblock-summary").click()
    course = operation.locator("input[placeholder^='course']")
    expect(course).to_be_visible()
    assert course.input_value() == ""  # "Try it out" no longer pre-filled with course=PPMS
    expect(operation.get_by_text("for example PPMS")).to_be_visible()
    violations = blocking_violations(page)
    assert violations == [], describe(violations)
    operation.get_by_role("button", name="Execute").click()
    answer = operation.locator(".live-responses-table tr.response")
    answer.wait_for()
    assert '"count": 10' in answer.locator(".response-col_description").inner_text()  # every therapy, unfiltered
    violations = blocking_violations(page)
    assert violations == [], describe(violations)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_editor_and_reviewer_walk(page, django_user_model, browser, live_server):
    from therapies.models import ChangeRequest, Reference, Trial

    from ..workflow_helpers import draft_change
    from .test_editorial_flow import log_in, make_user

    editor = make_user(django_user_model, "ed", "Editors")
    make_user(django_user_model, "rev", "Medical reviewers")
    # A long address in a cited source once made the review table 47 px too wide at 1280 px.
    Reference.objects.filter(pk=Reference.objects.first().pk).update(
        url="https://example.org/" + "a-very-long-path-segment-without-any-break" * 6)
    trial = Trial.objects.get(slug="opera-i")
    change_request, revision = draft_change(editor, trial, title="OPERA I summary")

    # The editor: a long form, saved with the sticky bar from its bottom; an error fixed from the summary.
    log_in(page, "ed")
    page.goto(f"/admin/therapies/changerequest/{change_request.pk}/revision/{revision.pk}/edit/")
    page.locator("#section-name-and-summary > summary").click()
    page.locator("#section-design > summary").click()
    page.locator("#id_content-summary").fill(
        "OPERA I compared ocrelizumab with interferon beta-1a in 821 adults with relapsing MS. People on "
        "ocrelizumab had 52% fewer relapses. In one study 12% of people stopped treatment early.")
    page.locator("#id_content-comparator").fill("")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    save = page.get_by_role("button", name="Save draft")
    expect(save).to_be_in_viewport()
    save.click()
    assert re.match(r"Error: ", page.title())
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.locator(".errornote").count() == 0  # one summary, no second banner
    summary.get_by_role("link", name=re.compile("Comparator: Enter the comparator")).click()
    comparator = page.locator("#id_content-comparator")
    expect(comparator).to_be_focused()
    violations = blocking_violations(page)
    assert violations == [], describe(violations)
    assert no_sideways_scroll(page)
    comparator.fill("Interferon beta-1a 44 µg, injected under the skin three times a week")
    page.get_by_role("button", name="Save and submit for review").click()
    page.get_by_role("textbox", name="Change note (public)").fill("Reworded the OPERA I summary.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("was submitted for review")).to_be_visible()

    # The reviewer: the assistant flags both numbers; a field comment lands where the page opens; resolved.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    reviewer_page = context.new_page()
    reviewer_page.set_default_timeout(15_000)
    log_in(reviewer_page, "rev")
    reviewer_page.goto(f"/admin/therapies/changerequest/{change_request.pk}/change/")
    panel = reviewer_page.get_by_role("region", name="Reviewer assistant")
    expect(panel.get_by_text(re.compile("says “52% fewer”, but the stored outcome"))).to_be_visible()
    expect(panel.get_by_text(re.compile("“12%” matches none of the figures"))).to_be_visible()
    assert no_sideways_scroll(reviewer_page)
    violations = blocking_violations(reviewer_page)
    assert violations == [], describe(violations)
    row = reviewer_page.locator(f"#field-{revision.pk}-summary + tr.diff-comments")
    row.locator("summary", has_text="Comment on summary").click()
    row.get_by_role("textbox", name="Comment on Summary").fill("Which source gives 12%?")
    row.get_by_role("button", name="Add comment").click()
    expect(reviewer_page.get_by_text("Your comment was added.")).to_be_visible()
    assert re.search(r"#comment-\d+$", reviewer_page.url)
    landed = reviewer_page.locator(":target")
    expect(landed).to_contain_text("Which source gives 12%?")
    expect(landed).to_be_in_viewport()
    expect(reviewer_page.get_by_role("heading", name=re.compile(r"Discussion \(1 comment, 1 open\)"))).to_be_visible()
    landed.get_by_role("button", name=re.compile("Resolve")).click()
    expect(reviewer_page.locator(":target")).to_contain_text("Resolved by")
    expect(reviewer_page.get_by_text("No open comments.")).to_be_visible()

    reviewer_page.get_by_role("button", name="Approve").click()
    reviewer_page.get_by_role("button", name="Yes, approve").click()
    expect(reviewer_page.get_by_text("was approved")).to_be_visible()
    reviewer_page.get_by_role("button", name="Publish now").click()
    reviewer_page.get_by_role("button", name="Yes, publish now").click()
    expect(reviewer_page.get_by_text("was published")).to_be_visible()
    live = reviewer_page.locator(".published-pages").get_by_role("link", name="OPERA I")
    live.click()
    expect(reviewer_page.get_by_text("52% fewer relapses")).to_be_visible()
    assert reviewer_page.url.endswith("/trials/opera-i/")
    assert ChangeRequest.objects.get(pk=change_request.pk).state == "published"
    context.close()


def test_no_admin_page_scrolls_sideways_at_1280_with_a_long_address(page, django_user_model):
    from therapies.models import Reference

    from ..workflow_helpers import submitted_change
    from .test_editorial_flow import log_in, make_user

    editor = make_user(django_user_model, "ed", "Editors")
    make_user(django_user_model, "rev", "Medical reviewers")
    long_url = "https://example.org/" + "averylongpathsegmentwithoutanybreak" * 8
    reference = Reference.objects.first()
    Reference.objects.filter(pk=reference.pk).update(url=long_url)
    change_request = submitted_change(editor, reference, url=long_url + "-moved")  # the review table shows both
    log_in(page, "rev")
    wide = []
    for path in ("/admin/", "/admin/therapies/reference/", f"/admin/therapies/reference/{reference.pk}/change/",
                 "/admin/therapies/therapy/", "/admin/therapies/changerequest/",
                 f"/admin/therapies/changerequest/{change_request.pk}/change/"):
        page.goto(path)
        if not no_sideways_scroll(page):
            wide.append((path, page.evaluate("document.documentElement.scrollWidth")))
    assert wide == []
