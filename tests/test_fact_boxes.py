"""Fact boxes (issue 22): every number in every box is the stored number, out of 100 people, for every seed
trial; each box names its trial, its time frame and its comparator; a harm without a comparator figure
says so (site/fact_box.py)."""

import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest

from therapies.models import Therapy, TherapyRisk, Trial
from therapies.site.fact_box import NO_COMPARATOR, fact_box, fact_boxes, harm_row, per_100

pytestmark = pytest.mark.django_db


def out_of_100(fraction) -> str:
    """The stored fraction as a whole count of 100 people, rounded half up, worked out here independently."""
    count = int((Decimal(str(fraction)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return "fewer than 1" if count == 0 and fraction > 0 else str(count)


def live_links(therapy) -> list:
    return list(TherapyRisk.objects.live().filter(therapy=therapy).select_related("risk"))


def test_per_100_is_a_whole_count_that_never_rounds_a_real_risk_to_nothing():
    assert [per_100(v) for v in (0.16, 0.165, 0.008, 0.004, 0, 0.797)] == ["16", "17", "1", "fewer than 1", "0",
                                                                          "80"]


SEED_TRIALS = [
    "opera-i", "opera-ii", "oratorio", "care-ms-i", "care-ms-ii", "freedoms", "transforms", "sunbeam", "radiance",
    "asclepios-i", "asclepios-ii", "affirm", "expand", "optimum", "ultimate-i", "ultimate-ii", "clarity",
]


def test_the_box_tests_cover_every_seed_trial():
    assert sorted(SEED_TRIALS) == sorted(Trial.objects.values_list("slug", flat=True))


@pytest.mark.parametrize("slug", SEED_TRIALS)
def test_every_number_in_a_trials_box_is_its_stored_number_out_of_100(slug):
    trial = Trial.objects.get(slug=slug)
    outcomes = list(trial.outcomes.all())
    links = live_links(trial.therapy)
    box = fact_box(trial, outcomes, links)
    valued = [o for o in outcomes if not o.is_ratio and sum(a.get("value") is not None for a in o.arms) >= 2]
    compared = [link for link in links if link.comparator_trial_id == trial.pk]
    if box is None:
        assert not valued and not compared, f"{trial}: stored numbers but no box"
        return
    numbers = [row for row in box.benefits if not row.words]
    assert len(numbers) == len(valued)
    for row, outcome in zip(numbers, sorted(valued, key=lambda o: (not o.is_primary, o.position)), strict=True):
        arms = [a for a in outcome.arms if a.get("value") is not None]
        assert (row.drug, row.comparator) == (out_of_100(arms[0]["value"]), out_of_100(arms[-1]["value"])), trial
    ratios = [o for o in outcomes if o.is_ratio]
    assert len([row for row in box.benefits if row.words]) == len(ratios)
    assert box.drug_arm and box.comparator_arm and box.time
    for link in compared:
        row = harm_row(link)
        if row is None:
            continue
        assert row in box.harms, f"{trial}: {link.risk} missing from the box"
        stored = Decimal(re.search(r"(\d+(?:\.\d+)?)\s*%", link.comparator_figure).group(1)) / 100
        assert row.comparator == out_of_100(stored)


def test_a_harm_without_a_comparator_figure_says_none_is_known():
    link = TherapyRisk.objects.get(therapy__slug="ublituximab", risk__slug="infusion-reactions")
    box = fact_box(Trial.objects.get(slug="ultimate-i"), list(Trial.objects.get(slug="ultimate-i").outcomes.all()),
                   live_links(link.therapy))
    (row,) = [row for row in box.harms if row.counts == link.measure]
    assert (row.drug, row.comparator) == ("45", NO_COMPARATOR)


def test_an_active_comparator_is_named_as_not_no_treatment():
    opera = Trial.objects.get(slug="opera-i")
    box = fact_box(opera, list(opera.outcomes.all()), live_links(opera.therapy))
    assert box.comparator_note == "Compared with interferon beta-1a, not with no treatment."
    affirm = Trial.objects.get(slug="affirm")
    assert "placebo" in fact_box(affirm, list(affirm.outcomes.all()), live_links(affirm.therapy)).comparator_note


def test_the_therapy_page_shows_a_box_per_trial_with_its_header_and_both_columns(client):
    html = unescape(client.get("/therapies/ocrelizumab/").content.decode())
    therapy = Therapy.objects.get(slug="ocrelizumab")
    boxes = fact_boxes(therapy.trials.live().order_by("name"), live_links(therapy))
    assert [box.trial.slug for box in boxes] == ["opera-i", "opera-ii", "oratorio"]
    assert "OPERA I: out of 100 people over 96 weeks" in html
    assert "ORATORIO: out of 100 people over at least 120 weeks" in html
    assert "Compared with interferon beta-1a, not with no treatment." in html
    section = html[html.index('id="benefits-and-harms"'):html.index('id="trials"')]
    assert re.search(r"Infections<details.*?</details></th>\s*<td>58</td><td>52</td>", section, re.S)


def test_the_trial_page_shows_its_box(client):
    html = unescape(client.get("/trials/expand/").content.decode())
    assert "EXPAND: out of 100 people over up to 3 years" in html
    assert re.search(r"First-degree heart block<details.*?</details></th>\s*<td>5</td><td>2</td>", html, re.S)


def test_figures_pooled_from_twin_trials_stand_in_both_boxes():
    for slug in ("asclepios-i", "asclepios-ii"):
        trial = Trial.objects.get(slug=slug)
        box = fact_box(trial, list(trial.outcomes.all()), live_links(trial.therapy))
        assert [(row.label, row.drug, row.comparator) for row in box.harms] == [
            ("Infections", "52", "53"), ("Reactions throughout the body", "21", "15")], slug
