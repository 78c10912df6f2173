"""Comparators are data (issue 22): a therapy–risk link stores the comparison group's figure, the group and
the trial; they are edited, diffed, published, exported and served like every other field; and a frequency
badge never contradicts its own figure (models/risk_figures.py)."""

import copy
import re

import pytest
from django.core.exceptions import ValidationError

from therapies import workflow
from therapies.admin.forms import TherapyRiskFormSet
from therapies.editorial.diff import diff_snapshots
from therapies.models import Risk, Therapy, TherapyRisk, Trial

from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db


def risk_rows(**row) -> dict:
    risk = Risk.objects.get(slug="pml")
    data = {"therapy_risks-TOTAL_FORMS": "1", "therapy_risks-INITIAL_FORMS": "0"}
    defaults = {"risk": str(risk.pk), "frequency": "common", "figure": "5%", "measure": "people, 2 years",
                "notes": ""}
    data.update({f"therapy_risks-0-{k}": v for k, v in {**defaults, **row}.items()})
    return data


def errors_of(**row) -> str:
    formset = TherapyRiskFormSet(data=risk_rows(**row), prefix="therapy_risks")
    assert not formset.is_valid()
    return str(formset.errors)


# --- The badge never contradicts its figure ----------------------------------------------------------


def test_a_figure_outside_its_category_is_refused_by_the_risk_form():
    assert "contradicts its category" in errors_of(frequency="very-common", figure="ALT ≥3× ULN 8%")


def test_a_figure_outside_its_category_is_kept_when_what_the_category_counts_is_named():
    formset = TherapyRiskFormSet(
        data=risk_rows(frequency="very-common", figure="ALT ≥3× ULN 8%", category_counts="ALT increased, any amount"),
        prefix="therapy_risks",
    )
    assert formset.is_valid(), formset.errors
    assert formset.to_rows()[0]["category_counts"] == "ALT increased, any amount"


def test_the_model_refuses_a_badge_that_contradicts_its_figure():
    link = TherapyRisk.objects.get(therapy__slug="fingolimod", risk__slug="liver-injury")
    link.full_clean()  # the seed names what the label's "very common" counts
    link.category_counts = ""
    with pytest.raises(ValidationError, match="by the CIOMS bands it is common"):
        link.full_clean()


def test_no_seed_badge_contradicts_its_figure_unless_it_names_what_it_counts():
    for link in TherapyRisk.objects.select_related("therapy", "risk"):
        link.full_clean()


# --- The comparator's figure, group and trial ----------------------------------------------------------


def test_a_comparator_figure_needs_its_group_and_a_group_its_figure():
    assert "Say which group the comparator figure is from" in errors_of(comparator_figure="3%")
    assert "Give the comparison group's figure" in errors_of(comparator="placebo")
    assert "as a number" in errors_of(comparator="placebo", comparator_figure="about the same")
    assert "give the therapy's figure too" in errors_of(figure="", measure="", comparator="placebo",
                                                        comparator_figure="3%")


def test_a_comparator_trial_of_another_therapy_is_refused_naming_it(editor):
    change_request, revision = draft_change(editor)  # ocrelizumab
    snapshot = revision.snapshot
    row = next(r for r in snapshot["children"]["therapy_risks"] if r["comparator_figure"])
    row["comparator_trial"] = Trial.objects.get(slug="affirm").pk
    with pytest.raises(workflow.WorkflowError, match="AFFIRM is not a trial of Ocrelizumab"):
        workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)


def test_the_comparator_is_edited_diffed_and_published_like_every_field(editor, reviewer):
    change_request, revision = draft_change(editor)
    before = copy.deepcopy(revision.snapshot)
    snapshot = revision.snapshot
    row = next(r for r in snapshot["children"]["therapy_risks"] if r["comparator_figure"] == "4%")
    row["comparator_figure"] = "4.2%"
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)

    (changed,) = diff_snapshots(Therapy, before, snapshot).rows
    assert "Comparator's figure: “4%” → “4.2%”" in changed.details

    workflow.submit(change_request=change_request, user=editor, change_note="Corrected the herpes comparator.")
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    link = TherapyRisk.objects.get(therapy__slug="ocrelizumab", risk__slug="herpes-infections")
    assert (link.comparator, link.comparator_figure, link.comparator_trial.slug) == (
        "interferon beta-1a", "4.2%", "opera-i")


def test_the_api_serves_the_comparator(client):
    therapy = client.get("/api/v1/therapies/ocrelizumab/").json()
    infections = next(r for r in therapy["risks"] if r["risk"]["slug"] == "low-immunoglobulins-infections")
    assert infections["comparator"] == "interferon beta-1a" and infections["comparator_figure"] == "52%"
    assert infections["comparator_trial"]["slug"] == "opera-i"


# --- The seed: every figure that names a comparator stores it, and the two agree -----------------------

_VS = re.compile(r"^[^;]*?(\d+(?:\.\d+)?)%[^;]*?\bvs\.? (\d+(?:\.\d+)?)%")


def test_every_seed_figure_stated_against_a_comparator_stores_the_same_comparator_figure():
    checked = 0
    for link in TherapyRisk.objects.select_related("therapy", "risk"):
        found = _VS.search(link.figure)
        if found is None:
            continue
        name = f"{link.therapy} / {link.risk}"
        assert link.comparator, f"{name}: the figure names a comparator the link does not store"
        assert link.comparator_figure.startswith(found.group(2) + "%"), name
        checked += 1
    assert checked >= 15


def test_every_stored_comparator_names_a_trial_of_its_own_therapy_or_says_the_figures_are_pooled():
    for link in TherapyRisk.objects.exclude(comparator=""):
        if link.comparator_trial is None:
            assert "per 100 patient-years" in link.comparator_figure, link  # cladribine's pooled studies
            continue
        assert link.comparator_trial.therapy_id == link.therapy_id, link


# --- Shown beside every figure --------------------------------------------------------------------------


def test_the_risk_tables_show_the_comparator_or_say_none_is_known_and_what_a_category_counts(client):
    from html import unescape

    ocrelizumab = unescape(client.get("/therapies/ocrelizumab/").content.decode())
    assert "Comparison group: 52% on interferon beta-1a." in ocrelizumab
    ublituximab = unescape(client.get("/therapies/ublituximab/").content.decode())
    assert "45.3% <span class=\"cell-note\">The sources give no figure for a comparison group.</span>" in ublituximab
    fingolimod = unescape(client.get("/therapies/fingolimod/").content.decode())
    assert "This category is for ALT increased, by any amount; the figure counts something else" in fingolimod
    # A figure in words compares with nothing: no "no figure for a comparison group" beside it.
    in_words = TherapyRisk.objects.get(therapy__slug="fingolimod", risk__slug="harm-to-unborn-baby").figure
    assert not any(ch.isdigit() for ch in in_words)
    assert f"{in_words} <span class=\"cell-note\">The sources give no figure" not in fingolimod
    assert in_words in fingolimod
    liver = unescape(client.get("/risks/liver-injury/").content.decode())
    assert "Comparison group: 12.2% on teriflunomide." in liver


def test_the_edit_forms_risk_rows_offer_the_comparator_fields():
    fields = TherapyRiskFormSet(prefix="therapy_risks").empty_form.fields
    assert {"category_counts", "comparator", "comparator_figure", "comparator_trial"} <= set(fields)
    assert fields["comparator_figure"].label == "Comparator's figure"
