"""Safety words in a change not marked as a safety change.

Death, fatal outcomes, boxed warnings, contraindications and pregnancy are what a safety update is
about; readers who follow safety updates only (the change log's filter, its feed) should not miss
one because it was filed as minor. The workflow already raises the significance for structural
safety changes (editorial/safety.py: a risk added, a frequency or boxed warning changed); this
check reads the words. Only words the change adds count.
"""

import re
from collections.abc import Iterator

from ...models import Significance
from .proposal import Finding, Proposal, added_matches

SAFETY_WORDS = re.compile(
    r"\b(?:deaths?|fatal(?:ly|ity|ities)?|boxed\s+warnings?|contra-?indicat(?:ed|ions?)|pregnan(?:cy|cies|t))\b",
    re.IGNORECASE,
)


def words_in(text: str) -> list[str]:
    return [" ".join(m.group(0).split()) for m in SAFETY_WORDS.finditer(text)]


def check(proposal: Proposal) -> Iterator[Finding]:
    if proposal.significance == Significance.SAFETY:
        return
    label = Significance(proposal.significance).label.lower() if proposal.significance in Significance.values else ""
    for text in proposal.changed_texts:
        added = sorted(set(added_matches(words_in(text.new), words_in(text.old))), key=str.casefold)
        if added:
            shown = ", ".join(f"“{word}”" for word in added)
            yield text.finding(
                "safety",
                f"{proposal.name}, {text.where}: adds {shown}, but "
                f"this change request is marked {label or 'as not safety'}. If it changes what readers need to "
                "know to stay safe, mark it a safety change when approving.",
                proposal,
            )
