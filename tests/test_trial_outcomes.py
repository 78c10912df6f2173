"""Trial outcomes: validation, the change-request round trip, natural frequencies for every seed trial,
and the charts' accessible names and tables (issue 13, items 1–3)."""

import copy
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from therapies import workflow
from therapies.editorial.diff import diff_snapshots
from therapies.editorial.snapshots import snapshot_of, validate_snapshot
from therapies.models import OutcomeKind, Trial, TrialOutcome
from therapies.site import frequencies
from therapies.site.outcome_charts import outcome_view

from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db


def outcome(**values) -> TrialOutcome:
    base = {"label": "relapses", "kind": OutcomeKind.ARR, "time_frame": "96 weeks", "source": "test",
            "arms": [{"label": "Drug", "value": 0.16, "n": 400}, {"label": "Placebo", "value": 0.29, "n": 400}]}
    base.update(values)
    return TrialOutcome(trial=Trial(number_randomised=821), **base)


def errors_of(row: TrialOutcome) -> dict:
    with pytest.raises(ValidationError) as caught:
        row.clean()
    return caught.value.message_dict


# --- Validation -------------------------------------------------------------------------------------------


def test_a_valid_outcome_passes():
    outcome().clean()
    outcome(kind=OutcomeKind.HAZARD_RATIO, arms=[{"label": "A", "value": None, "n": None},
                                                 {"label": "B", "value": None, "n": None}],
            ratio=0.76, ci_lower=0.59, ci_upper=0.98).clean()


def test_a_proportion_is_a_fraction_from_0_to_1():
    row = outcome(kind=OutcomeKind.PROPORTION, event="had a relapse",
                  arms=[{"label": "Drug", "value": 32.9, "n": 10}, {"label": "Placebo", "value": 0.39, "n": 10}])
    assert "32.9% is 0.329" in errors_of(row)["arms"][0]


def test_a_proportion_says_what_the_people_had():
    row = outcome(kind=OutcomeKind.PROPORTION, event="",
                  arms=[{"label": "Drug", "value": 0.3, "n": 10}, {"label": "Placebo", "value": 0.4, "n": 10}])
    assert "about 33 in 100 people" in errors_of(row)["event"][0]


def test_a_relapse_rate_cannot_be_negative():
    row = outcome(arms=[{"label": "Drug", "value": -0.1, "n": 10}, {"label": "Placebo", "value": 0.3, "n": 10}])
    assert "cannot be negative" in errors_of(row)["arms"][0]


def test_an_arm_is_no_larger_than_the_trial_and_the_arms_add_up():
    too_big = outcome(arms=[{"label": "Drug", "value": 0.1, "n": 900}, {"label": "Placebo", "value": 0.3, "n": 1}])
    assert "more than the 821 randomised" in errors_of(too_big)["arms"][0]
    too_many = outcome(arms=[{"label": "Drug", "value": 0.1, "n": 500}, {"label": "Placebo", "value": 0.3, "n": 500}])
    assert "add up to 1000 people" in errors_of(too_many)["arms"][0]
    not_whole = outcome(arms=[{"label": "Drug", "value": 0.1, "n": 0}, {"label": "Placebo", "value": 0.3, "n": 5}])
    assert "whole number of at least 1" in errors_of(not_whole)["arms"][0]


def test_an_arm_label_is_short_and_present():
    long = outcome(arms=[{"label": "x" * 101, "value": 0.1, "n": 1}, {"label": "", "value": 0.3, "n": 1}])
    message = errors_of(long)["arms"][0]
    assert "keep its label to 100 characters (it has 101)" in message and "Arm 2: give the arm a label" in message


def test_a_ratio_needs_its_interval_around_it_and_two_arms_without_values():
    arms = [{"label": "A", "value": None, "n": None}, {"label": "B", "value": None, "n": None}]
    assert "confidence interval" in errors_of(outcome(kind=OutcomeKind.RATE_RATIO, arms=arms, ratio=0.5))["ci_lower"][0]
    outside = outcome(kind=OutcomeKind.RATE_RATIO, arms=arms, ratio=0.5, ci_lower=0.6, ci_upper=0.9)
    assert "must hold the ratio" in errors_of(outside)["ratio"][0]
    valued = outcome(kind=OutcomeKind.HAZARD_RATIO, ratio=0.5, ci_lower=0.4, ci_upper=0.6)
    assert "carry no value" in errors_of(valued)["arms"][0]
    assert "Only a hazard or rate ratio" in errors_of(outcome(ratio=0.5))["ratio"][0]


def test_a_bad_outcome_in_a_draft_is_refused_naming_it(editor):
    trial = Trial.objects.get(slug="oratorio")
    snapshot = snapshot_of(trial)
    snapshot["children"]["outcomes"][0]["arms"][0]["value"] = 1.5
    with pytest.raises(ValidationError) as caught:
        validate_snapshot(Trial, snapshot, trial)
    assert "Outcome number “1”" in str(caught.value) and "fraction from 0 to 1" in str(caught.value)


