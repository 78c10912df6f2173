"""Search for a medicine (issue 13): the therapy first, then its trials, then its risks, on both search paths;
snippets cut between words, with "…" where the text goes on.

Every test runs on the database's own search (PostgreSQL's full text when DATABASE_URL points at one) and on
the simple match SQLite uses, forced: run this file with DATABASE_URL set to cover both databases.
"""

import html
import re

import pytest
from django.db import connection

from therapies.models import Risk, Therapy, TherapyRisk, Trial, kind_named
from therapies.site import search, snippets

pytestmark = pytest.mark.django_db

ALL = 200  # results per page: every hit of a query on one page


@pytest.fixture(params=["database", "simple"])
def search_path(request, monkeypatch):
    """The database's own search, then the simple match whatever the database."""
    if request.param == "simple":
        monkeypatch.setattr(search, "is_postgresql", lambda: False)
    elif connection.vendor != "postgresql":
        pytest.skip("The database's own search is the simple match on SQLite; run with DATABASE_URL for PostgreSQL.")
    return request.param


def _hits(query: str) -> list[tuple[str, str]]:
    return [(hit.kind, hit.obj.slug) for hit in search.search(query, per_page=ALL).hits]


def _expected_lead(slug: str) -> tuple[list, list, set]:
    therapy = Therapy.objects.get(slug=slug)
    trials = sorted(Trial.objects.live().filter(therapy=therapy).values_list("name", "slug"))
    links = TherapyRisk.objects.live().filter(therapy=therapy).select_related("risk")
    boxed = sorted((link.risk.name, link.risk.slug) for link in links if link.boxed_warning)
    others = {("risk", link.risk.slug) for link in links if not link.boxed_warning}
    return [("trial", s) for _, s in trials], [("risk", s) for _, s in boxed], others


@pytest.mark.parametrize(
    ("query", "slug"),
    [("natalizumab", "natalizumab"), ("Tysabri", "natalizumab"), ("tysabri", "natalizumab"),
     ("Ocrevus", "ocrelizumab"), ("ocrelizumab", "ocrelizumab"), ("Mavenclad", "cladribine")],
)
def test_a_drug_or_brand_name_lists_the_therapy_then_its_trials_then_its_risks(search_path, query, slug):
    trials, boxed, other_risks = _expected_lead(slug)
    assert trials and other_risks  # the seed gives each of these therapies trials and risks
    hits = _hits(query)
    assert hits[0] == ("therapy", slug)
    after = hits[1:]
    assert after[: len(trials)] == trials, after
    after = after[len(trials) :]
    assert after[: len(boxed)] == boxed, after  # its boxed warnings first
    after = after[len(boxed) :]
    assert set(after[: len(other_risks)]) == other_risks, after
    assert len(hits) == len(set(hits))  # each once


def test_only_live_trials_and_risks_follow_the_therapy(search_path):
    Trial.objects.filter(slug="affirm").update(live=False)
    Risk.objects.filter(slug="pml").update(live=False)
    hits = _hits("Tysabri")
    assert ("trial", "affirm") not in hits and ("risk", "pml") not in hits
    assert hits[0] == ("therapy", "natalizumab") and ("risk", "thrombocytopenia") in hits


def test_a_risk_listed_after_its_therapy_says_whose_risk_it_is(client, search_path):
    page = client.get("/search/", {"q": "Tysabri"}).content.decode()
    assert "A risk of Natalizumab · Severity:" in page


def test_a_search_that_names_no_medicine_is_ranked_as_before(search_path):
    hits = _hits("JC virus")
    assert ("risk", "pml") in hits[:3]
    assert all(not hit.follows for hit in search.search("JC virus", per_page=ALL).hits)


# --- Snippets ------------------------------------------------------------------------------------------------

SNIPPET_QUERIES = ["natalizumab", "relapse", "JC virus", "liver", "disability progression", "pregnancy", "29%",
                   "infusion", "annualised relapse rate"]


def _source(hit) -> str:
    return snippets.plain(snippets.source_text(hit.obj, kind_named(hit.kind).search.snippet))


def _pieces(snippet: str) -> list[tuple[bool, str, bool]]:
    """(cut before, text, cut after) of each fragment of a snippet, marks removed."""
    text = html.unescape(re.sub(r"</?mark>", "", str(snippet)))
    parts = text.split(f" {snippets.ELLIPSIS} ")
    found = []
    for number, part in enumerate(parts):
        before = number > 0 or part.startswith(snippets.ELLIPSIS)
        after = number < len(parts) - 1 or part.endswith(snippets.ELLIPSIS)
        found.append((before, part.strip(f" {snippets.ELLIPSIS}"), after))
    return found


def assert_cut_between_words(snippet: str, source: str) -> None:
    for before, text, after in _pieces(snippet):
        at = source.find(text)
        assert at >= 0, (text, source)
        end = at + len(text)
        assert at == 0 or source[at - 1] == " ", f"cut inside a word: …{source[max(0, at - 15):at]}|{text[:30]}"
        assert end == len(source) or source[end] == " ", f"cut inside a word: {text[-30:]}|{source[end:end + 15]}…"
        assert before == (at > 0), f"an ellipsis must show the text was cut before: {text[:40]}"
        assert after == (end < len(source)), f"an ellipsis must show the text goes on: {text[-40:]}"


@pytest.mark.parametrize("query", SNIPPET_QUERIES)
def test_every_snippet_is_cut_between_words_with_an_ellipsis_where_cut(search_path, query):
    hits = search.search(query, per_page=ALL).hits
    assert hits
    for hit in hits:
        lead = getattr(hit.obj, kind_named(hit.kind).search.snippet[0])
        if (hit.exact or hit.follows) and str(hit.snippet) == html.escape(snippets.plain(lead)):
            continue  # an exact match or its follower shows its whole summary
        assert_cut_between_words(hit.snippet, _source(hit))


def test_a_fragment_ending_at_a_number_keeps_its_unit(search_path):
    affirm = next(hit for hit in search.search("natalizumab disability", per_page=ALL).hits if hit.obj.slug == "affirm")
    assert "29%" in str(affirm.snippet) and not re.search(r"\b29(?!%)", str(affirm.snippet))


def test_simple_snippet_moves_both_ends_to_spaces():
    text = "alpha " * 30 + "needle " + "omega " * 60
    snippet = str(snippets.simple_snippet(text, ["needle"]))
    assert snippet.startswith("… alpha ") and snippet.endswith(" omega …")
    assert_cut_between_words(snippet, snippets.plain(text))


def test_headline_fragments_are_carried_on_to_whole_words():
    source = "Disability progression 17% with natalizumab vs 29% with placebo over 2 years in relapsing-remitting MS."
    headline = (f"17% with {snippets.START_SEL}natalizumab{snippets.STOP_SEL} vs 29"
                f"{snippets.FRAGMENT_SEL}years in relapsing")
    snippet = str(snippets.headline_snippet(headline, source))
    assert snippet == "… 17% with <mark>natalizumab</mark> vs 29% … years in relapsing-remitting …"
