"""Reviewer assistant: a page missing one of its required sections (editorial/assistant/sections.py)."""

import pytest

from therapies.editorial.assistant import sections
from therapies.models import Trial

from .assistant_helpers import findings, proposal, with_snapshot
from .factories import make_therapy

pytestmark = pytest.mark.django_db


def test_an_empty_required_section_is_flagged_on_its_field():
    (finding,) = findings(sections.check, proposal(make_therapy(), contraindications=""))

    assert (finding.check, finding.field) == ("sections", "contraindications")
    assert "“Who should not take it” section is empty" in finding.message


def test_a_required_section_without_sources_is_flagged_on_its_sources():
    p = with_snapshot(proposal(make_therapy()), lambda s: s["m2m"].update(urgent_help_references=[]))

    (finding,) = findings(sections.check, p)

    assert finding.field == "urgent_help_references" and "cites no source" in finding.message


def test_a_therapy_with_every_section_and_a_kind_without_required_sections_are_not_flagged():
    assert findings(sections.check, proposal(make_therapy(), summary="Changed.")) == []
    assert findings(sections.check, proposal(Trial.objects.get(slug="opera-i"), body="")) == []
