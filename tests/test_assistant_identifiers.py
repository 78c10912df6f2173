"""Reviewer assistant: identifiers (editorial/assistant/identifiers.py)."""

import pytest

from therapies import workflow
from therapies.editorial.assistant import identifiers
from therapies.models import Trial

from .assistant_helpers import findings, proposal
from .factories import make_reference, make_therapy, make_trial

pytestmark = pytest.mark.django_db


def by_field(found) -> dict:
    return {f.field: f.message for f in found}


@pytest.mark.parametrize(
    ("fields", "flagged"),
    [
        ({"nct_id": "NCT123"}, "nct_id"),
        ({"nct_id": "nct01247324"}, "nct_id"),
        ({"doi": "doi:10.1056/NEJMoa1601277"}, "doi"),
        ({"pmid": "PMID 28002679"}, "pmid"),
        ({"url": "http://www.ema.europa.eu/label.pdf"}, "url"),
    ],
)
def test_a_malformed_identifier_or_an_address_that_is_not_https_is_flagged(fields, flagged):
    found = by_field(findings(identifiers.check, proposal(make_reference(), **fields)))

    assert list(found) == [flagged]
    assert "not a valid identifier" in found[flagged] or "not an https address" in found[flagged]


def test_well_formed_identifiers_are_not_flagged():
    p = proposal(make_reference(), nct_id="NCT99999911", doi="10.1056/NEJMoa1601277", pmid="28002679",
                 url="https://www.ema.europa.eu/label.pdf")

    assert findings(identifiers.check, p) == []


def test_identifiers_the_change_does_not_set_are_not_checked():
    reference = make_reference(url="http://example.org/old")  # live already: not what this change proposes

    assert findings(identifiers.check, proposal(reference, title="A retitled article")) == []


def test_an_nct_id_already_used_by_a_live_trial_is_flagged():
    opera = Trial.objects.get(slug="opera-i")
    trial = make_trial(therapy=make_therapy(), live=False)

    (finding,) = findings(identifiers.check, proposal(trial, new=True, nct_id=opera.nct_id))

    assert finding.field == "nct_id" and f"the live trial “{opera.name}”" in finding.message


def test_an_nct_id_proposed_in_another_open_change_request_is_flagged(editor):
    first, second = make_trial(therapy=make_therapy()), make_trial(therapy=make_therapy())
    change_request = workflow.start_change_request(user=editor, title="New registry id")
    revision = workflow.add_object(change_request=change_request, user=editor, obj=first)
    snapshot = revision.snapshot
    snapshot["fields"]["nct_id"] = "NCT99999990"
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)

    (finding,) = findings(identifiers.check, proposal(second, nct_id="NCT99999990"))

    assert f"“{first.name}” in change request #{change_request.pk}" in finding.message
    assert findings(identifiers.check, proposal(second, nct_id="NCT99999991")) == []


def test_a_trial_keeping_its_own_id_is_not_its_own_duplicate():
    trial = make_trial(therapy=make_therapy())

    assert findings(identifiers.check, proposal(trial, new=True)) == []
