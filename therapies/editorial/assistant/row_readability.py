"""Reading grade of the patient-facing text in child rows (issue 24): a risk row's notes and what its figure counts
got no grade, though readers see them on the therapy's page. The object's own prose fields are readability.py's."""

from collections.abc import Iterator

from .proposal import Finding, Proposal
from .readability import GRADE_AIM, plain_text, reading_grade

# Child-row fields readers see as prose, by relation (outcomes are data, shown through their own sentence).
ROW_PROSE = {"therapy_risks": ("notes", "measure")}


def check(proposal: Proposal) -> Iterator[Finding]:
    for text in proposal.changed_texts:
        if text.field.name not in ROW_PROSE.get(text.relation, ()):
            continue
        grade = reading_grade(plain_text(text.new, markdown=False))
        if grade is None:
            continue
        if grade > GRADE_AIM:
            message = (f"{proposal.name}, {text.where}: reading grade {grade:.1f} (Flesch–Kincaid), above the grade "
                       f"{GRADE_AIM} patient information aims for. Shorter sentences and everyday words help.")
        else:
            message = f"{proposal.name}, {text.where}: reading grade {grade:.1f}, within grade {GRADE_AIM}."
        yield text.finding("readability", message, proposal, flagged=grade > GRADE_AIM)
