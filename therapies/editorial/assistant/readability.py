"""Readability: the reading grade of each changed patient-facing text (the kind's prose_fields, models/kinds.py).

Scored with textstat's Flesch–Kincaid grade (textstat 0.7.3 counts syllables with pyphen's bundled
dictionaries, offline; docs/DEPENDENCIES.md). Markdown is rendered and its tags stripped first, so
link addresses, emphasis marks and table pipes are not read as words, and each line of a list counts
as a sentence of its own (an unpunctuated list is not one 80-word sentence).
"""

import html
import re
from collections.abc import Iterator

import textstat
from django.utils.html import strip_tags
from django.utils.text import capfirst

from ...models.limits import MarkdownField
from ..rendering import render_markdown
from .proposal import Finding, Proposal

GRADE_AIM = 9  # patient information aims at a reading grade of 9 or below (US school grade)
MIN_WORDS = 10  # a formula over fewer words says nothing about the text
_LINE_END = re.compile(r"[.!?:;]$")


def plain_text(text: str, *, markdown: bool) -> str:
    """The words a reader reads: Markdown rendered and stripped, each line ending as a sentence."""
    if markdown:
        text = html.unescape(strip_tags(render_markdown(text)))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(line if _LINE_END.search(line) else f"{line}." for line in lines)


def reading_grade(text: str) -> float | None:
    """The Flesch–Kincaid grade of plain text; None when it is too short to score."""
    if textstat.lexicon_count(text) < MIN_WORDS:
        return None
    return float(textstat.flesch_kincaid_grade(text))


def check(proposal: Proposal) -> Iterator[Finding]:
    for name in proposal.kind.prose_fields:
        text = proposal.new("fields").get(name) or ""
        if not text.strip() or not proposal.changed(name):
            continue
        f = proposal.model._meta.get_field(name)
        grade = reading_grade(plain_text(text, markdown=isinstance(f, MarkdownField)))
        if grade is None:
            continue
        label = capfirst(f.verbose_name)
        if grade > GRADE_AIM:
            message = (f"{proposal.name}, {label.lower()}: reading grade {grade:.1f} (Flesch–Kincaid), above the "
                       f"grade {GRADE_AIM} patient information aims for. Shorter sentences and everyday words help.")
        else:
            message = f"{proposal.name}, {label.lower()}: reading grade {grade:.1f}, within grade {GRADE_AIM}."
        yield Finding("readability", message, proposal.revision_id, name, flagged=grade > GRADE_AIM)
