"""The review screen in Chromium (issue 14): a reviewer sees every field of an added risk row and of a new source,
the reviewer assistant flags a number without a source and a grade-12 summary, and each finding takes them to
its row. The change request is prepared through the workflow (tests/review_scenario.py), not the edit form."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from ..review_scenario import RISK_ROW, SOURCE, risk_row_and_source_in_review
from .conftest import screenshot
from .test_editorial_flow import log_in, make_user
from .test_reader_features import BLOCKING, WCAG_AA, describe


def test_reviewer_sees_every_field_and_the_assistant_findings(page, django_user_model):
    editor = make_user(django_user_model, "ed", "Editors")
    make_user(django_user_model, "rev", "Medical reviewers")
    scenario = risk_row_and_source_in_review(editor, body="Take it **with food**.")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    log_in(page, "rev")
    page.goto(reverse("admin:therapies_changerequest_change", args=[scenario.change_request.pk]))

    # Every field of the added risk row.
    row = page.locator(f"#row-{scenario.therapy_revision.pk}-therapy_risks-{scenario.risk.pk}")
    expect(row).to_contain_text("+ Risk: Test liver injury — common")
    for value in (RISK_ROW["figure"], RISK_ROW["measure"], RISK_ROW["notes"]):
        expect(row.get_by_text(value, exact=True)).to_be_visible()
    # The new source: where the therapy cites it, and its own fields.
    cited = page.locator(f"#field-{scenario.therapy_revision.pk}-pregnancy_references + tr.diff-items")
    for value in (SOURCE["title"], SOURCE["pmid"], SOURCE["doi"], SOURCE["url"]):
        expect(cited.get_by_text(value, exact=True)).to_be_visible()
    source = page.locator(f"#revision-{scenario.reference_revision.pk}")
    for value in (SOURCE["title"], SOURCE["pmid"], SOURCE["doi"], SOURCE["url"]):
        expect(source.get_by_text(value, exact=True)).to_be_visible()

    # The rendered Markdown, one click away (a <details>: no script).
    rendered = page.locator(f"#field-{scenario.therapy_revision.pk}-body + tr.diff-rendered")
    expect(rendered.locator("strong", has_text="with food")).to_be_hidden()
    rendered.get_by_text("Show body as readers will see it").click()
    expect(rendered.locator("strong", has_text="with food")).to_be_visible()

    # The assistant: a grade-12 summary and a number without a source, each a link to its row.
    panel = page.get_by_role("region", name="Reviewer assistant")
    grade = panel.get_by_role("link", name=re.compile(r"summary: reading grade 12\.\d"))
    number = panel.get_by_role("link", name=re.compile("summary: adds “46%”"))
    expect(grade).to_be_visible()
    expect(number).to_be_visible()
    screenshot(page, "review-assistant-1280")
    number.click()
    page.wait_for_url(f"**#field-{scenario.therapy_revision.pk}-summary")
    expect(page.locator(f"#field-{scenario.therapy_revision.pk}-summary")).to_be_in_viewport()

    results = Axe().run(page, context={"include": [[".assistant"], [".diff-row"], [".diff-items"]]},
                        options=WCAG_AA).response
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING]
    assert blocking == [], describe(blocking)
    assert violations == []
