"""Issue 14: "Compare selected versions" on an object's history works from the history page itself.

Its form was nested inside the admin's change form, so the browser dropped it and the button posted the
(read-only) change form instead: 403 Forbidden. These tests press the button as a browser would.
"""

import pytest
from django.urls import reverse

from therapies import workflow
from therapies.models import Therapy

from .html_forms import form_of_button, submitted_values
from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(editor, reviewer):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    for text in ["Version one.", "Version two."]:
        workflow.publish(change_request=approved_change(editor, reviewer, therapy, dosing=text), user=reviewer)
    return therapy


@pytest.mark.parametrize("who", ["editor2", "reviewer2"])
def test_compare_selected_versions_from_the_history_page_shows_the_diff(client, two_versions, who, request):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("admin:therapies_therapy_change", args=[two_versions.pk])).content.decode()
    form = form_of_button(page, "Compare selected versions")
    assert form.get("method", "get").lower() == "get"
    assert form["action"] == reverse("admin:therapies_compare", args=["therapy", two_versions.pk])
    response = client.get(form["action"], submitted_values(form))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>one.</del>" in html and "<ins>two.</ins>" in html


def test_every_form_on_the_history_page_is_its_own(client, two_versions, reviewer2):
    """Revert and the reviewer's actions are forms of their own too, not swallowed by the change form."""
    client.force_login(reviewer2)
    page = client.get(reverse("admin:therapies_therapy_change", args=[two_versions.pk])).content.decode()
    assert form_of_button(page, "Revert to this version")["action"].endswith("/revert/")
    assert form_of_button(page, "Confirm still accurate")["action"].endswith("/confirm/")
    assert form_of_button(page, "Unpublish")["action"].endswith("/unpublish/")


def test_reviewer_actions_are_their_own_forms_on_a_page_with_no_history(client, reviewer):
    """With no published versions there is no compare form before them to close the change form."""
    client.force_login(reviewer)
    fingolimod = Therapy.objects.get(slug="fingolimod")
    page = client.get(reverse("admin:therapies_therapy_change", args=[fingolimod.pk])).content.decode()
    confirm = form_of_button(page, "Confirm still accurate")
    assert confirm["action"] == reverse("admin:therapies_object_action", args=["therapy", fingolimod.pk, "confirm"])
