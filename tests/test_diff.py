"""Reviewer diffs between two JSON snapshots (therapies/diff.py), on the seed content."""

import copy
import datetime

import pytest
from django.db import models
from django.utils.html import escape

from therapies.editorial.diff import FieldChange, ObjectDiff, diff_snapshots
from therapies.models import Indication, MSCourse, Reference, Risk, Therapy, Trial

from .factories import make_reference

pytestmark = pytest.mark.django_db

PUBLISH_STATE = {
    "id",
    "live",
    "first_published_at",
    "last_published_at",
    "last_reviewed_at",
    "last_reviewed_by",
    "next_review_due",
    "live_revision",
    "unpublish_at",
    "search_vector",  # the search index (search.py), filled on PostgreSQL; not editable content
}


def snapshot(obj: models.Model) -> dict:
    """A snapshot in the Revision format, built independently of therapies/snapshots.py."""
    meta = type(obj)._meta
    fields = {}
    for f in meta.concrete_fields:
        if f.name not in PUBLISH_STATE:
            value = getattr(obj, f.attname)
            fields[f.name] = value.isoformat() if isinstance(value, datetime.date) else value
    m2m = {f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True)) for f in meta.many_to_many}
    children = {}
    if isinstance(obj, Therapy):
        children["therapy_risks"] = [
            {"risk": r.risk_id, "frequency": r.frequency, "figure": r.figure, "notes": r.notes}
            for r in obj.therapy_risks.order_by("risk_id")
        ]
    return {"fields": fields, "m2m": m2m, "children": children}


def edited(snap: dict, **fields) -> dict:
    new = copy.deepcopy(snap)
    new["fields"].update(fields)
    return new


def only_change(diff: ObjectDiff) -> FieldChange:
    assert len(diff.fields) == 1, [f.name for f in diff.fields]
    return diff.fields[0]


@pytest.fixture
def ocrelizumab() -> Therapy:
    return Therapy.objects.get(slug="ocrelizumab")


@pytest.fixture
def courses() -> dict[str, MSCourse]:
    return {c.code: c for c in MSCourse.objects.all()}


# --- Text ----------------------------------------------------------------------------------------


def test_text_change_highlights_only_the_changed_word(ocrelizumab):
    old = snapshot(ocrelizumab)
    assert old["fields"]["class_description"] == "humanised anti-CD20 monoclonal antibody"
    new = edited(old, class_description="humanised anti-CD20 IgG1 antibody")

    change = only_change(diff_snapshots(Therapy, old, new))

    assert (change.name, change.label, change.kind) == ("class_description", "Class description", "text")
    assert change.old_html == "humanised anti-CD20 <del>monoclonal</del> antibody"
    assert change.new_html == "humanised anti-CD20 <ins>IgG1</ins> antibody"


def test_text_diff_keeps_line_breaks_and_marks_words_in_long_text(ocrelizumab):
    old = snapshot(ocrelizumab)
    mechanism = old["fields"]["mechanism"]
    new = edited(old, mechanism=mechanism.replace("calm that attack", "reduce that attack"))

    change = only_change(diff_snapshots(Therapy, old, new))

    assert change.label == "How it works"
    assert change.old_html.count("<del>") == 1 and "<del>calm</del>" in change.old_html
    assert change.new_html.count("<ins>") == 1 and "<ins>reduce</ins>" in change.new_html
    # Whitespace, including the blank line between paragraphs, is kept; the rest is only escaped.
    expected = escape(mechanism.replace("calm that attack", "reduce that attack"))
    assert "\n\n" in expected
    assert change.new_html.replace("<ins>", "").replace("</ins>", "") == expected


def test_added_and_removed_words_are_marked_on_their_own_side(ocrelizumab):
    old = edited(snapshot(ocrelizumab), brand_names="Ocrevus")
    new = edited(old, brand_names="Ocrevus, Ocrevus Zunovo")

    change = only_change(diff_snapshots(Therapy, old, new))

    assert change.label == "Brand names"
    assert change.old_html == "Ocrevus"  # nothing removed
    assert change.new_html == "<ins>Ocrevus,</ins> Ocrevus <ins>Zunovo</ins>"  # spaces stay outside tags
    back = only_change(diff_snapshots(Therapy, new, old))
    assert (back.old_html, back.new_html) == ("<del>Ocrevus,</del> Ocrevus <del>Zunovo</del>", "Ocrevus")


