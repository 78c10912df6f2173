"""Content the public must never see, made through the real workflow: the API tests and the
schemathesis run both search every answer for its marker texts."""

from dataclasses import dataclass, field

from therapies import workflow
from therapies.editorial.snapshots import snapshot_of
from therapies.models import Reference, Risk, Therapy, Trial

from .workflow_helpers import approved_change, draft_change


@dataclass
class HiddenContent:
    """What was made, and texts that appear in an answer only if hidden content leaked into it."""

    draft_therapy: Therapy
    draft_trial: Trial
    draft_reference: Reference
    unpublished_risk: Risk
    unpublished_therapy: Therapy
    markers: list[str] = field(default_factory=list)


def without_trials(snapshot: dict) -> dict:
    """A copied therapy's risk rows, without the comparator trials of the therapy it was copied from (a risk
    row may only name a trial of its own therapy)."""
    for row in snapshot["children"].get("therapy_risks", []):
        row["comparator_trial"] = None
    return snapshot


def make_hidden_content(editor, reviewer) -> HiddenContent:
    """A new therapy, trial and source in a draft; draft, approved-but-unpublished and withdrawn edits of
    live pages; a withdrawn new therapy; an unpublished risk; and an unpublished therapy whose trials stay live."""
    change_request = workflow.start_change_request(user=editor, title="Add Hiddenumab")
    source = Reference.objects.create(
        key="hidden-draft-source", kind="article", title="Hidden draft-only source", source="Hidden J 2020;1:1",
        year=2020, pmid="99999998",
    )
    therapy_snapshot = snapshot_of(Therapy.objects.get(slug="ocrelizumab"))
    therapy_snapshot["fields"].update(name="Hiddenumab", slug="hiddenumab", brand_names="Hiddra",
                                      references=[source.pk])
    without_trials(therapy_snapshot)
    therapy = workflow.create_object(change_request=change_request, user=editor, model=Therapy,
                                     snapshot=therapy_snapshot)
    trial_snapshot = snapshot_of(Trial.objects.get(slug="opera-i"))
    trial_snapshot["fields"].update(name="HIDDEN-TRIAL", slug="hidden-trial", nct_id="NCT09999998",
                                    therapy=Therapy.objects.get(slug="natalizumab").pk)
    trial = workflow.create_object(change_request=change_request, user=editor, model=Trial, snapshot=trial_snapshot)

    draft_change(editor, Therapy.objects.get(slug="natalizumab"), summary="Hidden draft summary of natalizumab.")
    approved_change(editor, reviewer, Therapy.objects.get(slug="fingolimod"),
                    summary="Hidden approved but unpublished summary of fingolimod.")
    withdrawn, _ = draft_change(editor, Therapy.objects.get(slug="cladribine"),
                                summary="Hidden withdrawn summary of cladribine.")
    withdrawn_new = workflow.start_change_request(user=editor, title="Add Withdrawnumab")
    withdrawn_snapshot = snapshot_of(Therapy.objects.get(slug="ocrelizumab"))
    withdrawn_snapshot["fields"].update(name="Withdrawnumab", slug="withdrawnumab", brand_names="Withdra")
    without_trials(withdrawn_snapshot)
    workflow.create_object(change_request=withdrawn_new, user=editor, model=Therapy, snapshot=withdrawn_snapshot)
    workflow.withdraw(change_request=withdrawn, user=editor, reason="Not needed.")
    workflow.withdraw(change_request=withdrawn_new, user=editor, reason="Not needed.")

    risk = workflow.unpublish(obj=Risk.objects.get(slug="herpes-infections"), user=reviewer, reason="Being rewritten.")
    unpublished = workflow.unpublish(obj=Therapy.objects.get(slug="alemtuzumab"), user=reviewer,
                                     reason="Being rewritten.")
    return HiddenContent(
        draft_therapy=Therapy.objects.get(pk=therapy.object_id),
        draft_trial=Trial.objects.get(pk=trial.object_id),
        draft_reference=source,
        unpublished_risk=risk,
        unpublished_therapy=unpublished,
        markers=[
            "Hiddenumab", "hiddenumab", "HIDDEN-TRIAL", "hidden-trial", "NCT09999998", "hidden-draft-source",
            "Hidden draft", "Hidden approved", "Hidden withdrawn", "Withdrawnumab", "withdrawnumab",
            "/risks/herpes-infections/", "Herpes virus infections", "/therapies/alemtuzumab/",
        ],
    )
