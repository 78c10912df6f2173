"""Medical content (DESIGN.md "Content model" and "Medical content"): the three sections every live
therapy must have, figures with what they count, indications with their regulators' qualifiers,
and the seed fixtures held to those rules."""

import copy
import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from therapies import workflow
from therapies.admin.forms import TherapyRiskFormSet, draft_form_class
from therapies.editorial.diff import diff_snapshots
from therapies.editorial.snapshots import snapshot_of
from therapies.models import (
    Frequency,
    Indication,
    Regulator,
    Revision,
    Risk,
    State,
    Therapy,
    TherapyRisk,
    kind_for,
)
from therapies.workflow import PublishConflict

from .hidden_content import without_trials
from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SECTIONS = [
    ("pregnancy", "pregnancy_references", "Pregnancy and breastfeeding"),
    ("contraindications", "contraindications_references", "Who should not take it"),
    ("urgent_help", "urgent_help_references", "When to get urgent help"),
]


def refreshed(change_request):
    return type(change_request).objects.get(pk=change_request.pk)


def approve(change_request, editor, reviewer):
    workflow.submit(change_request=change_request, user=editor, change_note="Edited a section.")
    return workflow.approve(change_request=change_request, user=reviewer)


# --- Publishing refuses a live therapy without its three sections --------------------------------------


@pytest.mark.parametrize(("field", "references", "label"), SECTIONS)
def test_publishing_a_therapy_with_an_empty_required_section_is_refused_naming_it(
    editor, reviewer, field, references, label
):
    before = getattr(Therapy.objects.get(slug="ocrelizumab"), field)
    change_request, _ = draft_change(editor, **{field: ""})
    approve(change_request, editor, reviewer)
    with pytest.raises(PublishConflict, match=f"the “{label}” section is empty. .*Nothing was published"):
        workflow.publish(change_request=change_request, user=reviewer)
    assert getattr(Therapy.objects.get(slug="ocrelizumab"), field) == before
    assert refreshed(change_request).state == State.APPROVED


@pytest.mark.parametrize(("field", "references", "label"), SECTIONS)
def test_publishing_a_therapy_section_without_sources_is_refused_naming_it(
    editor, reviewer, field, references, label
):
    change_request, revision = draft_change(editor)
    snapshot = revision.snapshot
    snapshot["m2m"][references] = []
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    approve(change_request, editor, reviewer)
    with pytest.raises(PublishConflict, match=f"the “{label}” section cites no source"):
        workflow.publish(change_request=change_request, user=reviewer)
    assert getattr(Therapy.objects.get(slug="ocrelizumab"), references).exists()


def test_a_new_therapy_without_the_sections_is_refused_with_every_missing_one_named(editor, reviewer):
    change_request = workflow.start_change_request(user=editor, title="Add Novumab")
    snapshot = snapshot_of(Therapy.objects.get(slug="ocrelizumab"))
    snapshot["fields"].update(name="Novumab", slug="novumab", pregnancy="", contraindications="", urgent_help="")
    without_trials(snapshot)
    workflow.create_object(change_request=change_request, user=editor, model=Therapy, snapshot=snapshot)
    approve(change_request, editor, reviewer)
    with pytest.raises(PublishConflict) as refused:
        workflow.publish(change_request=change_request, user=reviewer)
    for _, _, label in SECTIONS:
        assert f"the “{label}” section is empty" in refused.value.message
    assert not Therapy.objects.live().filter(slug="novumab").exists()