def test_emptied_text_field_shows_a_dash_on_the_empty_side(ocrelizumab):
    old = edited(snapshot(ocrelizumab), fda_approval_note="")
    new = edited(old, fda_approval_note="Accelerated approval")

    change = only_change(diff_snapshots(Therapy, old, new))

    assert (change.old_html, change.new_html) == ("—", "<ins>Accelerated approval</ins>")


def test_html_in_values_is_escaped_never_raw(ocrelizumab, courses):
    old = edited(snapshot(ocrelizumab), summary="Uses <b>bold</b> & more.")
    new = edited(old, summary="Uses <b>bold</b> & <script>alert(1)</script> more.")
    evil = Indication.objects.create(code="xss", regulator="eu", name="<img src=x onerror=alert(1)>", wording="x")
    new["m2m"]["approved_indications"] = sorted([*old["m2m"]["approved_indications"], evil.pk])

    diff = diff_snapshots(Therapy, old, new)
    indications, summary = diff.fields

    assert summary.old_html == "Uses &lt;b&gt;bold&lt;/b&gt; &amp; more."
    assert (
        summary.new_html == "Uses &lt;b&gt;bold&lt;/b&gt; &amp; <ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins> more."
    )
    assert "<img" not in indications.new_html
    assert "<ins>EU: &lt;img src=x onerror=alert(1)&gt;</ins>" in indications.new_html
    html = "".join(f.old_html + f.new_html for f in diff.fields)
    assert "<script" not in html and "<b>" not in html


# --- Short values: choices, dates, booleans, numbers, foreign keys --------------------------------


def test_choices_are_shown_by_their_label(ocrelizumab):
    old = snapshot(ocrelizumab)
    new = edited(old, fda_approval_precision="month", drug_class="anti-cd52")

    precision = next(f for f in diff_snapshots(Therapy, old, new).fields if f.name == "fda_approval_precision")
    drug_class = next(f for f in diff_snapshots(Therapy, old, new).fields if f.name == "drug_class")

    assert (precision.kind, precision.old_html, precision.new_html) == ("value", "<del>Day</del>", "<ins>Month</ins>")
    assert drug_class.new_html == "<ins>Anti-CD52 monoclonal antibody</ins>"


def test_dates_are_shown_in_words_and_empty_dates_as_a_dash(ocrelizumab):
    old = edited(snapshot(ocrelizumab), fda_approval_date="2010-09-21", eu_approval_date=None)
    new = edited(old, fda_approval_date="2010-09-22", eu_approval_date="2011-03-17")

    fda, eu = diff_snapshots(Therapy, old, new).fields

    assert (fda.label, fda.old_html, fda.new_html) == (
        "First FDA approval",
        "<del>21 September 2010</del>",
        "<ins>22 September 2010</ins>",
    )
    assert (eu.old_html, eu.new_html) == ("<del>—</del>", "<ins>17 March 2011</ins>")


def test_booleans_are_shown_as_yes_and_no():
    old = snapshot(Risk.objects.get(slug="pml"))
    assert old["fields"]["boxed_warning"] is True
    change = only_change(diff_snapshots(Risk, old, edited(old, boxed_warning=False)))

    assert (change.label, change.old_html, change.new_html) == ("Boxed warning", "<del>Yes</del>", "<ins>No</ins>")


def test_numbers_are_shown_whole():
    old = snapshot(Trial.objects.get(slug="opera-i"))
    change = only_change(diff_snapshots(Trial, old, edited(old, number_randomised=822)))

    assert (change.kind, change.old_html, change.new_html) == ("value", "<del>821</del>", "<ins>822</ins>")


def test_foreign_key_is_shown_by_the_target_name():
    old = snapshot(Trial.objects.get(slug="opera-i"))
    fingolimod = Therapy.objects.get(slug="fingolimod")
    change = only_change(diff_snapshots(Trial, old, edited(old, therapy=fingolimod.pk)))

    assert (change.name, change.label, change.kind) == ("therapy", "Therapy", "value")
    assert (change.old_html, change.new_html) == ("<del>Ocrelizumab</del>", "<ins>Fingolimod</ins>")


