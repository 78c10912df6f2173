"""The therapy page's "At a glance" (issue 22): at most 120 words, reading grade 8 or below (Flesch–Kincaid,
textstat 0.7.3), how it is given from the structured facts and never cut, every boxed warning first, each
main trial's result in words, and no editor's source note."""

import re
from html import unescape

import pytest
import textstat

from therapies.models import Therapy, TherapyRisk
from therapies.site.glance import important_risks

pytestmark = pytest.mark.django_db

MAX_WORDS = 120
MAX_GRADE = 8


def glance_of(client, slug: str) -> str:
    html = client.get(f"/therapies/{slug}/").content.decode()
    return re.search(r'<section id="at-a-glance".*?</section>', html, re.S).group(0)


def reader_text(section: str) -> str:
    """The section's words as a reader meets them: each heading, item and paragraph one sentence."""
    blocks = re.findall(r"<(h2|dt|dd|li|p)\b[^>]*>(.*?)</\1>", section, re.S)
    sentences = []
    for _tag, inner in blocks:
        inner = re.sub(r"<(ul|p)\b.*?</\1>", " ", inner, flags=re.S)  # items and paragraphs are their own blocks
        text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", inner))).strip()
        if text:
            sentences.append(text if text[-1] in ".!?" else f"{text}.")
    return " ".join(sentences)


@pytest.mark.parametrize("slug", ["alemtuzumab", "cladribine", "fingolimod", "natalizumab", "ocrelizumab",
                                  "ofatumumab", "ozanimod", "ponesimod", "siponimod", "ublituximab"])
def test_the_glance_is_short_and_plain(client, slug):
    text = reader_text(glance_of(client, slug))
    words = textstat.lexicon_count(text)
    grade = textstat.flesch_kincaid_grade(text)
    assert words <= MAX_WORDS, (slug, words, text)
    assert grade <= MAX_GRADE, (slug, grade, text)


def test_every_seed_therapy_is_checked():
    assert Therapy.objects.count() == 10


def test_how_it_is_given_is_the_structured_sentence_in_full(client):
    for therapy in Therapy.objects.prefetch_related("routes"):
        sentence = therapy.plain_description()
        assert sentence, therapy
        assert unescape(sentence) in unescape(glance_of(client, therapy.slug)), therapy
    assert "every 6 months" in Therapy.objects.get(slug="ocrelizumab").plain_description()


def test_every_boxed_warning_comes_first_then_serious_risks_by_seriousness():
    for therapy in Therapy.objects.all():
        links = list(TherapyRisk.objects.filter(therapy=therapy).select_related("risk"))
        chosen = [line.link for line in important_risks(links)]
        boxed = [link for link in links if link.boxed_warning]
        assert chosen[: len(boxed)] == sorted(boxed, key=lambda link: chosen.index(link)), therapy
        assert set(boxed) <= set(chosen), therapy
        others = [link.risk.severity for link in chosen[len(boxed):]]
        assert others == sorted(others, key=["life-threatening", "serious"].index), therapy


def test_natalizumab_names_its_boxed_pml_warning_first(client):
    items = re.findall(r"<li>(.*?)</li>", glance_of(client, "natalizumab"), re.S)
    assert "PML" in items[0] and "boxed warning" in items[0]


def test_each_main_trial_is_named_with_its_result_in_words(client):
    glance = unescape(glance_of(client, "ocrelizumab"))
    assert "In OPERA I and OPERA II, people had fewer relapses on ocrelizumab than on interferon beta-1a." in glance
    assert "In ORATORIO, fewer people on ocrelizumab than on placebo had disability" in glance
    for therapy in Therapy.objects.prefetch_related("trials"):
        glance = unescape(glance_of(client, therapy.slug))
        for trial in therapy.trials.live():
            assert trial.name in glance, (therapy, trial)


def test_no_source_note_or_measure_on_the_glance(client):
    for therapy in Therapy.objects.all():
        glance = unescape(glance_of(client, therapy.slug))
        for link in TherapyRisk.objects.filter(therapy=therapy).exclude(measure=""):
            assert link.measure not in glance, (therapy, link)
        assert "prescribing information" not in glance and "maker's" not in glance, therapy


# The plain-language pass (issue 22, item 7): every therapy's "About this treatment".
PLAIN_BODIES = ["alemtuzumab", "cladribine", "fingolimod", "natalizumab", "ocrelizumab", "ofatumumab", "ozanimod",
                "ponesimod", "siponimod", "ublituximab"]


@pytest.mark.parametrize("slug", PLAIN_BODIES)
def test_rewritten_about_this_treatment_reads_at_grade_8_or_below(slug):
    body = re.sub(r"[*_#>`]", "", Therapy.objects.get(slug=slug).body)
    assert textstat.flesch_kincaid_grade(body) <= MAX_GRADE
    assert re.search(r"(monoclonal antibody|immunotherapy): a (man-made protein|medicine)", body)  # explained
    assert "PML" not in body or re.search(r"PML\)?(\. PML is|,) a serious\s+brain\s+infection", body), slug


PLAIN_PREGNANCY = PLAIN_BODIES  # every therapy's pregnancy text


@pytest.mark.parametrize("slug", PLAIN_PREGNANCY)
def test_rewritten_pregnancy_text_reads_at_grade_8_or_below_without_editors_notes(slug):
    text = re.sub(r"[*_#>`]", "", Therapy.objects.get(slug=slug).pregnancy)
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE
    assert "was not read" not in text and "for this page" not in text


PLAIN_URGENT_HELP = PLAIN_BODIES  # every therapy's "When to get urgent help"
EXPLAINED_TERMS = {  # a technical term in an urgent-help text, and its explanation where it first appears
    "PML": r"PML is a serious brain infection",
    "PRES": r"PRES is a sudden swelling in part of the brain",
    "macular oedema": r"macular oedema\. This is swelling at the back of the eye",
    "ITP": r"In ITP the blood has too few platelets\. Platelets\s+are the tiny blood cells",
    "HLH": r"HLH is a rare and dangerous over-activity of the immune system",
    "colitis": r"colitis\. This\s+is swelling of the bowel",
    "Hepatitis B": r"Hepatitis B is a virus\s+that infects the\s+liver",
    "meningitis": r"meningitis(?: or encephalitis)?\. (?:This is|These words mean) swelling of the layers",
}


@pytest.mark.parametrize("slug", PLAIN_URGENT_HELP)
def test_rewritten_urgent_help_reads_at_grade_8_or_below_with_its_terms_explained(slug):
    text = re.sub(r"[*_#>`]", "", Therapy.objects.get(slug=slug).urgent_help)
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE
    assert ";" not in text  # a semicolon list reads as one long sentence
    for term, explanation in EXPLAINED_TERMS.items():
        first = text.find(term)
        if first >= 0:
            found = re.search(explanation, text, re.S | re.I)
            assert found and found.start() <= first + 200, (slug, term)