# --- Through a change request ------------------------------------------------------------------------------


def test_outcomes_go_through_snapshot_diff_and_publish(editor, reviewer):
    trial = Trial.objects.get(slug="opera-i")
    change_request, revision = draft_change(editor, trial, title="Arm sizes")
    old = copy.deepcopy(revision.snapshot)
    snapshot = revision.snapshot
    assert [row["label"] for row in snapshot["children"]["outcomes"]] == ["relapses"]
    snapshot["children"]["outcomes"][0]["arms"][0]["n"] = 410
    snapshot["children"]["outcomes"].append({
        "position": 2, "label": "relapses", "kind": "rate-ratio", "event": "", "time_frame": "96 weeks",
        "is_primary": False, "arms": [{"label": "Ocrelizumab", "value": None, "n": None},
                                      {"label": "Interferon beta-1a", "value": None, "n": None}],
        "ratio": 0.54, "ci_lower": 0.4, "ci_upper": 0.72, "ci_level": 95, "source": "test",
    })
    revision = workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)

    diff = diff_snapshots(Trial, old, revision.snapshot)
    summaries = sorted(row.summary for row in diff.rows)
    assert summaries[0] == "+ Outcome number: 2 — rate ratio"
    changed = next(row for row in diff.rows if row.action == "changed")
    assert "Ocrelizumab: 0.16 (number of people not given)" in changed.details[0]
    assert "Ocrelizumab: 0.16 (410 people)" in changed.details[0]
    assert TrialOutcome.objects.get(trial=trial, position=1).arms[0]["n"] is None  # live unchanged before publish

    workflow.submit(change_request=change_request, user=editor, change_note="Added the arm size and the ratio.")
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)

    live = {row.position: row for row in TrialOutcome.objects.filter(trial=trial)}
    assert live[1].arms[0]["n"] == 410 and live[2].ratio == 0.54
    assert snapshot_of(trial)["children"]["outcomes"] == revision.snapshot["children"]["outcomes"]


# --- Natural frequencies --------------------------------------------------------------------------------------


def per(value: float, group: int) -> int:
    return int((Decimal(str(value)) * group).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected_arm_words(row: TrialOutcome, value: float) -> str:
    group = next(g for g in (100, 1_000, 10_000, 100_000) if per(value, g) >= 1)
    count = per(value, group)
    if row.kind == OutcomeKind.ARR:
        return f"about {count:,} relapse{'s' if count != 1 else ''} a year for every {group:,} people"
    return f"about {count:,} in {group:,} people {row.event}"


def test_every_seed_trial_with_outcomes_reads_in_natural_frequencies():
    rows = list(TrialOutcome.objects.select_related("trial"))
    trials = set(Trial.objects.values_list("slug", flat=True))
    with_outcomes = {row.trial.slug for row in rows}
    # EXPAND is the one seed trial whose outcome numbers were not all in a source read (CONTENT_SOURCES.md).
    assert trials - with_outcomes == {"expand"}
    assert len(rows) >= 30
    for row in rows:
        row.clean()  # the seed passes its own rules
        summary = frequencies.outcome_summary(row)
        if row.kind in OutcomeKind.ratios():
            change = per(1 - row.ratio, 100)
            direction = "lower" if change > 0 else "higher"
            measure = "rate" if row.kind == OutcomeKind.RATE_RATIO else "risk"
            assert f"a {abs(change)}% {direction} {measure} of {row.label} than with {row.arms[1]['label']}" in summary
            assert f"{row.ci_level}% confidence interval" in summary
            assert str(row.ratio) not in summary  # never shown bare
        else:
            for arm in row.arms:
                assert f"{arm['label']}: {expected_arm_words(row, arm['value'])}" in summary, row


def test_the_examples_of_the_issue():
    assert frequencies.arr_sentence(0.16) == "about 16 relapses a year for every 100 people"
    assert frequencies.proportion_sentence(0.33, "had a relapse") == "about 33 in 100 people had a relapse"
    assert frequencies.proportion_sentence(0.004, "had it") == "about 4 in 1,000 people had it"
    assert frequencies.arr_sentence(0.0004) == "about 4 relapses a year for every 10,000 people"


@pytest.mark.parametrize(("value", "count", "group"), [
    (0.165, 17, 100),  # half up, not to even
    (0.005, 1, 100), (0.0049, 5, 1_000), (0.01, 1, 100), (1.0, 100, 100), (1.25, 125, 100),
    (0.00001, 1, 100_000), (0.0, 0, 100_000),
])
def test_natural_counts_round_half_up_and_move_to_a_larger_group(value, count, group):
    assert frequencies.natural(value) == frequencies.Natural(count, group)


def test_edge_wording():
    assert frequencies.arr_sentence(0.01) == "about 1 relapse a year for every 100 people"
    assert frequencies.arr_sentence(0) == "fewer than 1 relapse a year for every 100,000 people"
    higher = frequencies.ratio_sentence(kind=OutcomeKind.HAZARD_RATIO, ratio=1.3, label="x", therapy_arm="A",
                                        comparator_arm="B")
    assert higher == "With A, a 30% higher risk of x than with B"
    same = frequencies.ratio_sentence(kind=OutcomeKind.RATE_RATIO, ratio=1.0, label="x", therapy_arm="A",
                                      comparator_arm="B")
    assert same == "With A, no difference in the rate of x than with B"
    assert frequencies.interval_sentence(lower=0.59, upper=1.02, level=95) == (
        "the trial's 95% confidence interval runs from 2% higher to 41% lower")


@pytest.mark.parametrize(("figure", "low", "high", "words"), [
    ("92% (3% serious)", 0.92, 0.92, "about 92 in 100 people"),
    ("24% vs 18% on placebo", 0.24, 0.24, "about 24 in 100 people (about 1 in 4)"),
    ("34–40% (0.3% serious)", 0.34, 0.40, "between 34 and 40 in 100 people"),
    ("0.4%", 0.004, 0.004, "about 4 in 1,000 people (about 1 in 250)"),
])
def test_risk_figures_read_as_natural_frequencies(figure, low, high, words):
    found = frequencies.risk_figure(figure)
    assert (found.low, found.high, found.words) == (low, high, words)


def test_a_figure_without_a_percentage_gives_none():
    assert frequencies.risk_figure("0.27 vs 0.13 per 100 patient-years on placebo") is None
    assert frequencies.risk_figure("") is None


# --- Charts ----------------------------------------------------------------------------------------------

NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def svg_value_labels(svg: str) -> list[str]:
    return re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg)


