"""The editorial screens in the admin, driven over HTTP as editors and reviewers use them."""

import pytest
from django.urls import reverse

from therapies import workflow
from therapies.models import ChangeRequest, Revision, Risk, State, Therapy, TherapyRisk

from .workflow_helpers import approved_change, confirmed_post, draft_change, seen_on_review_page, submitted_change

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The initial values of the draft form and risk formset on an edit page, as a browser would post them."""
    data = {}
    if response.context.get("version"):
        data["_version"] = str(response.context["version"])  # the hidden optimistic-version field
    form = response.context["form"]
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)
    for prefix, formset in response.context["formsets"].items():
        management = formset.management_form
        for name in management.fields:
            data[f"{prefix}-{name}"] = str(management[name].value())
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if value not in (None, False, ""):
                    data[row.add_prefix(name)] = str(value.pk if hasattr(value, "pk") else value)
    return data


def test_editor_edits_ocrelizumab_in_a_change_request_and_the_public_page_is_unchanged(client, editor):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    client.force_login(editor)
    page = client.get(reverse("admin:therapies_therapy_change", args=[therapy.pk]))
    assert "Edit in a change request" in page.content.decode()
    response = client.post(
        reverse("admin:therapies_start_edit", args=["therapy", therapy.pk]),
        {"title": "Update ocrelizumab dosing", "significance": "minor"},
    )
    change_request = ChangeRequest.objects.get(title="Update ocrelizumab dosing")
    revision = change_request.revisions.get()
    edit_url = reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])
    assert response["Location"] == edit_url
    edit_page = client.get(edit_url)
    assert "Save draft" in edit_page.content.decode() and "Preview" in edit_page.content.decode()
    data = form_data(edit_page)
    data["content-dosing"] = "New dosing text for the test."
    added = Risk.objects.get(slug="macular-oedema")  # not linked to ocrelizumab (PML now is)
    total = int(data["therapy_risks-TOTAL_FORMS"])
    data[f"therapy_risks-{total - 1}-risk"] = str(added.pk)
    data[f"therapy_risks-{total - 1}-frequency"] = "rare"
    data["_save"] = "Save draft"
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    revision.refresh_from_db()
    assert revision.snapshot["fields"]["dosing"] == "New dosing text for the test."
    assert added.pk in [row["risk"] for row in revision.snapshot["children"]["therapy_risks"]]
    public = client.get("/therapies/ocrelizumab/").content.decode()
    assert "New dosing text for the test." not in public
    assert not TherapyRisk.objects.filter(therapy=therapy, risk=added).exists()
    review_page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    html = review_page.content.decode()
    entry = review_page.context["entries"][0]
    assert [f["change"].name for f in entry["fields"]] == ["dosing"]
    assert "<ins>" in entry["fields"][0]["change"].new_html and "<del>" in entry["fields"][0]["change"].old_html
    assert "+ Risk: Macular oedema — rare" in html
    assert "Submit for review" in html


def test_preview_shows_the_draft_under_a_banner_and_is_not_cacheable(client, editor):
    change_request, revision = draft_change(editor, dosing="Previewed dosing.")
    client.force_login(editor)
    response = client.get(reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk]))
    html = response.content.decode()
    assert "Preview — not published" in html
    assert "Previewed dosing." in html
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_preview_is_for_the_editorial_team_only(client, editor, superuser, django_user_model):
    change_request, revision = draft_change(editor, dosing="Secret draft.")
    url = reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    # Signed in to the admin but not an editor: a superuser without an editorial group, staff with no group.
    staff = django_user_model.objects.create_user(username="staff", password="pw-for-tests", is_staff=True)
    for user in (superuser, staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403
        assert "Secret draft." not in response.content.decode()
    client.force_login(editor)
    assert "Secret draft." in client.get(url).content.decode()


def test_reviewer_sees_the_diff_approves_and_publishes(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="Reviewed dosing words.")
    client.force_login(reviewer)
    awaiting = client.get(reverse("admin:therapies_changerequest_changelist"), {"awaiting": "yes"})
    assert change_request in awaiting.context["cl"].result_list
    page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    html = page.content.decode()
    assert "Approve" in html and "Request changes" in html and "Reject" in html
    action = lambda name: reverse("admin:therapies_changerequest_action", args=[change_request.pk, name])  # noqa: E731
    seen = seen_on_review_page(client, change_request)
    confirmed_post(client, action("approve"), {"significance": "major", "seen": seen})
    assert ChangeRequest.objects.get(pk=change_request.pk).state == State.APPROVED
    page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    assert "Publish now" in page.content.decode()
    confirmed_post(client, action("publish"), {"seen": seen_on_review_page(client, change_request)})
    assert ChangeRequest.objects.get(pk=change_request.pk).state == State.PUBLISHED
    public = client.get("/therapies/ocrelizumab/").content.decode()
    assert "Reviewed dosing words." in public
    assert "Clarified the dosing." in public  # the change note joined the page history


def test_author_is_not_offered_approve_and_a_forged_post_is_refused(client, reviewer):
    change_request = submitted_change(reviewer, dosing="Self-approved?")
    client.force_login(reviewer)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert ">Approve</button>" not in html
    assert "someone else must approve" in html
    response = client.post(
        reverse("admin:therapies_changerequest_action", args=[change_request.pk, "approve"]), follow=True
    )
    assert "You edited this change request, so someone else must approve it." in response.content.decode()
    assert ChangeRequest.objects.get(pk=change_request.pk).state == State.IN_REVIEW


def test_request_changes_over_http_leaves_a_comment_for_the_editor(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    client.force_login(reviewer)
    confirmed_post(
        client, reverse("admin:therapies_changerequest_action", args=[change_request.pk, "request_changes"]),
        {"text": "Please cite the label."},
    )
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert "Please cite the label." in html
    assert "Changes requested" in html


def test_comment_on_a_field(client, editor, reviewer):
    change_request, revision = draft_change(editor, dosing="x")
    client.force_login(reviewer)
    client.post(
        reverse("admin:therapies_changerequest_action", args=[change_request.pk, "comment"]),
        {"body": "Which label version?", "revision": revision.pk, "field_name": "dosing"},
    )
    note = change_request.comments.get()
    assert (note.field_name, note.revision, note.author) == ("dosing", revision, reviewer)


def test_second_editor_is_told_who_holds_the_object(client, editor, editor2):
    change_request, _ = draft_change(editor, title="Ocrelizumab dosing")
    client.force_login(editor2)
    therapy = Therapy.objects.get(slug="ocrelizumab")
    response = client.post(
        reverse("admin:therapies_start_edit", args=["therapy", therapy.pk]),
        {"title": "My own change", "significance": "minor"},
        follow=True,
    )
    assert (
        f"Ocrelizumab is already being changed in change request #{change_request.pk} "
        "(“Ocrelizumab dosing”) by Editor Tester."
    ) in response.content.decode()


def test_live_content_cannot_be_edited_directly_even_by_a_superuser(client, superuser):
    client.force_login(superuser)
    therapy = Therapy.objects.get(slug="ocrelizumab")
    url = reverse("admin:therapies_therapy_change", args=[therapy.pk])
    response = client.post(url, {"name": "Hacked", "slug": "ocrelizumab"})
    assert response.status_code == 403
    assert Therapy.objects.get(pk=therapy.pk).name == "Ocrelizumab"
    assert client.get(reverse("admin:therapies_therapy_add")).status_code == 403


def test_new_object_in_a_change_request_over_http(client, editor):
    change_request, _ = draft_change(editor)
    client.force_login(editor)
    url = reverse("admin:therapies_object_new", args=[change_request.pk, "risk"])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {
        "content-name": "Test new risk", "content-slug": "test-new-risk", "content-summary": "A summary.",
        "content-description": "Words.", "content-severity": "mild", "content-monitoring": "- check",
        "_save": "Save draft",
    })
    assert response.status_code == 302
    risk = Risk.objects.get(slug="test-new-risk")
    assert not risk.live
    assert Revision.objects.get(object_id=risk.pk, content_type__model="risk").is_new
    assert client.get("/risks/test-new-risk/").status_code == 404


def test_invalid_draft_shows_errors_and_saves_nothing(client, editor):
    change_request, revision = draft_change(editor)
    client.force_login(editor)
    url = reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])
    data = form_data(client.get(url))
    data["content-name"] = ""  # (the slug of a live page is fixed: test_edit_form_issue24.py)
    data["content-summary"] = "Changed, but not saved with the error."
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Enter the generic name" in response.content.decode()
    revision.refresh_from_db()
    assert revision.snapshot["fields"]["name"] == "Ocrelizumab"
    assert revision.snapshot["fields"]["summary"] != "Changed, but not saved with the error."


def test_history_compare_and_revert_from_the_object_page(client, editor, reviewer, editor2, reviewer2):
    from therapies import workflow

    therapy = Therapy.objects.get(slug="ocrelizumab")
    for text in ["Version one.", "Version two."]:
        workflow.publish(change_request=approved_change(editor, reviewer, therapy, dosing=text), user=reviewer)
    client.force_login(editor2)
    page = client.get(reverse("admin:therapies_therapy_change", args=[therapy.pk]))
    html = page.content.decode()
    assert "Revert to this version" in html and "Clarified the dosing." in html
    history = page.context["history"]
    compare = client.get(
        reverse("admin:therapies_compare", args=["therapy", therapy.pk]), {"a": history[1].pk, "b": history[0].pk}
    )
    assert "<del>one.</del>" in compare.content.decode() and "<ins>two.</ins>" in compare.content.decode()
    response = client.post(reverse("admin:therapies_revert", args=[history[1].pk]))
    revert_request = ChangeRequest.objects.latest("pk")
    assert response["Location"] == reverse("admin:therapies_changerequest_change", args=[revert_request.pk])
    assert revert_request.revisions.get().snapshot["fields"]["dosing"] == "Version one."


def test_reviewer_unpublishes_and_confirms_from_the_object_page(client, reviewer):
    client.force_login(reviewer)
    fingolimod = Therapy.objects.get(slug="fingolimod")
    client.post(reverse("admin:therapies_object_action", args=["therapy", fingolimod.pk, "confirm"]),
                {"text": "Checked the whole page against the label."})
    assert Therapy.objects.get(pk=fingolimod.pk).last_reviewed_by == reviewer
    confirmed_post(client, reverse("admin:therapies_object_action", args=["therapy", fingolimod.pk, "unpublish"]),
                   {"text": "Label under revision."})
    assert client.get("/therapies/fingolimod/").status_code == 404


def test_audit_log_is_listed_and_read_only(client, editor, superuser):
    draft_change(editor)
    client.force_login(superuser)
    listing = client.get(reverse("admin:therapies_auditevent_changelist"))
    assert listing.status_code == 200 and listing.context["cl"].result_count >= 2
    event_id = listing.context["cl"].result_list[0].pk
    assert client.post(reverse("admin:therapies_auditevent_delete", args=[event_id])).status_code == 403


def test_untouched_fields_do_not_show_as_changed_when_a_browser_sends_crlf(client, editor):
    change_request, revision = draft_change(editor)
    client.force_login(editor)
    url = reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])
    # Browsers send textareas with CRLF line ends.
    data = {k: (v.replace("\n", "\r\n") if isinstance(v, str) else v) for k, v in form_data(client.get(url)).items()}
    data["content-dosing"] = "Only this changed."
    data["_save"] = "Save draft"
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    entry = page.context["entries"][0]
    assert [f["change"].name for f in entry["fields"]] == ["dosing"]
    assert entry["diff"].rows == []


def test_editor_replies_to_a_reviewers_field_comment(client, editor, reviewer):
    change_request, revision = draft_change(editor, dosing="x")
    action = reverse("admin:therapies_changerequest_action", args=[change_request.pk, "comment"])
    client.force_login(reviewer)
    client.post(action, {"body": "Which label version?", "revision": revision.pk, "field_name": "dosing"})
    question = change_request.comments.get()
    client.force_login(editor)
    client.post(action, {"body": "The 2024 label.", "parent": question.pk})
    answer = change_request.comments.exclude(pk=question.pk).get()
    assert (answer.parent, answer.revision, answer.field_name) == (question, revision, "dosing")
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert html.index("Which label version?") < html.index("The 2024 label.")
    assert html.count("The 2024 label.") == 1  # shown once, under its question


def test_a_reviewer_is_warned_that_editing_would_make_them_an_author(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    client.force_login(reviewer)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert "you become one of its authors" in html
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert "you become one of its authors" not in html


def test_the_stale_approval_is_refused_over_http(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="20 mg once a month.")
    client.force_login(reviewer)
    seen = seen_on_review_page(client, change_request)  # the reviewer reads "20 mg"
    revision = change_request.revisions.get()
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "2000 mg once a month."
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    workflow.submit(change_request=change_request, user=editor)
    action = reverse("admin:therapies_changerequest_action", args=[change_request.pk, "approve"])
    for data in ({"significance": "minor", "seen": seen}, {"significance": "minor"}):  # stale, or none at all
        response = client.post(action, data, follow=True)
        assert "This change request changed after you opened it: review it again." in response.content.decode()
        assert ChangeRequest.objects.get(pk=change_request.pk).state == State.IN_REVIEW
    assert "2000 mg" not in client.get("/therapies/ocrelizumab/").content.decode()


@pytest.mark.parametrize("ticked", [True, False])
def test_the_publish_form_records_a_full_review_only_when_ticked(client, editor, reviewer, ticked):
    before = Therapy.objects.get(slug="ocrelizumab")
    change_request = approved_change(editor, reviewer, dosing="Reworded dosing.")
    client.force_login(reviewer)
    page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert 'name="full_review"' in page and "in full against its sources" in page
    data = {"seen": seen_on_review_page(client, change_request), **({"full_review": "1"} if ticked else {})}
    confirmed_post(client, reverse("admin:therapies_changerequest_action", args=[change_request.pk, "publish"]), data)
    after = Therapy.objects.get(slug="ocrelizumab")
    assert after.dosing == "Reworded dosing." and after.last_published_at > before.last_published_at
    assert (after.last_reviewed_at > before.last_reviewed_at) is ticked
    public = client.get("/therapies/ocrelizumab/").content.decode()
    assert f"Last updated <time datetime=\"{after.last_published_at:%Y-%m-%d}\">" in public


def test_the_review_page_has_one_change_note_box_and_submit_sends_it(client, editor):
    """Issue 14: a second, empty "Change note" box under Actions was `required`, so a browser refused Submit
    after the editor had typed the note in the prominent one. One box now serves Save and Submit."""
    change_request, _ = draft_change(editor, dosing="x")
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert html.count('name="change_note"') == 1
    form = html[html.index('id="change-note-form"'):]
    form = form[:form.index("</form>")]
    submit_url = reverse("admin:therapies_changerequest_action", args=[change_request.pk, "submit"])
    assert 'name="change_note"' in form and f'formaction="{submit_url}"' in form and ">Submit for review<" in form
    client.post(submit_url, {"change_note": "Typed in the one box."})
    change_request.refresh_from_db()
    assert (change_request.state, change_request.change_note) == (State.IN_REVIEW, "Typed in the one box.")
