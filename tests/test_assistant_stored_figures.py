"""The reviewer assistant, second round (issue 24): numbers against the stored data, reading grades of child rows,
country-specific wording."""

import pytest

from therapies.editorial.assistant import local_wording, row_readability, stored_figures
from therapies.editorial.assistant.stored_figures import mentions
from therapies.models import Risk, Therapy, Trial

from .assistant_helpers import findings, proposal, with_snapshot

pytestmark = pytest.mark.django_db


def _messages(check, p, **kwargs):
    return [(f.check, f.message) for f in findings(check, p, **kwargs)]


def test_a_percentage_said_as_a_difference_is_read_as_one():
    found = mentions("People had 46% fewer relapses; a 30% reduction; 0.16 a year; 12% of people; 821 adults.")
    assert [(m.text, m.value, m.difference) for m in found] == [
        ("46% fewer", 46.0, True), ("30% reduction", 30.0, True), ("0.16", 0.16, False), ("12%", 12.0, False),
        ("821 adults", 821.0, False)]


def test_numbers_matching_the_trials_stored_figures_pass():
    trial = Trial.objects.get(slug="opera-i")
    # 821 randomised; rates 0.16 and 0.29; 46% lower is 1 - 0.54 as published, and 45% is 1 - 0.16/0.29.
    p = proposal(trial, summary="In 821 adults, 0.16 relapses a year against 0.29: 45% fewer relapses.")
    assert _messages(stored_figures.check, p) == []


def test_an_unmatched_number_is_flagged_and_a_contradicting_one_named():
    trial = Trial.objects.get(slug="opera-i")
    p = proposal(trial, summary="In 821 adults, people on ocrelizumab had 52% fewer relapses; 17% stopped early.")
    found = _messages(stored_figures.check, p)
    assert [check for check, _ in found] == ["contradiction", "data"]
    assert "says “52% fewer”, but the stored outcome “relapses”, OPERA I" in found[0][1] and "gives 45%" in found[0][1]
    assert "“17%” matches none of the figures stored for this trial" in found[1][1]
    assert "Check this number against its source." in found[1][1]


def test_the_example_of_the_issue_46_where_the_stored_outcome_gives_47():
    trial = Trial.objects.get(slug="opera-i")
    p = with_snapshot(proposal(trial, summary="Ocrelizumab: 46% lower relapse rate."),
                      lambda s: s["children"]["outcomes"][0].update(ratio=0.53))
    p = with_snapshot(p, lambda s: s["children"]["outcomes"][0]["arms"][0].update(value=0.155))
    # 1 - 0.53 = 47%; 1 - 0.155/0.29 = 46.6%: "46%" matches neither.
    found = _messages(stored_figures.check, p)
    assert [check for check, _ in found] == ["contradiction"] and "gives 47%" in found[0][1]


def test_a_therapys_new_urgent_help_sentence_is_checked_against_its_data():
    therapy = Therapy.objects.get(slug="ocrelizumab")
    p = proposal(therapy, urgent_help=(therapy.urgent_help + "\n\nIn one study 12% of people had a serious infection."))
    found = _messages(stored_figures.check, p)
    assert [check for check, _ in found] == ["data"] and "“12%”" in found[0][1]


def test_numbers_already_in_the_live_text_are_not_news():
    trial = Trial.objects.get(slug="opera-i")
    p = proposal(trial, summary=trial.summary + " Reworded.")
    assert _messages(stored_figures.check, p) == []


def test_a_kind_without_stored_figures_is_not_checked():
    risk = Risk.objects.get(slug="pml")
    assert stored_figures.stored_figures(proposal(risk, summary="x")) is not None
    from therapies.models import Reference
    reference = Reference.objects.first()
    assert list(stored_figures.check(proposal(reference, title="Trial of 17% of people"))) == []


def test_child_rows_get_a_reading_grade():
    therapy = Therapy.objects.get(slug="ocrelizumab")
    long_words = ("Immunosuppressive pharmacotherapeutic interventions necessitate comprehensive haematological "
                  "surveillance, particularly considering lymphocyte-depleting mechanisms affecting opportunistic "
                  "infectious complications.")
    p = with_snapshot(proposal(therapy), lambda s: s["children"]["therapy_risks"][0].update(notes=long_words))
    found = findings(row_readability.check, p)
    assert len(found) == 1 and found[0].relation == "therapy_risks" and found[0].field == "notes"
    assert ": notes: reading grade" in found[0].message and "above the grade 9" in found[0].message


@pytest.mark.parametrize(("sentence", "word"), [
    ("If you have chest pain, call 999 at once.", "999"),
    ("Call 911 if you cannot breathe.", "911"),
    ("Dial 112 straight away.", "112"),
    ("Tell your GP about any new symptoms.", "GP"),
    ("Go to A&E if your vision changes.", "A&E"),
])
def test_country_specific_wording_is_flagged(sentence, word):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    found = _messages(local_wording.check, proposal(therapy, urgent_help=therapy.urgent_help + "\n\n" + sentence))
    assert [check for check, _ in found] == ["local"] and f"“{word}”" in found[0][1]


def test_wording_for_everyone_and_ordinary_numbers_pass():
    therapy = Therapy.objects.get(slug="ocrelizumab")
    sentence = "Call your local emergency number. The 2011 label lists 9112 people. Ask your doctor."
    assert _messages(local_wording.check, proposal(therapy, urgent_help=therapy.urgent_help + "\n\n" + sentence)) == []


def test_the_review_screen_shows_the_new_findings(client, editor, reviewer):
    from django.urls import reverse

    from .workflow_helpers import submitted_change

    therapy = Therapy.objects.get(slug="ocrelizumab")
    change_request = submitted_change(
        editor, therapy, urgent_help=therapy.urgent_help + "\n\nIn one study 12% of people had a serious infection. "
        "Call 999 at once.")
    client.force_login(reviewer)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    panel = html[html.index('id="assistant"'):html.index('id="changes-heading"')]
    assert "Number against the data" in panel and "“12%” matches none" in panel
    assert "Country-specific wording" in panel and "“999”" in panel


def test_the_new_checks_are_registered_with_the_others():
    from therapies.editorial.assistant import CHECKS

    therapy = Therapy.objects.get(slug="ocrelizumab")
    notes = ("Immunosuppressive pharmacotherapeutic interventions necessitate comprehensive haematological "
             "surveillance, particularly considering lymphocyte-depleting mechanisms affecting opportunistic "
             "infectious complications. Tell your GP.")
    p = with_snapshot(proposal(therapy, urgent_help=therapy.urgent_help + "\n\nAbout 12% of people had this."),
                      lambda s: s["children"]["therapy_risks"][0].update(notes=notes))
    kinds = {(f.check, f.relation) for check in CHECKS for f in check(p)}
    assert {("data", ""), ("readability", "therapy_risks"), ("local", "therapy_risks")} <= kinds