def test_foreign_key_to_a_deleted_object_is_shown_by_id():
    old = snapshot(Trial.objects.get(slug="opera-i"))
    change = only_change(diff_snapshots(Trial, old, edited(old, therapy=987654)))

    assert change.new_html == "<ins>(deleted #987654)</ins>"


# --- Many-to-many sets ---------------------------------------------------------------------------


def test_m2m_change_marks_removed_and_added_items_in_their_listed_order(ocrelizumab):
    by_code = {i.code: i for i in Indication.objects.all()}
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    old["m2m"]["approved_indications"] = sorted(by_code[c].pk for c in ("eu-ppms-early", "us-rms", "us-ppms"))
    new["m2m"]["approved_indications"] = sorted(by_code[c].pk for c in ("us-ppms", "eu-rms-active", "eu-ppms-early"))

    change = only_change(diff_snapshots(Therapy, old, new))

    codes = ("us-rms", "us-ppms", "eu-rms-active", "eu-ppms-early")
    us_rms, us_ppms, eu_rms, eu_ppms = (str(by_code[c]) for c in codes)
    assert (change.name, change.label, change.kind) == ("approved_indications", "Approved indications", "set")
    assert change.old_html == f"<del>{us_rms}</del>, {us_ppms}, {eu_ppms}"
    assert change.new_html == f"{us_ppms}, <ins>{eu_rms}</ins>, {eu_ppms}"
    assert eu_ppms.startswith("EU: Early primary progressive MS")


def test_m2m_emptied_and_references_by_citation_and_address(ocrelizumab):
    """A cited source is named with where its link goes: a swapped address is what the reviewer must see."""
    old = snapshot(ocrelizumab)
    assert old["m2m"]["references"], "the seed therapy cites references"
    new = copy.deepcopy(old)
    new["m2m"]["references"] = []

    change = only_change(diff_snapshots(Therapy, old, new))

    first = Reference.objects.filter(pk__in=old["m2m"]["references"]).first()  # Meta ordering: by key
    assert change.old_html.startswith(f"<del>{escape(f'{first.citation} <{first.link}>')}</del>")
    assert first.link.startswith("https://") and escape(first.link) in change.old_html
    assert change.new_html == "—"


def test_m2m_order_in_the_snapshot_is_not_a_change(ocrelizumab):
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    new["m2m"]["approved_indications"] = list(reversed(old["m2m"]["approved_indications"]))

    assert not diff_snapshots(Therapy, old, new).has_changes


# --- Child rows ----------------------------------------------------------------------------------


def test_child_rows_added_removed_and_changed_with_summaries(ocrelizumab):
    infusion = Risk.objects.get(slug="infusion-reactions")
    added = Risk.objects.get(slug="macular-oedema")  # not linked to ocrelizumab (PML now is)
    herpes = Risk.objects.get(slug="herpes-infections")
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    rows = new["children"]["therapy_risks"]
    rows[:] = [r for r in rows if r["risk"] != herpes.pk]
    for row in rows:
        if row["risk"] == infusion.pk:
            row.update(frequency="common", figure="7%")
    rows.append({"risk": added.pk, "frequency": "rare", "figure": "", "notes": "Reported <rarely>."})

    diff = diff_snapshots(Therapy, old, new)

    assert diff.fields == [] and diff.has_changes
    by_action = {row.action: row for row in diff.rows}
    assert len(diff.rows) == 3
    changed, removed, added_row = by_action["changed"], by_action["removed"], by_action["added"]
    assert changed.label == "Risk: Infusion- and injection-related reactions — Common (1 in 100 to 1 in 10)"
    assert changed.details == [
        "Frequency: “Very common (1 in 10 or more)” → “Common (1 in 100 to 1 in 10)”",
        "Figure: “34–40% (0.3% serious)” → “7%”",
    ]
    assert changed.summary.startswith("~ Risk: Infusion- and injection-related reactions — common (Frequency: ")
    assert removed.summary == "− Risk: Herpes virus infections — common"
    assert added_row.label == "Risk: Macular oedema — Rare (1 in 10,000 to 1 in 1,000)"
    assert added_row.details == ["Notes: “Reported <rarely>.”"]  # plain text: templates escape it
    assert added_row.summary == "+ Risk: Macular oedema — rare"
    assert [r.label for r in diff.rows] == sorted((r.label for r in diff.rows), key=str.casefold)


