"""/choose/ ("What matters to you", issue 25): who is listed, in what order, from which facts, and in what words."""

import re
from html.parser import HTMLParser

import pytest
import textstat
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from therapies.models import Regulator, Therapy, Trial
from therapies.site import choose_form, choosing

from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db

COURSES = ["", "CIS", "RRMS", "SPMS", "PPMS"]
REGIONS = ["", "eu", "us", "other"]
ANSWERS = st.builds(
    choose_form.Answers,
    course=st.sampled_from(COURSES),
    region=st.sampled_from(REGIONS),
    way=st.sampled_from(["", *dict(choose_form.WAY_CHOICES)]),
    visits=st.sampled_from(["", *dict(choose_form.VISIT_CHOICES)]),
    pregnancy=st.sampled_from(["", *dict(choose_form.PREGNANCY_CHOICES)]),
    priority=st.sampled_from(["", *dict(choose_form.PRIORITY_CHOICES)]),
    show_all=st.booleans(),
)
REGULATORS = {"eu": [Regulator.EU], "us": [Regulator.FDA], "other": [Regulator.FDA, Regulator.EU], "": [
    Regulator.FDA, Regulator.EU]}


def approved(course: str, region: str) -> set[str]:
    """The live therapies a regulator of the region approved for the course, straight from the database."""
    wanted = {"approved_indications__regulator__in": REGULATORS[region]}
    if course:
        wanted["approved_indications__courses__code"] = course  # the same indication: one filter() call
    return set(Therapy.objects.live().filter(**wanted).values_list("slug", flat=True))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=ANSWERS)
def test_no_answer_lists_a_therapy_outside_its_indications(seeded, answers):
    answer = choosing.build_answer(answers, choosing.live_therapies(), "a course")
    listed = {c.therapy.slug for c in answer.candidates}
    others = {n.therapy.slug for n in answer.not_listed}
    assert listed == approved(answers.course, answers.region), repr(answers)
    assert not listed & others
    assert listed | others == set(Therapy.objects.live().values_list("slug", flat=True))
    for candidate in answer.candidates:  # the approvals it shows as the reason are the ones that fit
        for indication in candidate.indications:
            assert indication.regulator in REGULATORS[answers.region]
            assert not answers.course or answers.course in {c.code for c in indication.courses.all()}


def page(client: Client, query: str) -> str:
    response = client.get("/choose/" + query)
    assert response.status_code == 200
    return response.content.decode()


def listed_slugs(html: str) -> list[str]:
    return re.findall(r'<li class="card choose-card" id="therapy-([a-z-]+)"', html)


def test_eu_relapsing_remitting_lists_exactly_the_eu_approvals(client, seeded):
    html = page(client, "?course=RRMS&region=eu&pregnancy=yes&visits=few")
    assert set(listed_slugs(html)) == {
        "ocrelizumab", "alemtuzumab", "ofatumumab", "natalizumab", "ublituximab",
        "fingolimod", "ozanimod", "ponesimod", "cladribine",
    }
    assert "It needs contraception for 4 months after the last dose (EU label)." in html  # ocrelizumab's EU period
    assert "(US label)" not in html  # the reader lives in the EU


def test_us_primary_progressive_lists_only_ocrelizumab(client, seeded):
    html = page(client, "?course=PPMS&region=us")
    assert listed_slugs(html) == ["ocrelizumab"]
    assert "ORATORIO" in html and "OPERA" not in html.split('id="others-heading"')[0]  # its PPMS trial only


def test_show_all_lists_the_others_with_the_reason(client, seeded):
    html = page(client, "?course=PPMS&region=us&all=1")
    assert "Siponimod</a>: It is not approved for primary progressive MS in the US." in html
    assert "Show all, with why" not in html


def test_order_follows_only_the_chosen_factor_and_ties_share_a_place(client, seeded):
    html = page(client, "?course=RRMS&region=eu&priority=visits")
    order = listed_slugs(html)
    # ozanimod and ponesimod: no set visits after starting, so they share the first place.
    assert set(order[:2]) == {"ozanimod", "ponesimod"}
    assert html.count("Shares place 1:") == 2
    visits = [Therapy.objects.get(slug=s) for s in order]
    totals = [t.visits_first_year + t.visits_later_years for t in visits]
    assert totals == sorted(totals)


def test_without_a_priority_the_order_is_by_name(client, seeded):
    order = listed_slugs(page(client, "?region=eu"))
    assert order == sorted(order)
    assert "Place 1" not in page(client, "?region=eu")


def test_no_therapy_is_called_the_best(client, seeded):
    for query in ("?priority=relapses", "?priority=disability", "?priority=risks", "?priority=visits"):
        text = page(client, query)
        assert [m.group(0) for m in re.finditer(r"[^.>]*\bbest\b[^.<]*", text)] == [
            " No therapy here is the best for everyone"
        ]


