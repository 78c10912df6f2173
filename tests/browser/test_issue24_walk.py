"""Issue 24 in Chromium: the editor's and the reviewer's walk, the API docs with an operation expanded."""

import json
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