def test_child_row_with_a_deleted_risk_is_named_by_id(ocrelizumab):
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    new["children"]["therapy_risks"].append({"risk": 424242, "frequency": "common", "figure": "", "notes": ""})

    (row,) = diff_snapshots(Therapy, old, new).rows

    assert row.summary == "+ Risk: (deleted #424242) — common"


# --- New objects, no changes, field order ---------------------------------------------------------


def test_new_object_lists_every_non_empty_field_as_added(ocrelizumab):
    new = edited(snapshot(ocrelizumab), fda_approval_note="")

    diff = diff_snapshots(Therapy, None, new)

    assert diff.is_new and diff.has_changes
    expected = [
        f.name
        for f in sorted([*Therapy._meta.concrete_fields, *Therapy._meta.many_to_many])
        if f.name in new["fields"]
        and new["fields"][f.name] not in (None, "")
        or f.name in new["m2m"]
        and new["m2m"][f.name]
    ]
    assert [f.name for f in diff.fields] == expected
    assert "fda_approval_note" not in expected and "approved_indications" in expected  # empty ones left out
    for change in diff.fields:
        assert change.old_html == ""
        assert "<ins>" in change.new_html and "<del>" not in change.new_html
    name = next(f for f in diff.fields if f.name == "name")
    assert (name.label, name.new_html) == ("Generic name", "<ins>Ocrelizumab</ins>")
    assert {r.action for r in diff.rows} == {"added"}
    assert len(diff.rows) == len(new["children"]["therapy_risks"])


def test_new_object_lists_false_booleans_but_not_empty_sets():
    new = snapshot(Risk.objects.get(slug="herpes-infections"))
    new["m2m"]["references"] = []

    diff = diff_snapshots(Risk, None, new)

    names = [f.name for f in diff.fields]
    assert "boxed_warning" in names and "references" not in names
    assert next(f for f in diff.fields if f.name == "boxed_warning").new_html == "<ins>No</ins>"


@pytest.mark.parametrize(("model", "slug"), [(Therapy, "ocrelizumab"), (Trial, "opera-i"), (Risk, "pml")])
def test_unchanged_snapshots_have_no_changes(model, slug):
    snap = snapshot(model.objects.get(slug=slug))

    diff = diff_snapshots(model, snap, copy.deepcopy(snap))

    assert (diff.has_changes, diff.fields, diff.rows, diff.is_new) == (False, [], [], False)


def test_changed_fields_follow_model_field_order(ocrelizumab, courses):
    old = snapshot(ocrelizumab)
    new = edited(old, monitoring="Blood tests.", name="Ocrelizumab X", drug_class="other", summary="New.")
    new["m2m"]["approved_indications"] = [Indication.objects.get(code="us-ppms").pk]

    names = [f.name for f in diff_snapshots(Therapy, old, new).fields]

    assert names == ["name", "drug_class", "approved_indications", "summary", "monitoring"]


def test_publish_state_is_not_diffed_even_if_present_in_only_one_snapshot(ocrelizumab):
    old = snapshot(ocrelizumab)
    assert "live" not in old["fields"]

    assert not diff_snapshots(Therapy, old, copy.deepcopy(old)).fields


# --- Query bound ---------------------------------------------------------------------------------