def test_a_draft_change_never_shows(client, seeded, editor):
    draft_change(editor, Therapy.objects.get(slug="ocrelizumab"), contraception_eu="9 months", visits_first_year=40)
    trial = Trial.objects.get(slug="oratorio")
    draft_change(editor, trial, comparator="A draft comparator")
    html = page(client, "?course=PPMS&region=eu&pregnancy=yes&priority=visits")
    assert "4 months" in html and "9 months" not in html
    assert "40 in year 1" not in html and "3 in year 1" in html


def test_a_therapy_taken_off_the_site_is_not_listed(client, seeded):
    Therapy.objects.filter(slug="natalizumab").update(live=False)
    assert "natalizumab" not in listed_slugs(page(client, "?region=eu&all=1"))
    assert "Natalizumab" not in page(client, "?region=eu&all=1")


def test_an_answer_outside_the_choices_is_reported_and_left_out(client, seeded):
    html = page(client, "?region=mars&course=PPMS")
    assert "We did not understand the answer to “Where do you live?”" in html
    assert set(listed_slugs(html)) == approved("PPMS", "")


def test_the_page_is_cached_by_its_declared_answers_only(client, seeded, page_cache):
    assert client.get("/choose/?course=PPMS&region=us")["X-Page-Cache"] == "miss"
    assert client.get("/choose/?course=PPMS&region=us&utm=1")["X-Page-Cache"] == "hit"
    assert client.get("/choose/?course=PPMS&region=eu")["X-Page-Cache"] == "miss"
    client.get("/choose/?region=mars")
    assert client.get("/choose/?region=mars").get("X-Page-Cache") != "hit"  # junk is answered, never kept


def test_it_is_linked_from_home_compare_search_and_the_sitemap(client, seeded):
    for path in ("/", "/compare/", "/search/?q=which+therapy", "/sitemap.xml"):
        assert "/choose/" in client.get(path).content.decode(), path
    assert "/choose/" not in client.get("/search/?q=PML").content.decode().split("<main")[1].split("</main>")[0]


def test_the_evidence_date_is_the_oldest_review_of_what_is_shown(client, seeded):
    Trial.objects.filter(slug="oratorio").update(last_reviewed_at="2026-02-03T09:00:00Z")
    assert "3 February 2026" in page(client, "?course=PPMS&region=us")


# --- Reading grade of what the page writes ----------------------------------------------------------------


class _Blocks(HTMLParser):
    """The text of each block of <main>, with the reviewed content it quotes (class "quoted") left out."""

    BLOCKS = {"p", "li", "dt", "dd", "td", "th", "legend", "label", "caption", "h1", "h2", "h3", "h4", "a"}

    def __init__(self) -> None:
        super().__init__()
        self.blocks, self.current, self.in_main = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._flush()
        if tag == "main":
            self.in_main = False

    def handle_data(self, data):
        if self.in_main:
            self.current.append(data)

    def _flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def _reviewed_words(client) -> list[str]:
    """Names and reviewed text the page quotes as they are: not its own sentences."""
    quoted = []
    for therapy in Therapy.objects.live().prefetch_related("approved_indications", "therapy_risks__risk"):
        quoted += [therapy.name, *therapy.brand_list, therapy.dose_time, therapy.checks_before,
                   therapy.checks_first_year, therapy.checks_later, therapy.contraception_note, therapy.washout,
                   therapy.breastfeeding_us, therapy.breastfeeding_eu, therapy.schedule]
        quoted += [str(i) for i in therapy.approved_indications.all()]
        quoted += [link.risk.name for link in therapy.therapy_risks.all()]
    for trial in Trial.objects.live().prefetch_related("outcomes"):
        quoted += [trial.name] + [arm["label"] for o in trial.outcomes.all() for arm in o.arms]
    return sorted({q for q in quoted if q}, key=len, reverse=True)


@pytest.mark.parametrize("query", [
    "?course=RRMS&region=eu&way=tablet&visits=few&pregnancy=yes&priority=relapses&all=1",
    "?course=PPMS&region=us&way=drip&visits=monthly&pregnancy=unsure&priority=disability&all=1",
    "?course=SPMS&region=other&way=injection&visits=fewest&priority=risks",
    "?priority=visits",
])
def test_every_sentence_it_writes_is_at_reading_grade_8_or_below(client, seeded, query):
    text = page(client, query)
    parser = _Blocks()
    parser.feed(text)
    quoted = _reviewed_words(client)
    too_hard = []
    for block in parser.blocks:
        for piece in quoted:
            block = block.replace(piece, "it")
        for sentence in re.split(r"(?<=[.?!:])\s+", block):
            if len(sentence.split()) < 4:
                continue
            grade = textstat.flesch_kincaid_grade(sentence)
            if grade > 8:
                too_hard.append((grade, sentence))
    assert too_hard == [], "\n".join(f"{grade}: {sentence}" for grade, sentence in too_hard)
