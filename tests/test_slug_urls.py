"""Content pages' addresses are built from their route once, then per row (models/urls.py, issue 27)."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from therapies.models import Risk, Therapy, Trial
from therapies.models.urls import slug_url

pytestmark = pytest.mark.django_db


def test_every_content_page_address_is_what_reverse_gives(seeded):
    rows = [*Therapy.objects.all(), *Trial.objects.all(), *Risk.objects.all()]
    names = {Therapy: "therapy_detail", Trial: "trial_detail", Risk: "risk_detail"}
    assert len(rows) > 40
    for row in rows:
        assert row.get_absolute_url() == reverse(names[type(row)], args=[row.slug])


def test_a_script_prefix_and_an_unusual_slug_are_honoured():
    try:
        set_script_prefix("/msinfo/")
        assert slug_url("therapy_detail", "ocrelizumab") == "/msinfo/therapies/ocrelizumab/"
    finally:
        set_script_prefix("/")
    assert slug_url("therapy_detail", "ocrelizumab") == "/therapies/ocrelizumab/"
    with pytest.raises(NoReverseMatch):  # as reverse(): the route takes plain slugs only
        slug_url("trial_detail", "é x")
