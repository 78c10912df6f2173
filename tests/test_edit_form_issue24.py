"""The edit form, second round (issue 24): a sticky action bar with Submit, sections folded unless changed or in
error, the GOV.UK error pattern in full (one summary, specific messages above their inputs, "Error:" in the
title), checkbox labels beside their boxes, the slug fixed once live, labels in words."""

import re

import pytest
from django.urls import reverse

from therapies.models import Reference, State, Trial

from .test_edit_form import edit_url, form_data
from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db


def _open_sections(html: str) -> list[str]:
    return re.findall(r'<details class="form-section[^"]*" id="([^"]+)" open>', html)


def test_only_sections_with_changes_or_errors_are_open(client, editor):
    change_request, revision = draft_change(editor, dosing="Reworded dosing.")
    client.force_login(editor)
    url = edit_url(change_request, revision)
    response = client.get(url)
    assert _open_sections(response.content.decode()) == ["section-route-and-dosing"]
    data = form_data(response)
    data["content-monitoring"] = ""
    html = client.post(url, data).content.decode()
    assert _open_sections(html) == ["section-route-and-dosing", "section-monitoring"]


def test_a_new_objects_sections_are_all_open(client, editor):
    change_request, _ = draft_change(editor)
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_object_new", args=[change_request.pk, "risk"])).content.decode()
    assert len(_open_sections(html)) == html.count('<details class="form-section') == 4


def test_the_action_bar_comes_first_in_the_form_with_submit(client, editor):
    change_request, revision = draft_change(editor, dosing="x")
    client.force_login(editor)
    html = client.get(edit_url(change_request, revision)).content.decode()
    form = html[html.index('<form method="post" novalidate>'):]
    bar = form[form.index('class="submit-row editor-actions"'):form.index("</div>")]
    assert form.index("editor-actions") < form.index('class="form-section')
    for label in ("Save draft", "Preview", "Save and submit for review", "Cancel"):
        assert label in bar


def test_save_and_submit_sends_it_for_review_or_says_what_is_missing(client, editor):
    change_request, revision = draft_change(editor, dosing="x")
    client.force_login(editor)
    url = edit_url(change_request, revision)
    data = {**form_data(client.get(url)), "content-dosing": "Given by infusion.", "_submit": ""}
    response = client.post(url, data)
    # No change note yet: saved, not submitted, and sent to the change note.
    assert response["Location"].endswith("#change-note-form")
    change_request.refresh_from_db()
    assert change_request.state == State.DRAFT
    change_request.change_note = "Reworded the dosing."
    change_request.save()
    data = {**form_data(client.get(url)), "content-dosing": "Given by infusion, twice.", "_submit": ""}
    client.post(url, data)
    change_request.refresh_from_db()
    assert change_request.state == State.IN_REVIEW


def test_errors_follow_the_govuk_pattern(client, editor):
    trial = Trial.objects.get(slug="opera-i")
    change_request, revision = draft_change(editor, trial)
    client.force_login(editor)
    url = edit_url(change_request, revision)
    data = form_data(client.get(url))
    data["content-nct_id"] = ""
    data["content-comparator"] = ""
    response = client.post(url, data)
    html = response.content.decode()
    assert re.search(r"<title>Error: ", html)
    # One summary, no second banner.
    assert "The draft was not saved" not in html and html.count("There is a problem") == 1
    message = "Enter the trial&#x27;s ClinicalTrials.gov id, like NCT01247324"
    assert f'<a href="#id_content-nct_id">ClinicalTrials.gov id: {message}</a>' in html
    assert "This field is required" not in html and "Enter the comparator" in html
    # The message sits above its input, which it describes.
    error = html.index('id="id_content-nct_id_error"')
    field = html.index('id="id_content-nct_id"')
    assert error < field
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_content-nct_id_error"[^>]*id="id_content-nct_id"', html)
    assert '<span class="visually-hidden">Error:</span>' in html[error - 200:field]


def test_a_checkbox_label_sits_beside_its_box(client, editor):
    change_request, _ = draft_change(editor)
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_object_new", args=[change_request.pk, "risk"])).content.decode()
    assert re.search(r'<div class="checkbox-row"><input type="checkbox"[^>]*id="id_content-boxed_warning"[^>]*> '
                     r'<label for="id_content-boxed_warning">Boxed warning</label></div>', html)


def test_the_slug_is_fixed_once_the_page_is_live(client, editor):
    change_request, revision = draft_change(editor)  # ocrelizumab, live
    client.force_login(editor)
    url = edit_url(change_request, revision)
    response = client.get(url)
    assert re.search(r'<input[^>]*name="content-slug"[^>]*disabled', response.content.decode())
    data = {**form_data(response), "content-slug": "renamed-by-post"}
    client.post(url, data)
    revision.refresh_from_db()
    assert revision.snapshot["fields"]["slug"] == "ocrelizumab"


def test_a_new_objects_slug_can_be_typed(client, editor):
    change_request, _ = draft_change(editor)
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_object_new", args=[change_request.pk, "risk"])).content.decode()
    assert not re.search(r'<input[^>]*name="content-slug"[^>]*disabled', html)


def test_fields_are_labelled_in_words(client, editor):
    change_request, _ = draft_change(editor)
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_object_new", args=[change_request.pk, "reference"])).content.decode()
    assert ">Web address<" in html and ">Url<" not in html
    assert str(Reference._meta.get_field("url").verbose_name) == "Web address"
