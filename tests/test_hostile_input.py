"""Hostile Markdown/HTML is rendered harmless everywhere it is shown: public page, preview, diff, admin."""

import pytest
from django.urls import reverse

from therapies import workflow
from therapies.models import Therapy

from .hostile_inputs import PAYLOADS, live_dangers
from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db

# Elements the admin screens use themselves (our own forms, style sheets, text areas, icons).
ADMIN_ELEMENTS = {"form", "link", "meta", "textarea", "template", "svg", "details"}
PUBLIC_ELEMENTS = {"form", "link", "meta", "textarea"}  # the correction form


def _assert_harmless(html: str, payload: str, where: str, allowed: set[str]) -> None:
    problems = live_dangers(html, allowed_elements=allowed)
    assert problems == [], f"{where}: {problems}"
    if "<" in payload:
        assert payload not in html, f"{where}: the payload appears unescaped"


def test_the_checker_catches_what_it_should():
    """The checker itself can fail: unescaped payloads are reported."""
    assert live_dangers('<p><a href="jav&#x09;ascript:alert(1)">x</a></p>')
    assert live_dangers("<img src=x onerror=alert(1)>")
    assert live_dangers("<script>alert(1)</script>")
    assert live_dangers('<svg onload="alert(1)"></svg>')
    assert live_dangers('<p style="color:red">x</p>')
    assert not live_dangers('<script src="/static/admin/js/core.js"></script><a href="/x">x</a>')
    assert not live_dangers('<svg class="chart-svg" role="img"></svg>')  # the site's own chart
    assert live_dangers('<svg class="chart-svg" onload="alert(1)"></svg>')
    assert live_dangers('<svg class="other"></svg>')
    assert not live_dangers('<details class="counts"><summary>What this number counts</summary></details>')
    assert live_dangers("<details open><summary>x</summary></details>")
    assert live_dangers('<details class="counts" open ontoggle="alert(1)"></details>')


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_hostile_text_is_harmless_in_diff_preview_admin_and_public_page(client, payload, editor, reviewer):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    fields = {"dosing": payload, "mechanism": payload, "body": f"Intro.\n\n{payload}\n\nOutro.",
              "summary": payload[:300], "fda_approval_note": payload[:200]}
    change_request, revision = draft_change(editor, therapy, **fields)

    client.force_login(editor)
    preview = client.get(reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk]))
    assert preview.status_code == 200
    _assert_harmless(preview.content.decode(), payload, "preview", PUBLIC_ELEMENTS)
    edit = client.get(reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk]))
    _assert_harmless(edit.content.decode(), payload, "edit form", ADMIN_ELEMENTS)

    workflow.submit(change_request=change_request, user=editor, change_note=payload)
    client.force_login(reviewer)
    review = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    assert review.status_code == 200
    _assert_harmless(review.content.decode(), payload, "review diff", ADMIN_ELEMENTS)

    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    for path in ["/therapies/ocrelizumab/", "/therapies/", "/"]:
        page = client.get(path)
        assert page.status_code == 200
        _assert_harmless(page.content.decode(), payload, path, PUBLIC_ELEMENTS)
    admin_page = client.get(reverse("admin:therapies_therapy_change", args=[therapy.pk]))
    assert admin_page.status_code == 200
    _assert_harmless(admin_page.content.decode(), payload, "admin content page", ADMIN_ELEMENTS)


def test_hostile_text_in_a_review_comment_is_harmless(client, editor, reviewer):
    change_request, revision = draft_change(editor, dosing="Fine.")
    for payload in PAYLOADS:
        workflow.comment(change_request=change_request, user=editor, body=payload, revision=revision,
                         field_name="dosing")
    client.force_login(reviewer)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    for payload in PAYLOADS:
        _assert_harmless(html, payload, "comments", ADMIN_ELEMENTS)


def test_a_nul_character_in_a_draft_is_refused_with_a_message_and_nothing_is_saved(client, editor):
    """PostgreSQL cannot store NUL in text: the edit form refuses it before it gets that far."""
    from .test_review_views import form_data

    change_request, revision = draft_change(editor)
    client.force_login(editor)
    url = reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])
    data = form_data(client.get(url))
    data["content-dosing"] = "Before\x00after"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert "\x00" not in Therapy.objects.get(slug="ocrelizumab").dosing
