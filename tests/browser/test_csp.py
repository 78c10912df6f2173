"""The Content-Security-Policy blocks nothing the site itself uses: public pages and the admin, in Chromium."""

from django.contrib.auth.models import Group
from django.urls import reverse

from therapies.models import Therapy

from ..workflow_helpers import draft_change
from .conftest import screenshot


def test_no_csp_violations_on_public_pages_and_admin_screens(page, django_user_model, live_server):
    editor = django_user_model.objects.create_user(
        username="csp-editor", password="browser-test-pw-long", email="csp@example.org",
        first_name="Csp", last_name="Editor", is_staff=True,
    )
    editor.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Medical reviewers"))
    therapy = Therapy.objects.get(slug="ocrelizumab")
    change_request, revision = draft_change(editor, therapy, dosing="A draft with **Markdown**.")

    violations: list[str] = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: script error {error}"))

    for path in ["/", "/therapies/", "/therapies/ocrelizumab/", "/risks/", "/trials/"]:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("csp-editor")
    page.get_by_label("Password").fill("browser-test-pw-long")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    admin_pages = [
        reverse("admin:therapies_changerequest_changelist"),
        reverse("admin:therapies_changerequest_change", args=[change_request.pk]),
        reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk]),
        reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk]),
        reverse("admin:therapies_therapy_change", args=[therapy.pk]),
        reverse("admin:therapies_therapy_changelist"),
    ]
    for path in admin_pages:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    # The admin's own JavaScript ran (the theme toggle and the actions checkbox are scripted).
    page.goto(reverse("admin:therapies_changerequest_changelist"))
    assert page.evaluate("typeof window.django !== 'undefined' || document.querySelector('#action-toggle') !== null")
    screenshot(page, "csp-admin-changelist")
    assert violations == []
