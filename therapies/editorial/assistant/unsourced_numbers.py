"""Numbers without a source: percentages, rates, "1 in N" and doses added to text the object cites nothing for.

A number a reader may act on must come from a source (DESIGN.md "Medical content"). The sources
that back a text are read from the registry (models/kinds.py): a required section's own sources
for that section ("pregnancy_references" for "pregnancy"), the kind's other citations (its
`references`) for every other field and for its child rows. Kinds that cite nothing (a source
itself, an editorial text) are not checked: there is nothing the editor could cite with.
Only numbers the change adds count: a number the live text already had is not news to the reviewer.
"""

import re
from collections.abc import Iterator

from .proposal import Finding, Proposal, TextChange, added_matches

# A number starts only at its first digit and is at most 15 digits a part, 7 parts long: each match attempt
# is bounded, so a long run of digits, "1." or "1," costs linear time (security finding N1).
_NUMBER = r"(?<![\d.,])\d{1,15}(?:[.,]\d{1,15}){0,6}"
NUMBERS = re.compile(
    "|".join(
        [
            rf"{_NUMBER}\s?(?:%|per ?cent\b)",  # 12%, 12 percent
            rf"\b{_NUMBER}\s+(?:in|out of)\s+{_NUMBER}\b",  # 1 in 100, 3 out of 10
            rf"\b{_NUMBER}\s+(?:[a-z-]+\s+){{0,2}}per\s+(?:{_NUMBER}\s+)?[a-z-]+",  # 16 relapses per 100 people
            rf"\b(?:rate|ratio)\s+(?:of\s+|was\s+|is\s+)?{_NUMBER}",  # relapse rate of 0.16, hazard ratio 0.54
            rf"\b{_NUMBER}\s?(?:mg/kg|mg/m²|mg/m2|mg|µg|mcg|micrograms?|milligrams?|ml|IU|units?)\b",  # 300 mg
        ]
    ),
    re.IGNORECASE,
)


def numbers_in(text: str) -> list[str]:
    return [m.group(0).strip() for m in NUMBERS.finditer(text)]


def _sources(proposal: Proposal, text: TextChange) -> tuple[list, str]:
    """(the ids citing sources for this text, what a reviewer calls them)."""
    kind = proposal.kind
    sections = {s.references: s for s in kind.required_sections}
    own = next((s for s in kind.required_sections if s.field == text.field.name and not text.relation), None)
    found = kind.live_links(proposal.snapshot)
    if own is not None:
        ids = [pk for _, pk, link in found if link.field == own.references]
        return ids, f"its “{own.label(proposal.model)}” section cites no source"
    ids = [pk for _, pk, link in found if link.citation and link.field not in sections]
    return ids, f"this {kind.verbose_name} cites no source"


def check(proposal: Proposal) -> Iterator[Finding]:
    if not any(link.citation for link in proposal.kind.links):
        return
    for text in proposal.changed_texts:
        added = added_matches(numbers_in(text.new), numbers_in(text.old))
        if not added:
            continue
        ids, missing = _sources(proposal, text)
        if ids:
            continue
        shown = ", ".join(f"“{number}”" for number in added)
        yield text.finding(
            "numbers",
            f"{proposal.name}, {text.where}: adds {shown}, but "
            f"{missing}. Cite the source the numbers come from.",
            proposal,
        )
