"""Required sections: what a page of this kind must have before it can go live (RequiredSection, models/kinds.py).

Publishing refuses such a page (workflow/publishing.py); the assistant says so while the change is
still being reviewed, for the whole proposed page, changed or not.
"""

from collections.abc import Iterator

from .proposal import Finding, Proposal


def check(proposal: Proposal) -> Iterator[Finding]:
    for _section, field, problem in proposal.kind.section_problems(proposal.snapshot):
        yield Finding("sections", f"{proposal.name}: {problem}. It cannot be published without it.",
                      proposal.revision_id, field)
