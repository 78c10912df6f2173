"""The structured practical facts of a therapy (therapies/models/practical.py, issue 25): entered for every seed
therapy, checked like other fields, drafted and reviewed like other fields, and answered by the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from therapies.editorial.diff import diff_snapshots
from therapies.editorial.snapshots import snapshot_of
from therapies.models import Therapy
from therapies.models.practical import period_days

from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db


def therapy(slug: str) -> Therapy:
    return Therapy.objects.prefetch_related("routes").get(slug=slug)


def test_every_seed_therapy_has_its_practical_facts(seeded):
    for row in Therapy.objects.live().prefetch_related("routes"):
        assert row.plain_description(), row.slug
        assert row.setting and row.schedule and row.dose_time and row.checks_before, row.slug
        assert row.doses_first_year is not None and row.visits_first_year is not None, row.slug
        row.full_clean()  # the entered values pass the model's own checks


@pytest.mark.parametrize(
    ("slug", "sentence"),
    [
        ("ocrelizumab", "A drip into a vein or an injection under the skin every 6 months, after 2 starting doses "
                        "2 weeks apart, at a clinic."),
        ("alemtuzumab", "A drip into a vein for 5 days, then for 3 days a year later, in hospital."),
        ("ofatumumab", "An injection under the skin once a month, after 3 weekly starting doses, at home."),
        ("fingolimod", "A tablet or capsule by mouth once a day, at home."),
    ],
)
def test_the_plain_description_says_route_how_often_and_where(seeded, slug, sentence):
    assert therapy(slug).plain_description() == sentence


def test_a_preview_describes_the_drafts_routes_not_the_saved_ones(seeded):
    assert therapy("natalizumab").plain_description(["iv"]) == "A drip into a vein every 4 weeks, at a clinic."


def test_no_description_until_where_and_how_often_are_both_entered(seeded):
    row = therapy("ocrelizumab")
    row.setting = ""
    assert row.plain_description() == ""


def test_where_without_how_often_is_refused_in_the_readers_words(seeded):
    row = therapy("ocrelizumab")
    row.schedule = ""
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "how often" in refused.value.message_dict["schedule"][0]


def test_a_count_over_a_year_is_refused(seeded):
    row = therapy("fingolimod")
    row.doses_first_year = 400
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "366" in refused.value.message_dict["doses_first_year"][0]


@pytest.mark.parametrize("bad", ["6", "six months", "6 fortnights", "0 days", "6 months after"])
def test_a_contraception_period_must_be_a_number_and_a_unit(seeded, bad):
    row = therapy("ocrelizumab")
    row.contraception_us = bad
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "like “6 months”" in refused.value.message_dict["contraception_us"][0]


def test_periods_compare_in_days():
    assert period_days("10 days") < period_days("1 week") * 2 < period_days("2 months") < period_days("6 months")
    assert period_days("") is None


def test_a_draft_edits_the_facts_and_the_reviewer_sees_the_change(seeded, editor):
    live = therapy("ocrelizumab")
    _, revision = draft_change(editor, live, setting="hospital", contraception_eu="6 months")
    before = snapshot_of(live)
    changed = {f.label: f for f in diff_snapshots(Therapy, before, revision.snapshot).fields}
    assert set(changed) == {"Where it is given", "Contraception after the last dose (EU)"}
    # Not published: the live row keeps its reviewed facts.
    assert therapy("ocrelizumab").setting == "clinic"


def test_the_api_answers_the_live_facts(seeded, client):
    body = client.get(reverse("api_v1:therapy", args=["cladribine"])).json()["practical"]
    assert body["how_given"]["setting"] == "home"
    assert body["how_given"]["doses_later_years"] == 0
    assert body["pregnancy_planning"]["contraception_us"] == "6 months"
    assert body["checks"]["visits_first_year"] == 2
