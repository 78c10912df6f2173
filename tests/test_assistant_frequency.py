"""Reviewer assistant: a frequency category against its own figure (editorial/assistant/frequency.py)."""

import pytest

from therapies.editorial.assistant import frequency
from therapies.models.risk_figures import contradicts

from .assistant_helpers import findings, proposal, with_snapshot
from .factories import link_risk, make_risk, make_therapy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "figure", "contradiction"),
    [
        ("uncommon", "12%", True),
        ("very-common", "12%", False),
        ("common", "10%", True),  # 10% is very common: the bands are 1 to < 10% and ≥ 10%
        ("very-common", "10%", False),
        ("uncommon", "0.5% (0.1% serious)", False),
        ("very-common", "34–40% (0.3% serious)", False),
        ("rare", "1 in 20", True),
        ("uncommon", "1 in 1,000", False),
        ("very-rare", "<0.01%", False),
        ("common", "<1%", True),
        ("common", "", False),
        ("common", "reported in trials", False),
    ],
)
def test_cioms_bands(category, figure, contradiction):
    assert contradicts(category, figure) is contradiction


def _with_row(therapy, risk, **row):
    values = {"risk": risk.pk, "frequency": "common", "figure": "5%", "measure": "people, 2-year trials",
              "boxed_warning": False, "notes": "", **row}
    return with_snapshot(proposal(therapy), lambda s: s["children"]["therapy_risks"].append(values))


def test_a_figure_contradicting_its_category_is_flagged_on_the_row():
    therapy, risk = make_therapy(), make_risk(name="Test liver injury")

    (finding,) = findings(frequency.check, _with_row(therapy, risk, frequency="uncommon", figure="12%"))

    assert (finding.relation, finding.key, finding.field) == ("therapy_risks", risk.pk, "frequency")
    assert "risk “Test liver injury”" in finding.message and "it is very common" in finding.message


def test_a_figure_without_a_measure_is_flagged():
    (finding,) = findings(frequency.check, _with_row(make_therapy(), make_risk(), measure=""))

    assert finding.field == "measure" and "Say what the figure counts" in finding.message


def test_a_percentage_marked_not_known_is_flagged():
    (finding,) = findings(frequency.check, _with_row(make_therapy(), make_risk(), frequency="not-known"))

    assert finding.field == "figure" and "“Not known”" in finding.message


def test_a_consistent_row_is_not_flagged():
    assert findings(frequency.check, _with_row(make_therapy(), make_risk(), frequency="common", figure="5%")) == []


def test_rows_the_change_leaves_alone_are_not_checked():
    therapy = make_therapy()
    link = link_risk(therapy, make_risk(), frequency="uncommon")  # figure 5%: contradicts, but already live
    assert contradicts(link.frequency, link.figure)

    assert findings(frequency.check, proposal(therapy, summary="Changed.")) == []
