"""Issue 14 in Chromium: the edit form an editor lives in, and the history's compare button.

An editor drafts a new source and cites it through the reference search, adds a risk row that duplicates
one already listed, is shown the error summary at the top with a link that takes them to the row, fixes it
and submits the change request. No Content Security Policy violation on the way (select2 included).
"""

from playwright.sync_api import expect

from therapies import workflow
from therapies.models import ChangeRequest, Reference, Revision, Risk, Therapy

from ..workflow_helpers import approved_change
from .conftest import screenshot
from .test_editorial_flow import log_in, make_user
from .test_reader_features import blocking_violations, describe


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(f"script error {error}"))
    return violations


def test_editor_adds_a_risk_row_and_a_new_reference_fixes_a_duplicate_and_submits(page, django_user_model):
    make_user(django_user_model, "ed", "Editors")
    violations = watch_csp(page)
    therapy = Therapy.objects.get(slug="ocrelizumab")
    log_in(page, "ed")
    page.goto(f"/admin/therapies/therapy/{therapy.pk}/change/")
    page.get_by_role("link", name="Edit in a change request").click()
    page.get_by_label("Title").fill("Ocrelizumab: new risk and source")
    page.get_by_role("button", name="Edit in a change request").click()
    change_request = ChangeRequest.objects.get(title="Ocrelizumab: new risk and source")
    revision = Revision.objects.get(change_request=change_request, object_id=therapy.pk)

    # A new source, drafted in the same change request.
    page.goto(f"/admin/therapies/changerequest/{change_request.pk}/change/")
    page.get_by_role("link", name="New reference").click()
    page.locator("#id_content-key").fill("browser-source-2026")
    page.locator("#id_content-kind").select_option("web")
    page.locator("#id_content-title").fill("Browser source on infusion reactions")
    page.locator("#id_content-source").fill("Test agency")
    page.locator("#id_content-url").fill("https://example.org/browser-source")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    source = Reference.objects.get(key="browser-source-2026")

    # The therapy: a risk row that repeats row 1's risk, and the new source chosen through the search.
    page.goto(f"/admin/therapies/changerequest/{change_request.pk}/revision/{revision.pk}/edit/")
    # Sections without a change are folded (issue 24): open the two this edit needs.
    page.locator("#section-risks > summary").click()
    page.locator("#section-references > summary").click()
    last = int(page.locator("#id_therapy_risks-TOTAL_FORMS").input_value()) - 1
    first_risk = page.locator("#id_therapy_risks-0-risk").input_value()
    page.locator(f"#id_therapy_risks-{last}-risk").select_option(first_risk)
    page.locator(f"#id_therapy_risks-{last}-frequency").select_option("rare")
    search = page.locator("#section-references .select2-search__field")
    search.click()
    search.fill("Browser source")
    page.locator(".select2-results__option", has_text="Browser source on infusion reactions").click()
    page.get_by_role("button", name="Save draft").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < 400, "the summary is at the top of the page, not below the fold"
    screenshot(page, "edit-form-error-summary")
    axe = blocking_violations(page)
    assert axe == [], describe(axe)
    summary.get_by_role("link", name="already listed in row 1").click()
    duplicate = page.locator(f"#id_therapy_risks-{last}-risk")
    expect(duplicate).to_be_focused()
    expect(duplicate).to_be_in_viewport()
    # What was typed is still there, the chosen source too.
    expect(page.locator("#id_content-references option:checked", has_text="Browser source")).to_have_count(1)

    added = Risk.objects.get(slug="macular-oedema")
    duplicate.select_option(str(added.pk))
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    page.get_by_role("textbox", name="Change note").fill("Added macular oedema and its source.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("was submitted for review")).to_be_visible()

    revision.refresh_from_db()
    assert source.pk in revision.snapshot["m2m"]["references"]
    assert added.pk in [row["risk"] for row in revision.snapshot["children"]["therapy_risks"]]
    assert violations == []


def test_compare_selected_versions_from_the_history_page(page, django_user_model):
    editor = make_user(django_user_model, "ed", "Editors")
    reviewer = make_user(django_user_model, "rev", "Medical reviewers")
    therapy = Therapy.objects.get(slug="ocrelizumab")
    for text in ["Version one.", "Version two."]:
        workflow.publish(change_request=approved_change(editor, reviewer, therapy, dosing=text), user=reviewer)
    log_in(page, "ed")
    page.goto(f"/admin/therapies/therapy/{therapy.pk}/change/")
    page.get_by_role("button", name="Compare selected versions").click()
    expect(page.get_by_role("heading", name="Compare versions of Ocrelizumab")).to_be_visible()
    expect(page.locator("del", has_text="one.")).to_be_visible()
    expect(page.locator("ins", has_text="two.")).to_be_visible()
