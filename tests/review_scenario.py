"""A change request for the review screen's tests (HTTP and browser): a therapy gains a risk row and a new source.

Built through the workflow (tests/factories.py for the live content), never through the edit form.
"""

from dataclasses import dataclass

from therapies import workflow
from therapies.models import ChangeRequest, Reference, Revision, Risk, Therapy

from .factories import make_risk, make_therapy

# Flesch–Kincaid 12.7 (textstat 0.7.3); its "46%" comes with no source the therapy cites for its summary.
GRADE_12_SUMMARY = ("Testimab is an antibody medicine that lowers the yearly number of relapses by about 46% in "
                    "adults with relapsing multiple sclerosis.")
RISK_ROW = {
    "frequency": "common",
    "figure": "3% (0.2% serious)",
    "measure": "ALT at least 3 times the upper limit of normal, 2-year trials",
    "boxed_warning": False,
    "notes": "Check liver tests before each dose.",
}
SOURCE = {
    "key": "test-liver-2024",
    "kind": "article",
    "title": "Liver safety of a test antibody",
    "source": "Test J Hepatol 2024;9:1-9",
    "year": 2024,
    "authors": "Tester A, et al.",
    "pmid": "38000001",
    "doi": "10.1000/test.liver.2024",
    "nct_id": "",
    "url": "https://example.org/liver-safety",
}


@dataclass
class Scenario:
    change_request: ChangeRequest
    therapy: Therapy
    risk: Risk
    reference: Reference
    therapy_revision: Revision
    reference_revision: Revision


def risk_row_and_source_in_review(editor, **therapy_fields) -> Scenario:
    """Submitted for review: a new source, and a therapy with an added risk row, a grade-12 summary citing nothing
    for its number, and the new source cited by its pregnancy section."""
    therapy, risk = make_therapy(), make_risk(name="Test liver injury")
    change_request = workflow.start_change_request(user=editor, title="Liver injury with its source")
    reference_revision = workflow.create_object(
        change_request=change_request, user=editor, model=Reference,
        snapshot={"fields": dict(SOURCE), "m2m": {}, "children": {}},
    )
    revision = workflow.add_object(change_request=change_request, user=editor, obj=therapy)
    snapshot = revision.snapshot
    snapshot["fields"].update(summary=GRADE_12_SUMMARY, **therapy_fields)
    snapshot["children"]["therapy_risks"].append({"risk": risk.pk, **RISK_ROW})
    snapshot["m2m"]["pregnancy_references"].append(reference_revision.object_id)
    revision = workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    workflow.submit(change_request=change_request, user=editor, change_note="Added the liver injury risk.")
    return Scenario(change_request, therapy, risk, Reference.objects.get(pk=reference_revision.object_id),
                    revision, reference_revision)
