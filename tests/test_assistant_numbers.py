"""Reviewer assistant: numbers added to text with no source cited for it (editorial/assistant/unsourced_numbers.py)."""

import pytest

from therapies.editorial.assistant import unsourced_numbers
from therapies.editorial.assistant.unsourced_numbers import numbers_in
from therapies.models import Reference

from .assistant_helpers import findings, proposal, with_snapshot
from .factories import make_reference, make_risk, make_therapy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Relapses fell by 46%.", ["46%"]),
        ("About 1 in 10 people get a rash; 3 out of 100 stop.", ["1 in 10", "3 out of 100"]),
        ("Take 300 mg, then 0.5 mg/kg.", ["300 mg", "0.5 mg/kg"]),
        ("About 16 relapses per 100 people a year.", ["16 relapses per 100 people"]),
        ("The hazard ratio was 0.54.", ["ratio was 0.54"]),
        ("Given as 2 units every 12 percent", ["2 units", "12 percent"]),
        ("Approved in 2017 after phase 3 trials (NCT01247324) lasting 96 weeks.", []),
        ("Take it twice a day for 2 weeks, from day 1.", []),
    ],
)
def test_numbers_a_reader_may_act_on_are_found_and_plain_counts_are_not(text, found):
    assert numbers_in(text) == found


def test_numbers_added_to_a_therapy_that_cites_no_source_are_flagged_on_their_field():
    therapy = make_therapy()  # cites sources for its required sections only, none for the rest of the page
    assert not therapy.references.exists()

    found = findings(unsourced_numbers.check, proposal(therapy, summary="About 1 in 10 people get a rash.",
                                                       dosing="300 mg every 6 months, then 600 mg."))

    assert [(f.field, f.check) for f in found] == [("dosing", "numbers"), ("summary", "numbers")]
    assert "“600 mg”" in found[0].message and "“300 mg”" not in found[0].message  # the live text had 300 mg
    assert "cites no source" in found[1].message


def test_numbers_in_a_page_that_cites_a_source_are_not_flagged():
    therapy = make_therapy()
    therapy.references.set([make_reference()])

    assert findings(unsourced_numbers.check, proposal(therapy, summary="About 1 in 10 people get a rash.")) == []


def test_a_required_section_is_backed_by_its_own_sources():
    therapy = make_therapy()  # its pregnancy section cites a source
    with_source = proposal(therapy, pregnancy="Contraception for 6 months; 2% of pregnancies were affected.")
    without = with_snapshot(with_source, lambda s: s["m2m"].update(pregnancy_references=[]))

    assert findings(unsourced_numbers.check, with_source) == []
    (finding,) = findings(unsourced_numbers.check, without)
    assert finding.field == "pregnancy" and "“Pregnancy and breastfeeding” section cites no source" in finding.message


def test_a_number_the_live_text_already_had_is_not_flagged():
    therapy = make_therapy(summary="About 1 in 10 people get a rash.")

    assert findings(unsourced_numbers.check, proposal(therapy, summary="About 1 in 10 people get a mild rash.")) == []


def test_a_figure_on_an_added_risk_row_is_flagged_on_that_row():
    therapy, risk = make_therapy(), make_risk()

    def add_row(snapshot):
        snapshot["children"]["therapy_risks"].append(
            {"risk": risk.pk, "frequency": "common", "figure": "5%", "measure": "people, 2 years", "boxed_warning":
             False, "notes": ""})

    (finding,) = findings(unsourced_numbers.check, with_snapshot(proposal(therapy), add_row))

    assert (finding.relation, finding.key, finding.field) == ("therapy_risks", risk.pk, "figure")
    assert f"risk “{risk.name}”: figure" in finding.message


def test_sources_themselves_are_not_asked_to_cite_a_source():
    reference = Reference.objects.first()

    assert findings(unsourced_numbers.check, proposal(reference, title="Relapses fell by 46% with 300 mg")) == []
