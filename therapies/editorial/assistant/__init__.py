"""The reviewer assistant (issue 14): checks a change request's proposed content and points at what to look at.

Computed from each revision's proposed snapshot (never from a form), shown on the review screen as a
panel, and never blocking: a finding is advice with a link to the field it is about; the rules that
refuse a change live in the workflow. One module per family of checks:

- readability.py: reading grade of changed patient-facing text, flagged above grade 9;
- unsourced_numbers.py: percentages, rates, "1 in N" and doses added to text that cites no source;
- identifiers.py: ClinicalTrials.gov id format and uniqueness, DOI and PubMed id formats, non-https addresses;
- frequency.py: a CIOMS category its own figure contradicts, a figure without a measure;
- safety_words.py: death, fatal, boxed warning, contraindicated, pregnancy in a change not marked safety;
- sections.py: a page missing one of its required sections;
- stored_figures.py: numbers checked against the object's stored figures (unmatched, or a contradiction);
- row_readability.py: reading grade of child rows' patient-facing text (a risk row's notes and measure);
- local_wording.py: country-specific wording (999/911/112, "GP", "A&E").
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ...models import ChangeRequest, Revision
from . import (
    frequency,
    identifiers,
    local_wording,
    readability,
    row_readability,
    safety_words,
    sections,
    stored_figures,
    unsourced_numbers,
)
from .proposal import Finding, Proposal, revision_anchor

__all__ = ["CHECKS", "Budget", "Finding", "Proposal", "proposal_of", "review_findings", "revision_anchor"]

logger = logging.getLogger(__name__)

PAGE_BUDGET = 1_000_000  # characters of changed text the checks may read on one review page, all together

CHECKS: tuple[Callable[[Proposal], Iterator[Finding]], ...] = (
    sections.check,
    frequency.check,
    identifiers.check,
    unsourced_numbers.check,
    safety_words.check,
    readability.check,
    stored_figures.check,
    row_readability.check,
    local_wording.check,
)


def proposal_of(revision: Revision, change_request: ChangeRequest) -> Proposal:
    return Proposal(
        revision_id=revision.pk,
        model=revision.content_type.model_class(),
        object_id=revision.object_id,
        name=revision.object_repr,
        base=None if revision.is_new else revision.base_snapshot,
        snapshot=revision.snapshot,
        significance=change_request.significance,
        change_request_id=change_request.pk,
    )


@dataclass
class Budget:
    """Characters the assistant's checks may read on one review page, all checks and revisions together (like
    textdiff's Budget for the diffs): once spent, the remaining checks are skipped and the page says which."""

    left: int = field(default_factory=lambda: PAGE_BUDGET)
    skipped: list[str] = field(default_factory=list)

    def spend(self, amount: int) -> bool:
        if amount > self.left:
            self.left = 0  # checks run in a fixed order: once one is skipped, so is every later one
            return False
        self.left -= amount
        return True


def reading_cost(proposal: Proposal) -> int:
    """What one check costs on a proposal: the characters of its changed texts, old and new (at least 1)."""
    return 1 + sum(len(text.old) + len(text.new) for text in proposal.changed_texts)


def _family(check: Callable) -> str:
    return check.__module__.rsplit(".", 1)[-1].replace("_", " ")


def _run(check: Callable, proposal: Proposal, change_request_id: int) -> list[Finding]:
    try:
        return list(check(proposal))
    except Exception:
        logger.exception("Reviewer assistant: %s failed on revision %s of change request #%s",
                         check.__module__, proposal.revision_id, change_request_id)
        return [Finding("unavailable", f"{proposal.name}: the {_family(check)} check could not run; "
                        "the error is logged.", proposal.revision_id)]


def proposal_findings(proposal: Proposal, budget: Budget) -> list[Finding]:
    """One proposal's findings, in the order of CHECKS, each check paid for from the page's budget."""
    findings, skipped = [], []
    cost = reading_cost(proposal)
    for check in CHECKS:
        if budget.spend(cost):
            findings.extend(_run(check, proposal, proposal.change_request_id))
        else:
            skipped.append(_family(check))
    if skipped:
        budget.skipped.append(proposal.name)
        findings.append(Finding("unavailable", f"{proposal.name}: not checked for {', '.join(skipped)}. The "
                                f"assistant reads at most {PAGE_BUDGET:,} characters on one page, and this change "
                                "request's texts are longer; read these words without its help.",
                                proposal.revision_id))
    return findings


def review_findings(change_request: ChangeRequest, revisions: Iterable[Revision] | None = None) -> list[Finding]:
    """Every finding about the change request's revisions: in the order of the revisions, then of CHECKS.

    Never blocking, not even by failing: a check that raises is logged and reported as not run, and the
    review screen still shows the diff and the other checks. Bounded: the checks share one Budget.
    """
    if revisions is None:
        revisions = change_request.revisions.select_related("content_type")
    budget = Budget()
    findings: list[Finding] = []
    for revision in revisions:
        findings.extend(proposal_findings(proposal_of(revision, change_request), budget))
    return findings
