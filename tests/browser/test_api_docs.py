"""The API viewer (/api/v1/docs/) in Chromium: Swagger UI from the site's own static files renders
every operation and runs one, under the site's Content-Security-Policy, fetching nothing from elsewhere."""

from .conftest import screenshot


def test_api_viewer_renders_every_operation_and_runs_one_under_the_csp(page, live_server):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(f"script error {error}"))
    elsewhere: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith((live_server.url, "data:")) else None)

    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock").nth(9).wait_for()
    assert page.locator(".opblock").count() == 10

    page.locator("#operations-therapies-get_therapy .opblock-summary").click()
    page.get_by_role("button", name="Execute").click()
    answer = page.locator("#operations-therapies-get_therapy .live-responses-table tr.response")
    answer.wait_for()  # the slug came filled in from the example in the description
    assert answer.locator(".response-col_status").inner_text().strip() == "200"
    assert '"slug": "ocrelizumab"' in answer.locator(".response-col_description").inner_text()
    screenshot(page, "api-docs")
    assert problems == []
    assert elsewhere == []
