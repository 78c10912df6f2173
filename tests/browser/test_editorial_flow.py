"""The editorial path in Chromium: an editor drafts and submits; a reviewer approves and publishes, confirming each."""

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from .conftest import screenshot


def make_user(django_user_model, username: str, group: str):
    user = django_user_model.objects.create_user(
        username=username, password="browser-test-pw", email=f"{username}@example.org",
        first_name=username.capitalize(), last_name="Browser", is_staff=True,
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("browser-test-pw")
    page.get_by_role("button", name="Log in").click()


def test_editor_submits_and_reviewer_publishes(page, django_user_model, browser, live_server):
    make_user(django_user_model, "ed", "Editors")
    make_user(django_user_model, "rev", "Medical reviewers")

    log_in(page, "ed")
    page.goto("/admin/therapies/therapy/?q=Ocrevus")
    page.get_by_role("link", name="Ocrelizumab").first.click()
    page.get_by_role("link", name="Edit in a change request").click()
    page.get_by_label("Title").fill("Ocrelizumab dosing wording")
    page.get_by_role("button", name="Edit in a change request").click()
    page.locator("#section-route-and-dosing > summary").click()  # folded: nothing in it has changed yet
    page.locator("#id_content-dosing").fill("Given by infusion into a vein. Browser-test wording.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview — not published")).to_be_visible()
    expect(page.locator("#route-and-dosing").get_by_text("Browser-test wording.")).to_be_visible()
    page.get_by_role("link", name="Back to the change request").click()
    # Issue 14: the one change-note box; once, an empty second box blocked "Submit for review".
    assert page.locator("textarea[name=change_note]").count() == 1
    page.get_by_role("textbox", name="Change note").fill("Reworded the dosing section.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("was submitted for review")).to_be_visible()
    assert page.get_by_role("button", name="Approve").count() == 0

    # The public page has not changed.
    public = page.context.browser.new_page()
    public.goto(f"{live_server.url}/therapies/ocrelizumab/")
    assert "Browser-test wording." not in public.content()

    page.context.clear_cookies()
    log_in(page, "rev")
    page.goto("/admin/therapies/changerequest/?awaiting=yes")
    page.get_by_role("link", name="Ocrelizumab dosing wording").click()
    page.wait_for_url("**/changerequest/*/change/**")
    expect(page.locator(".diff-table ins").first).to_be_visible()
    screenshot(page, "review-diff-1280")
    page.get_by_role("button", name="Approve").click()
    # The confirm step lists the objects, the significance and the change note; nothing happens until "Yes".
    expect(page.get_by_role("heading", name="Approve change request")).to_be_visible()
    expect(page.get_by_text("Therapy: Ocrelizumab")).to_be_visible()
    expect(page.get_by_text("Reworded the dosing section.")).to_be_visible()
    expect(page.locator(".confirm-summary")).to_contain_text("Significance")
    screenshot(page, "confirm-approve-1280")
    page.get_by_role("button", name="Yes, approve").click()
    expect(page.get_by_text("was approved")).to_be_visible()
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_role("heading", name="Publish change request")).to_be_visible()
    page.get_by_role("button", name="Yes, publish now").click()
    expect(page.get_by_text("was published")).to_be_visible()

    public.goto(f"{live_server.url}/therapies/ocrelizumab/")
    assert "Browser-test wording." in public.content()
    assert "Reworded the dosing section." in public.content()
    public.close()