def test_every_seed_outcome_chart_is_named_by_its_caption_and_tabled_with_the_same_numbers():
    for row in TrialOutcome.objects.select_related("trial"):
        view = outcome_view(row, f"outcome-{row.position}")
        for chart in (view.chart, *view.icons):
            svg = str(chart.svg)
            assert 'role="img"' in svg and f'aria-labelledby="{chart.caption_id}"' in svg
            assert 'style=' not in svg and 'viewBox="0 0 ' in svg and 'width="100%"' in svg
            shown = [NUMBER.findall(label) for label in svg_value_labels(svg)]
            tabled = [cell for table_row in chart.rows for cell in table_row]
            for numbers in shown:
                for number in numbers:
                    assert any(number in cell for cell in tabled), (row, number, chart.rows)


def test_a_relapse_rate_caption_names_its_measure_once():
    """Audit N58: "Annualised relapse rate of relapses" said the measure twice."""
    captions = {outcome_view(row, "c").chart.caption for row in TrialOutcome.objects.filter(kind=OutcomeKind.ARR)}
    assert "Annualised relapse rate over 96 weeks, by group" in captions
    assert not any(" of relapses" in caption for caption in captions), captions


def test_pages_show_the_charts_with_a_caption_and_a_table(client):
    for url in (reverse("trial_detail", args=["oratorio"]), reverse("therapy_detail", args=["ocrelizumab"]),
                reverse("compare") + "?t=ocrelizumab&t=fingolimod"):
        html = client.get(url).content.decode()
        charts = re.findall(r'<figure class="chart" id="([^"]+)">(.*?)</figure>', html, re.S)
        assert charts, url
        for chart_id, inner in charts:
            assert f'aria-labelledby="{chart_id}-caption"' in inner
            assert f'<figcaption id="{chart_id}-caption"' in inner and '<table class="chart-table">' in inner


def test_compare_chart_carries_the_caveat(client):
    html = client.get(reverse("compare") + "?t=ocrelizumab&t=cladribine").content.decode()
    assert "different treatments" in html and "different years" in html


# --- At a glance ---------------------------------------------------------------------------------------------


def test_at_a_glance_links_resolve_to_sections_on_the_page(client):
    for slug in Trial.objects.values_list("therapy__slug", flat=True).distinct():
        html = client.get(reverse("therapy_detail", args=[slug])).content.decode()
        glance = re.search(r'<section id="at-a-glance".*?</section>', html, re.S).group(0)
        anchors = re.findall(r'href="#([^"]+)"', glance)
        assert {"route-and-dosing", "benefits-and-harms", "risks", "monitoring", "pregnancy"} <= set(anchors)
        for anchor in anchors:
            assert f'id="{anchor}"' in html, (slug, anchor)
        assert html.index('id="at-a-glance"') < html.index('id="about-treatment"') < html.index('id="approvals"')


def test_at_a_glance_says_the_result_in_words_and_the_fact_box_has_the_stored_numbers(client):
    html = client.get(reverse("therapy_detail", args=["ocrelizumab"])).content.decode()
    glance = re.search(r'<section id="at-a-glance".*?</section>', html, re.S).group(0)
    assert "people had fewer relapses on ocrelizumab than on interferon beta-1a" in glance
    box = re.search(r'<section class="fact-box" id="fact-box-opera-i".*?</section>', html, re.S).group(0)
    assert re.search(r"Relapses a year<details.*?</details></th>\s*<td>16</td><td>29</td>", box, re.S)
