"""Editing a trial's outcomes in the admin, as an editor does: the formset, its messages, the preview."""

import pytest
from django.urls import reverse

from therapies.admin.outcome_forms import arms_text, parse_arms
from therapies.models import ChangeRequest, Trial, TrialOutcome

from .test_review_views import form_data

pytestmark = pytest.mark.django_db


def test_arms_are_typed_one_a_line_and_read_back_the_same():
    arms = parse_arms("Ocrelizumab | 0.16 | 410\nInterferon beta-1a | 0.29 |\n")
    assert arms == [{"label": "Ocrelizumab", "value": 0.16, "n": 410},
                    {"label": "Interferon beta-1a", "value": 0.29, "n": None}]
    assert parse_arms(arms_text(arms)) == arms


@pytest.mark.parametrize(("text", "message"), [
    ("Ocrelizumab 0.16 410", "Line 1: write “label | value | number of people”"),
    ("A | 0.1 | 1\nB | sixteen | 4", "Line 2: the value must be a number"),
])
def test_a_badly_typed_arm_is_named_by_its_line(text, message):
    with pytest.raises(Exception) as caught:
        parse_arms(text)
    assert message in str(caught.value)


def test_editor_changes_an_outcome_in_a_change_request(client, editor):
    trial = Trial.objects.get(slug="opera-i")
    client.force_login(editor)
    client.post(reverse("admin:therapies_start_edit", args=["trial", trial.pk]),
                {"title": "OPERA I arm sizes", "significance": "minor"})
    change_request = ChangeRequest.objects.get(title="OPERA I arm sizes")
    revision = change_request.revisions.get()
    edit_url = reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])
    page = client.get(edit_url)
    html = page.content.decode()
    assert "Outcomes of this trial" in html and "Ocrelizumab | 0.16 |" in html

    data = form_data(page)
    data["outcomes-0-arms"] = "Ocrelizumab | 16 | 410\nInterferon beta-1a | 0.29 | 411"
    data["outcomes-0-kind"] = "proportion"
    data["outcomes-0-event"] = "had a relapse"
    data["_save"] = "Save draft"
    refused = client.post(edit_url, data)
    assert refused.status_code == 200
    assert "fraction from 0 to 1 (32.9% is 0.329), not 16.0" in refused.content.decode()

    data["outcomes-0-kind"] = "arr"
    data["outcomes-0-event"] = ""
    data["outcomes-0-arms"] = "Ocrelizumab | 0.16 | 410\nInterferon beta-1a | 0.29 | 900"
    refused = client.post(edit_url, data)
    assert "900 people is more than the 821 randomised" in refused.content.decode()

    data["outcomes-0-arms"] = "Ocrelizumab | 0.16 | 410\nInterferon beta-1a | 0.29 | 411"
    response = client.post(edit_url, data)
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.snapshot["children"]["outcomes"][0]["arms"][1] == {"label": "Interferon beta-1a", "value": 0.29,
                                                                      "n": 411}
    assert TrialOutcome.objects.get(trial=trial, position=1).arms[1]["n"] is None  # live page unchanged

    preview = client.get(reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk]))
    assert "Interferon beta-1a: 411 people" in preview.content.decode()
    review = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert "Interferon beta-1a: 0.29 (411 people)" in review


def test_the_editorial_team_may_view_outcomes_and_nobody_may_change_them_directly(editor, reviewer):
    for user in (editor, reviewer):
        assert user.has_perm("therapies.view_trialoutcome")
        assert not user.has_perm("therapies.change_trialoutcome")
        assert not user.has_perm("therapies.add_trialoutcome")
