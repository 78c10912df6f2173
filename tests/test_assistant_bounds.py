"""The reviewer assistant's cost is bounded for any accepted text (issue 23, security finding N1).

Its number patterns start a match only at a number's first digit and bound its length, so long runs of
digits, "1." or "1," cost linear time; and the checks share one budget per review page, which says
which checks it skipped once spent.
"""

import time

import pytest

import therapies.editorial.assistant as assistant
from therapies.editorial.assistant import Budget, proposal_findings
from therapies.editorial.assistant.unsourced_numbers import numbers_in
from therapies.models import risk_figures

from .assistant_helpers import proposal
from .factories import make_risk, make_therapy

pytestmark = pytest.mark.django_db

HOSTILE = {
    "40,000 digits": "1" * 40_000,
    "20,000 × '1.'": "1." * 20_000,
    "20,000 × '1,'": "1," * 20_000,
    "13,000 × '1% '": "1% " * 13_000,
    "digits then a unit": "9" * 39_990 + " mg 1%",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_every_assistant_check_reads_a_hostile_text_at_the_length_limit_in_well_under_a_second(text):
    risk = make_risk()
    p = proposal(risk, description=text)
    started = time.perf_counter()
    findings = proposal_findings(p, Budget())
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0, f"the assistant took {elapsed:.1f} s"
    assert not [f for f in findings if f.check == "unavailable"]  # every check ran


@pytest.mark.parametrize("text", ["1" * 40_000, "1." * 20_000, "1," * 20_000], ids=["digits", "1.", "1,"])
def test_the_number_patterns_are_linear_on_runs(text):
    started = time.perf_counter()
    numbers_in(text)
    list(risk_figures._PERCENT.finditer(text))
    list(risk_figures._ONE_IN.finditer(text))
    assert time.perf_counter() - started < 0.3


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Relapses fell by 46%, and 1,000,000 people take 0.5 mg.", ["46%", "0.5 mg"]),
        ("1234567890123456789 mg is no dose a reader acts on; 20 mg is.", ["20 mg"]),
        ("version 1.2.3.4.5.6.7.8.9 mg", []),  # more parts than a number has: no number
    ],
)
def test_a_number_starts_at_its_first_digit_and_has_a_bounded_length(text, found):
    assert numbers_in(text) == found


def test_a_bounded_percentage_still_reads_its_figure():
    assert risk_figures.stated_range("about 1.5–3% of people") == (1.5, 3.0)
    assert risk_figures.stated_range("1" * 30 + "%") is None  # no number is that long


def test_the_page_budget_skips_the_checks_it_cannot_pay_for_and_says_which(monkeypatch):
    first = proposal(make_therapy(name="Firstumab"), summary="About 1 in 10 people get a rash. " * 10)
    second = proposal(make_risk(name="Long risk"), description="Death was reported in 12% of people. " * 200)
    page = assistant.reading_cost(first) * len(assistant.CHECKS) + 10  # the first fits, the second does not
    monkeypatch.setattr(assistant, "PAGE_BUDGET", page)
    budget = Budget()

    found_first = proposal_findings(first, budget)
    found_second = proposal_findings(second, budget)

    assert not [f for f in found_first if f.check == "unavailable"]
    skipped = [f for f in found_second if f.check == "unavailable"]
    assert len(skipped) == 1
    assert "not checked for sections, frequency, identifiers, unsourced numbers, safety words, readability" in (
        skipped[0].message)
    assert f"{page:,} characters" in skipped[0].message
    assert budget.skipped == [second.name]
    assert [f for f in found_second if f.check != "unavailable"] == []
