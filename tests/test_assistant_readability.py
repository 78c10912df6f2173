"""Reviewer assistant: the reading grade of changed patient-facing text (editorial/assistant/readability.py)."""

import subprocess
import sys

import pytest
import textstat

from therapies.editorial.assistant import readability
from therapies.editorial.assistant.readability import GRADE_AIM, plain_text, reading_grade
from therapies.models import Therapy, Trial, kind_for

from .assistant_helpers import findings, proposal
from .factories import make_therapy

pytestmark = pytest.mark.django_db

# Flesch–Kincaid 12.7 with textstat 0.7.3: one long sentence of long words.
GRADE_12 = ("Testimab is an antibody medicine that lowers the yearly number of relapses by about 46% in adults with "
            "relapsing multiple sclerosis.")
PLAIN = ("This medicine is a drip you get every six months. It lowers the chance of a new attack. "
         "Your nurse checks you during the drip.")


def test_a_grade_12_summary_is_flagged_with_its_grade():
    (finding,) = findings(readability.check, proposal(make_therapy(), summary=GRADE_12))

    assert (finding.check, finding.field, finding.flagged) == ("readability", "summary", True)
    assert "summary: reading grade 12." in finding.message and "grade 9" in finding.message
    assert 12 <= reading_grade(GRADE_12) < 13


def test_plain_words_are_scored_but_not_flagged():
    (finding,) = readability.check(proposal(make_therapy(), summary=PLAIN))

    assert not finding.flagged and reading_grade(PLAIN) <= GRADE_AIM
    assert "within grade 9" in finding.message


def test_unchanged_text_is_not_scored_however_hard():
    therapy = make_therapy(body=GRADE_12)

    assert list(readability.check(proposal(therapy, dosing="Every six months."))) == []


def test_every_prose_field_of_a_new_object_is_scored():
    therapy = make_therapy(summary=GRADE_12, body=GRADE_12, pregnancy=PLAIN)

    found = {f.field: f.flagged for f in readability.check(proposal(therapy, new=True))}

    assert found == {"summary": True, "body": True, "pregnancy": False}  # the rest are under ten words


def test_text_too_short_to_score_is_left_alone():
    p = proposal(make_therapy(), summary="Antidisestablishmentarianism immunosuppression.")

    assert list(readability.check(p)) == []


def test_markdown_is_stripped_before_scoring():
    listing = ("- blood tests before each dose\n- a check for hepatitis B infection before the first dose\n"
               "- a check of your vaccinations before starting\n- an [MRI scan](https://example.org/"
               "magnetic-resonance-imaging-surveillance-recommendations) every year")

    text = plain_text(listing, markdown=True)

    assert "https" not in text and "-" not in text.split()[0] and text.count(".") == 4
    assert reading_grade(text) <= GRADE_AIM < textstat.flesch_kincaid_grade(listing)
    assert findings(readability.check, proposal(make_therapy(), monitoring=listing)) == []


def test_prose_fields_come_from_the_registry():
    assert kind_for(Therapy).prose_fields[:3] == ("mechanism", "formulations", "dosing")
    assert {"summary", "body", "pregnancy", "contraindications", "urgent_help"} <= set(kind_for(Therapy).prose_fields)
    assert not {"name", "slug", "brand_names", "molecular_target"} & set(kind_for(Therapy).prose_fields)
    assert set(kind_for(Trial).prose_fields) == {"summary", "body"}


def test_textstat_scores_offline():
    """textstat 0.7.3 counts syllables with pyphen's bundled dictionaries: with every connection refused it still
    scores (a later version would try to download a dictionary here)."""
    script = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n    raise OSError('no network')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "import textstat\n"
        f"print(textstat.flesch_kincaid_grade({GRADE_12!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == pytest.approx(reading_grade(GRADE_12))
