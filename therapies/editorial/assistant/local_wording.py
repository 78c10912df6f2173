"""Country-specific wording (issue 24): the site is read in many countries, so "call 999", "see your GP" or "go to
A&E" send a reader in another country the wrong way. Flagged for the reviewer, with the wording that works
everywhere; only wording the change adds counts."""

import re
from collections.abc import Iterator

from .proposal import Finding, Proposal, added_matches

# (pattern, what it is, the wording that works everywhere)
LOCAL_WORDING = (
    (re.compile(r"\b(?:999|911|112|000|111)\b(?![.,]?\d)"), "an emergency or advice number of one country",
     "“call your local emergency number”"),
    (re.compile(r"\bGPs?\b"), "a British name for a family doctor", "“your doctor” or “your family doctor”"),
    (re.compile(r"\bA\s?&\s?E\b|\bA and E\b"), "a British name for the emergency department",
     "“the emergency department of a hospital”"),
    (re.compile(r"\bNHS\b"), "one country's health service", "wording that does not name a country's service"),
    (re.compile(r"\bER\b"), "an American name for the emergency department",
     "“the emergency department of a hospital”"),
)


def local_words(text: str) -> list[tuple[str, str, str]]:
    return [(" ".join(match.group(0).split()), what, instead)
            for pattern, what, instead in LOCAL_WORDING for match in pattern.finditer(text)]


def check(proposal: Proposal) -> Iterator[Finding]:
    for text in proposal.changed_texts:
        found = local_words(text.new)
        added = set(added_matches([word for word, _, _ in found], [word for word, _, _ in local_words(text.old)]))
        for word, what, instead in dict.fromkeys(item for item in found if item[0] in added):
            yield text.finding(
                "local",
                f"{proposal.name}, {text.where}: “{word}” is {what}; readers are in many countries. "
                f"Consider {instead}.",
                proposal,
            )
