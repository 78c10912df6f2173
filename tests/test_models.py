"""Validation of the content models, and the seed content."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from therapies.management.commands import load_seed
from therapies.models import MSCourse, Reference, Risk, Therapy, TherapyRisk, Trial

from .factories import make_reference, make_therapy, make_trial

pytestmark = pytest.mark.django_db


def errors_for(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict


@pytest.mark.parametrize("bad", ["NCT123", "nct01247324", "NCT012473245", "01247324", "NCT0124732A"])
def test_trial_rejects_malformed_nct_id(bad):
    trial = make_trial(therapy=make_therapy())
    trial.nct_id = bad
    assert "“NCT” followed by exactly 8 digits" in " ".join(errors_for(trial)["nct_id"])


def test_trial_nct_id_must_be_unique():
    therapy = make_therapy()
    first = make_trial(therapy=therapy)
    second = make_trial(therapy=therapy)
    second.nct_id = first.nct_id
    assert errors_for(second)["nct_id"] == ["Another trial already has this ClinicalTrials.gov id."]


def test_trial_number_randomised_must_be_positive():
    trial = make_trial(therapy=make_therapy())
    trial.number_randomised = 0
    assert errors_for(trial)["number_randomised"] == ["The number randomised must be at least 1."]


def test_trial_phase_must_come_from_the_fixed_list():
    trial = make_trial(therapy=make_therapy())
    trial.phase = "5"
    assert "is not a valid choice" in errors_for(trial)["phase"][0]


@pytest.mark.parametrize("bad", ["Ocrelizumab", "opera_i", "opera i", "-opera", "opera--i"])
def test_slugs_must_be_lower_case_with_single_hyphens(bad):
    therapy = make_therapy()
    therapy.slug = bad
    assert any("lower-case letters" in message for message in errors_for(therapy)["slug"])


def test_approval_dates_cannot_be_in_the_future():
    therapy = make_therapy()
    therapy.fda_approval_date = timezone.localdate() + datetime.timedelta(days=1)
    therapy.eu_approval_date = timezone.localdate() + datetime.timedelta(days=30)
    errors = errors_for(therapy)
    assert "cannot be in the future" in errors["fda_approval_date"][0]
    assert "cannot be in the future" in errors["eu_approval_date"][0]


@pytest.mark.parametrize("bad", ["PMID123", "0123", "12.5", "1234567890"])
def test_reference_rejects_bad_pubmed_id(bad):
    reference = make_reference()
    reference.pmid = bad
    assert "PubMed id is a number" in errors_for(reference)["pmid"][0]


@pytest.mark.parametrize("bad", ["doi:10.1056/x", "11.1056/NEJMoa0907839", "10.1/x", "10.1056/ with space"])
def test_reference_rejects_bad_doi(bad):
    reference = make_reference()
    reference.doi = bad
    assert "A DOI starts with “10.”" in errors_for(reference)["doi"][0]


def test_reference_requirements_depend_on_its_kind():
    article = make_reference(pmid="", doi="")
    assert errors_for(article)["pmid"] == ["A journal article needs a PubMed id or a DOI."]
    registry = make_reference(kind="registry", pmid="")
    assert errors_for(registry)["nct_id"] == ["A trial registry record needs its ClinicalTrials.gov id."]
    label = make_reference(kind="label", pmid="")
    assert "needs the address (URL)" in errors_for(label)["url"][0]


def test_reference_links_to_the_best_public_address():
    assert make_reference(doi="10.1056/NEJMoa0907839").link == "https://doi.org/10.1056/NEJMoa0907839"
    assert make_reference(pmid="20089954").link == "https://pubmed.ncbi.nlm.nih.gov/20089954/"
    registry = make_reference(kind="registry", pmid="", nct_id="NCT01247324")
    assert registry.link == "https://clinicaltrials.gov/study/NCT01247324"


# --- Seed content -----------------------------------------------------------------


def test_seed_has_every_therapy_trial_and_risk_from_the_facts():
    assert set(Therapy.objects.values_list("slug", flat=True)) == {
        "ocrelizumab", "alemtuzumab", "fingolimod", "ozanimod", "ofatumumab",
        "natalizumab", "siponimod", "ponesimod", "ublituximab", "cladribine",
    }
    assert Trial.objects.count() == 17
    assert dict(Trial.objects.values_list("slug", "nct_id"))["opera-i"] == "NCT01247324"
    assert Risk.objects.count() == 17  # 11, and 6 added in the December 2026 content review
    assert MSCourse.objects.count() == 4
    assert TherapyRisk.objects.filter(therapy__slug="natalizumab", risk__slug="pml").exists()


def test_every_seed_object_passes_full_clean():
    assert load_seed.validation_report() == []


def test_every_trial_cites_its_registry_record():
    for trial in Trial.objects.prefetch_related("references"):
        assert trial.nct_id in {r.nct_id for r in trial.references.all()}, trial.name


def test_every_therapy_cites_its_label():
    for therapy in Therapy.objects.prefetch_related("references"):
        assert any(r.kind == "label" for r in therapy.references.all()), therapy.name


def test_seed_content_is_live_and_reviewed():
    for model in (Therapy, Trial, Risk):
        assert not model.objects.not_live().exists()
        assert not model.objects.filter(last_reviewed_at__isnull=True).exists()
        assert not model.objects.filter(next_review_due__isnull=True).exists()


def test_load_seed_twice_changes_and_duplicates_nothing():
    before = {m: list(m.objects.values()) for m in (Therapy, Trial, Risk, TherapyRisk, Reference)}
    call_command("load_seed", verbosity=0)
    after = {m: list(m.objects.values()) for m in (Therapy, Trial, Risk, TherapyRisk, Reference)}
    assert before == after


def test_load_seed_force_updates_by_slug_without_duplicating():
    Therapy.objects.filter(slug="ocrelizumab").update(brand_names="Changed")
    counts = [m.objects.count() for m in (Therapy, Trial, Risk, TherapyRisk, Reference)]
    call_command("load_seed", force=True, verbosity=0)
    assert Therapy.objects.get(slug="ocrelizumab").brand_names == "Ocrevus, Ocrevus Zunovo"
    assert [m.objects.count() for m in (Therapy, Trial, Risk, TherapyRisk, Reference)] == counts


def test_load_seed_refuses_a_bad_fixture_whole_and_names_the_row(tmp_path: Path, monkeypatch):
    TherapyRisk.objects.all().delete()
    Trial.objects.all().delete()
    Therapy.objects.all().delete()
    (tmp_path / "10-bad.yaml").write_text(
        """
- model: therapies.therapy
  fields: {name: Goodimab, slug: goodimab, brand_names: G, drug_class: other, class_description: x,
           molecular_target: x, mechanism: x, routes: [[oral]], dosing: x, summary: x, body: x,
           monitoring: x}
- model: therapies.trial
  fields: {name: BAD, slug: bad, nct_id: NCT123, phase: '3', therapy: [goodimab], comparator: x,
           population: x, number_randomised: 10, duration: x, primary_endpoint: x,
           headline_result: x, publication: x, summary: x}
"""
    )
    monkeypatch.setattr(load_seed, "FIXTURES_DIR", tmp_path)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_seed", verbosity=0)
    assert "trial “BAD”: nct_id:" in str(excinfo.value)
    assert not Therapy.objects.filter(slug="goodimab").exists()