def test_a_therapy_with_all_three_sections_and_sources_publishes(editor, reviewer):
    change_request, _ = draft_change(editor, urgent_help="Call your team about any new symptom.")
    approve(change_request, editor, reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    assert Therapy.objects.get(slug="ocrelizumab").urgent_help == "Call your team about any new symptom."


# --- A figure says what it counts; "not known" states no number ---------------------------------------


def risk_rows(**row) -> dict:
    risk = Risk.objects.get(slug="pml")
    data = {"therapy_risks-TOTAL_FORMS": "1", "therapy_risks-INITIAL_FORMS": "0"}
    defaults = {"risk": str(risk.pk), "frequency": "common", "figure": "", "measure": "", "notes": ""}
    data.update({f"therapy_risks-0-{k}": v for k, v in {**defaults, **row}.items()})
    return data


def test_a_figure_without_its_measure_is_refused_by_the_risk_form():
    formset = TherapyRiskFormSet(data=risk_rows(figure="5%"), prefix="therapy_risks")
    assert not formset.is_valid()
    assert "Say what the figure counts" in str(formset.errors)


def test_not_known_with_a_number_is_refused_by_the_risk_form():
    formset = TherapyRiskFormSet(
        data=risk_rows(frequency="not-known", figure="13 cases", measure="reports"), prefix="therapy_risks"
    )
    assert not formset.is_valid()
    assert "cannot state a number" in str(formset.errors)


def test_a_figure_with_its_measure_is_kept_in_the_draft():
    formset = TherapyRiskFormSet(
        data=risk_rows(figure="5%", measure="people affected, 2 years"), prefix="therapy_risks"
    )
    assert formset.is_valid(), formset.errors
    assert formset.to_rows()[0]["measure"] == "people affected, 2 years"


def without_a_measure(snapshot: dict) -> dict:
    """The snapshot with the measure of its first figure removed."""
    row = next(row for row in snapshot["children"]["therapy_risks"] if row["figure"])
    row["measure"] = ""
    return snapshot


def test_saving_a_draft_figure_without_its_measure_is_refused_naming_the_risk(editor):
    change_request, revision = draft_change(editor)
    with pytest.raises(workflow.WorkflowError, match=r"Ocrelizumab could not be saved: Risk “.+”: measure: Say"):
        workflow.save_draft(revision=revision, user=editor, snapshot=without_a_measure(revision.snapshot))
    assert all(row.get("measure") for row in Revision.objects.get(pk=revision.pk).snapshot["children"]
               ["therapy_risks"] if row["figure"])


def test_publishing_a_figure_without_its_measure_is_refused_naming_the_risk(editor, reviewer):
    change_request, revision = draft_change(editor)
    # As if written before the rule existed: straight into the stored revision.
    Revision.objects.filter(pk=revision.pk).update(snapshot=without_a_measure(revision.snapshot))
    approve(change_request, editor, reviewer)
    with pytest.raises(PublishConflict, match=r"Ocrelizumab is not valid: Risk “.+”: measure: Say what"):
        workflow.publish(change_request=change_request, user=reviewer)


# --- Pages show qualified indications, every route, the sections and what each figure counts ---------


def test_therapy_list_shows_each_regulators_qualified_indications_never_a_bare_course(client):
    html = unescape(client.get("/therapies/").content.decode())
    results = html[html.index('id="results-heading"'):]
    assert "Active secondary progressive MS (with relapses, or inflammatory activity on MRI)" in results
    assert "Early primary progressive MS" in results and "Highly active relapsing-remitting MS" in results
    # A course name alone ("Secondary progressive MS") is no longer an item of any "Approved for" list.
    assert not re.search(r"<li>\s*Secondary progressive MS\s*</li>", results)
    assert "United States (FDA)" in results and "European Union" in results


def test_filtering_by_a_course_finds_every_therapy_approved_for_some_form_of_it(client):
    html = client.get("/therapies/", {"course": "PPMS"}).content.decode()
    assert "/therapies/ocrelizumab/" in html and "/therapies/fingolimod/" not in html
    html = client.get("/therapies/", {"route": "sc"}).content.decode()
    assert "/therapies/ocrelizumab/" in html and "/therapies/natalizumab/" in html


def test_therapy_page_shows_all_routes_and_the_three_sections_with_sources(client):
    html = unescape(client.get("/therapies/ocrelizumab/").content.decode())
    assert "IV infusion and Subcutaneous injection" in html
    assert "{%" not in html and "{#" not in html and "Needs `therapy`" not in html  # template comments stay hidden
    for _, _, label in SECTIONS:
        assert f">{label}</h2>" in html
    assert html.count("Sources for this section:") == 3
    assert "for **6 months**" not in html and "6 months" in html  # Markdown rendered, duration shown


def test_compare_shows_what_each_liver_figure_counts_side_by_side(client):
    html = unescape(client.get("/compare/", {"t": ["fingolimod", "ozanimod"]}).content.decode())
    fingolimod = TherapyRisk.objects.get(therapy__slug="fingolimod", risk__slug="liver-injury")
    ozanimod = TherapyRisk.objects.get(therapy__slug="ozanimod", risk__slug="liver-injury")
    for link in (fingolimod, ozanimod):
        assert link.figure in html and f"What the figure counts: {link.measure}" in html
        assert "ALT at least 3 times the upper limit of normal" in link.measure


def test_risk_page_shows_the_measure_beside_each_figure(client):
    html = unescape(client.get("/risks/macular-oedema/").content.decode())
    assert "What the figure counts" in html
    for link in TherapyRisk.objects.filter(risk__slug="macular-oedema").exclude(figure=""):
        assert link.measure in html


# --- The seed fixtures meet the rules of DESIGN.md "Medical content" ----------------------------------


def fixture_rows(model: str) -> list[dict]:
    rows = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        rows += [row["fields"] for row in yaml.safe_load(path.read_text()) or [] if row["model"] == model]
    return rows


def test_every_therapy_fixture_has_the_three_sections_with_sources_that_exist():
    references = {row["key"] for row in fixture_rows("therapies.reference")}
    therapies = fixture_rows("therapies.therapy")
    assert len(therapies) == 10
    for therapy in therapies:
        for field, sources, label in SECTIONS:
            assert (therapy.get(field) or "").strip(), f"{therapy['slug']}: {label} is empty"
            cited = [key for (key,) in therapy.get(sources) or []]
            assert cited, f"{therapy['slug']}: {label} cites no source"
            assert set(cited) <= references, f"{therapy['slug']}: {label} cites unknown sources"


def test_no_therapy_risk_fixture_gives_not_known_with_a_number_and_every_figure_its_measure():
    links = fixture_rows("therapies.therapyrisk")
    assert links
    for link in links:
        name = f"{link['therapy'][0]} / {link['risk'][0]}"
        if link["frequency"] == Frequency.NOT_KNOWN:
            assert not re.search(r"\d", link.get("figure") or ""), f"{name}: “not known” with a number"
        if (link.get("figure") or "").strip():
            assert (link.get("measure") or "").strip(), f"{name}: a figure without its measure"


def test_every_therapy_fixture_lists_its_routes_formulations_and_indications_by_regulator():
    regulators = {row["code"]: row["regulator"] for row in fixture_rows("therapies.indication")}
    for therapy in fixture_rows("therapies.therapy"):
        assert therapy["routes"] and therapy["formulations"].strip(), therapy["slug"]
        approved = {regulators[code] for (code,) in therapy["approved_indications"]}
        assert approved == {Regulator.FDA, Regulator.EU}, therapy["slug"]


def test_every_qualifier_in_a_regulators_wording_is_kept_in_the_indication_name():
    for indication in Indication.objects.all():
        wording = indication.wording.lower()
        for qualifier in ("highly active", "active", "early", "rapidly evolving", "two or more"):
            if qualifier in wording:
                assert qualifier in indication.name.lower(), (indication.code, qualifier)


def test_fixtures_point_to_published_sources_never_to_files_outside_the_repository():
    for path in FIXTURES.glob("*.yaml"):
        text = path.read_text()
        assert "/work/" not in text and "ms-facts" not in text, path.name


def test_every_live_seed_therapy_passes_the_publish_check_of_its_sections():
    for therapy in Therapy.objects.live():
        assert kind_for(therapy).missing_sections(snapshot_of(therapy)) == [], therapy.name


def test_about_page_says_what_a_review_covers(client):
    html = unescape(client.get("/about/").content.decode())
    assert "A review is a check of the whole page against its sources" in html
    assert "US prescribing information" in html and "summary of product characteristics" in html
    assert "“Last reviewed” shows the date of the last such full review" in html


def test_edit_forms_snapshots_and_diff_carry_the_new_fields():
    form_fields = set(draft_form_class(Therapy)().fields)
    new = {"routes", "formulations", "approved_indications", "pregnancy", "pregnancy_references",
           "contraindications", "contraindications_references", "urgent_help", "urgent_help_references"}
    assert new <= form_fields
    snapshot = snapshot_of(Therapy.objects.get(slug="fingolimod"))
    assert new <= {*snapshot["fields"], *snapshot["m2m"]}
    rows = snapshot["children"]["therapy_risks"]
    assert all("measure" in row for row in rows)
    changed = copy.deepcopy(snapshot)
    changed["fields"]["pregnancy"] = "Changed."
    for row in changed["children"]["therapy_risks"]:
        row["measure"] += " (changed)"
    diff = diff_snapshots(Therapy, snapshot, changed)
    assert [f.name for f in diff.fields] == ["pregnancy"]
    assert len(diff.rows) == len(rows)
    assert all(any(detail.startswith("Measure: ") for detail in row.details) for row in diff.rows)


def test_search_result_line_names_every_route(client):
    html = unescape(client.get("/search/", {"q": "Ocrevus"}).content.decode())
    assert "Anti-CD20 monoclonal antibody · IV infusion and Subcutaneous injection" in html