def test_lookups_are_one_query_per_related_model(ocrelizumab, courses, django_assert_max_num_queries):
    new_therapy = snapshot(ocrelizumab)
    trial = snapshot(Trial.objects.get(slug="opera-i"))
    changed_trial = edited(trial, therapy=Therapy.objects.get(slug="fingolimod").pk)
    changed_trial["m2m"]["population_courses"] = [c.pk for c in courses.values()]

    # Therapy: AdministrationRoute, Indication, Reference (its four source lists in one query), Risk (child
    # rows), however many rows and ids there are.
    with django_assert_max_num_queries(4):
        therapy_diff = diff_snapshots(Therapy, None, new_therapy)
    # Trial: Therapy (both ids in one query), MSCourse, Reference.
    with django_assert_max_num_queries(3):
        trial_diff = diff_snapshots(Trial, trial, changed_trial)
    with django_assert_max_num_queries(0):
        diff_snapshots(MSCourse, None, {"fields": {"code": "X", "name": "X", "description": "", "position": 1}})

    assert len(therapy_diff.rows) >= 4 and len(trial_diff.fields) == 2


# --- Everything that will go live (issue 14) ------------------------------------------------------


def test_an_added_row_lists_every_field_of_the_row_with_its_anchor(ocrelizumab):
    added = Risk.objects.get(slug="macular-oedema")
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    new["children"]["therapy_risks"].append(
        {"risk": added.pk, "frequency": "rare", "figure": "0.05%", "measure": "people, 2 years", "notes": ""}
    )

    (row,) = diff_snapshots(Therapy, old, new, anchor=12).rows

    shown = {change.name: (change.old_html, change.new_html) for change in row.fields}
    assert list(shown) == ["frequency", "figure", "measure", "category_counts", "comparator", "comparator_figure",
                           "comparator_trial", "boxed_warning", "notes"]
    assert shown["figure"] == ("", "<ins>0.05%</ins>") and shown["measure"] == ("", "<ins>people, 2 years</ins>")
    assert shown["boxed_warning"] == ("", "<ins>No</ins>") and shown["notes"] == ("", "—")
    assert row.anchor == f"row-12-therapy_risks-{added.pk}"
    assert row.fields[1].anchor == f"row-12-therapy_risks-{added.pk}-figure"


def test_a_changed_row_marks_its_changes_word_by_word_and_shows_the_rest(ocrelizumab):
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    first = new["children"]["therapy_risks"][0]
    first["notes"] = (first["notes"] + " Seen more often in older people.").strip()

    (row,) = diff_snapshots(Therapy, old, new).rows

    shown = {change.name: change for change in row.fields}
    assert "<ins>" in shown["notes"].new_html and "Seen more often" in shown["notes"].new_html
    assert shown["figure"].old_html == shown["figure"].new_html == escape(first["figure"] or "—")
    assert "<ins>" not in shown["frequency"].new_html and "<del>" not in shown["frequency"].old_html


def test_a_removed_row_shows_what_comes_off_the_page(ocrelizumab):
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    gone = new["children"]["therapy_risks"].pop()

    (row,) = diff_snapshots(Therapy, old, new).rows

    figure = next(change for change in row.fields if change.name == "figure")
    assert row.action == "removed" and figure.new_html == ""
    assert figure.old_html == (f"<del>{escape(gone['figure'])}</del>" if gone["figure"] else "—")


def test_a_cited_source_added_is_listed_with_its_title_identifiers_and_address(ocrelizumab):
    old = snapshot(ocrelizumab)
    new = copy.deepcopy(old)
    source = make_reference(doi="10.1000/test.2024", url="https://example.org/source")
    new["m2m"]["references"] = [*old["m2m"]["references"], source.pk]

    change = only_change(diff_snapshots(Therapy, old, new))

    (item,) = change.items
    fields = dict(item.fields)
    assert (item.action, item.object_id) == ("added", source.pk)
    assert (fields["Title"], fields["DOI"], fields["Web address"]) == (source.title, source.doi, source.url)
    assert "Key" in fields and "Live" not in fields  # what a snapshot holds; never the publish state


def test_markdown_fields_carry_their_text_for_the_rendered_view(ocrelizumab):
    old = snapshot(ocrelizumab)
    new = edited(old, dosing="Take it **with food**.", summary="Plain text.")

    by_name = {change.name: change for change in diff_snapshots(Therapy, old, new).fields}

    assert by_name["dosing"].markdown and by_name["dosing"].new_text == "Take it **with food**."
    assert by_name["dosing"].old_text == old["fields"]["dosing"]
    assert not by_name["summary"].markdown and by_name["summary"].new_text == ""
