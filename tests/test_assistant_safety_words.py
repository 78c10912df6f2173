"""Reviewer assistant: safety words in a change not marked safety (editorial/assistant/safety_words.py)."""

import pytest

from therapies.editorial.assistant import safety_words
from therapies.editorial.assistant.safety_words import words_in

from .assistant_helpers import findings, proposal
from .factories import make_therapy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Two deaths were reported; one was fatal.", ["deaths", "fatal"]),
        ("It carries a Boxed  Warning.", ["Boxed Warning"]),
        ("It is contraindicated in pregnancy; a contra-indication.", ["contraindicated", "pregnancy",
                                                                       "contra-indication"]),
        ("If you are pregnant, fatally", ["pregnant", "fatally"]),
        ("Breathe deeply; a fatalistic view of pregnenolone.", []),
        ("Warnings about boxes.", []),
    ],
)
def test_safety_words_are_found_and_look_alikes_are_not(text, found):
    assert words_in(text) == found


def test_safety_words_added_to_a_minor_change_are_flagged():
    (finding,) = findings(safety_words.check, proposal(make_therapy(), body="Fatal infections have been reported."))

    assert (finding.check, finding.field) == ("safety", "body")
    assert "“Fatal”" in finding.message and "marked minor" in finding.message


def test_a_change_marked_safety_is_not_flagged():
    p = proposal(make_therapy(), body="Fatal infections have been reported.", significance="safety")

    assert findings(safety_words.check, p) == []


def test_words_the_live_text_already_had_are_not_flagged():
    therapy = make_therapy(pregnancy="Do not use in pregnancy.")

    p = proposal(therapy, pregnancy="Do not use it in pregnancy.", significance="major")

    assert findings(safety_words.check, p) == []


def test_text_without_safety_words_is_not_flagged():
    assert findings(safety_words.check, proposal(make_therapy(), body="Given by drip every six months.")) == []
