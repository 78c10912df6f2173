"""Search (therapies/search.py, /search/): relevance on PostgreSQL, the SQLite fallback, live content only,
and empty, long and odd queries."""

import pytest
from django.db import connection

from therapies.models import Risk, Therapy, Trial
from therapies.site import search, snippets

from .factories import make_therapy, make_trial
from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Ranked full-text search needs PostgreSQL; SQLite uses the simpler match tested below.",
)

# What readers type → the page they want, which must be in the top three.
RELEVANCE = [
    ("Ocrevus", "therapy", "ocrelizumab"),
    ("Mavenclad", "therapy", "cladribine"),
    ("Kesimpta", "therapy", "ofatumumab"),
    ("NCT01247324", "trial", "opera-i"),
    ("PML", "risk", "pml"),
    ("JC virus", "risk", "pml"),
    ("primary progressive", "therapy", "ocrelizumab"),
    ("PPMS", "trial", "oratorio"),
    ("anti-CD20", "therapy", "ocrelizumab"),
    ("S1P", "therapy", "siponimod"),
    ("macular oedema", "risk", "macular-oedema"),
    ("slow heart rate first dose", "risk", "bradycardia-heart-block"),
    ("pregnancy", "risk", "harm-to-unborn-baby"),
    ("stroke", "risk", "stroke-arterial-dissection"),
    ("ocrel", "therapy", "ocrelizumab"),
    ("fingolimod", "therapy", "fingolimod"),
    ("opera", "trial", "opera-i"),
]


def top(query: str, n: int = 3) -> list[tuple[str, str]]:
    return [(hit.kind, hit.obj.slug) for hit in search.search(query).hits[:n]]


@on_postgresql
@pytest.mark.parametrize(("query", "kind", "slug"), RELEVANCE)
def test_realistic_query_finds_the_expected_page_in_the_top_three(query, kind, slug):
    assert (kind, slug) in top(query), top(query, 5)


@on_postgresql
@pytest.mark.parametrize(
    ("query", "kind", "slug"),
    [("Ocrevus", "therapy", "ocrelizumab"), ("nct01247324", "trial", "opera-i"), ("pml", "risk", "pml"),
     ("Ozanimod", "therapy", "ozanimod"), ("care-ms-i", "trial", "care-ms-i")],
)
def test_exact_identifier_goes_straight_to_the_top(query, kind, slug):
    first = search.search(query).hits[0]
    assert (first.kind, first.obj.slug) == (kind, slug)
    assert first.exact


@on_postgresql
def test_snippets_highlight_matches_with_mark_only_and_escape_content():
    Therapy.objects.filter(slug="natalizumab").update(summary="Tests for <b>JC</b> & <script>x</script> virus")
    search.update_index(Therapy.objects.filter(slug="natalizumab"))
    hit = next(h for h in search.search("JC virus").hits if h.obj.slug == "natalizumab")
    assert "<mark>JC</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&amp;" in hit.snippet  # PostgreSQL's parser drops the tags; what remains is escaped
    assert "\ue000" not in hit.snippet and "\ue001" not in hit.snippet


@on_postgresql
def test_publishing_a_change_updates_the_index(editor, reviewer, django_capture_on_commit_callbacks):
    from therapies import workflow

    assert top("Zorblat") == []
    therapy = Therapy.objects.get(slug="ozanimod")
    change_request = approved_change(editor, reviewer, therapy, summary="Ozanimod, also called Zorblat in tests.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(change_request=change_request, user=reviewer)
    assert ("therapy", "ozanimod") in top("Zorblat")


@on_postgresql
def test_rebuild_search_index_command_indexes_every_row():
    from django.core.management import call_command

    Therapy.objects.update(search_vector=None)
    call_command("rebuild_search_index", verbosity=0)
    assert not Therapy.objects.filter(search_vector__isnull=True).exists()
    assert ("therapy", "cladribine") in top("Mavenclad")


# --- Live content only (both databases) -------------------------------------------------------------------


def _index(*objs):
    search.update_index(objs)


def test_draft_therapy_never_appears_in_search(client):
    draft = make_therapy(live=False, name="Quuxolimab", slug="quuxolimab", brand_names="Quuxa")
    _index(draft)
    for query in ["Quuxolimab", "Quuxa", "quux"]:
        assert all(hit.obj.pk != draft.pk for hit in search.search(query).hits)
        assert "/therapies/quuxolimab/" not in client.get("/search/", {"q": query}).content.decode()


def test_unpublished_trial_and_risk_never_appear_in_search():
    trial = Trial.objects.get(slug="opera-ii")
    risk = Risk.objects.get(slug="macular-oedema")
    Trial.objects.filter(pk=trial.pk).update(live=False)
    Risk.objects.filter(pk=risk.pk).update(live=False)
    assert ("trial", "opera-ii") not in top("NCT01412333", 10)
    assert ("trial", "opera-ii") not in top("OPERA II", 10)
    assert ("risk", "macular-oedema") not in top("macular oedema", 10)


def test_live_trial_of_a_new_draft_therapy_is_found_but_the_draft_is_not():
    draft = make_therapy(live=False, name="Blorbumab", slug="blorbumab", brand_names="Blorba")
    trial = make_trial(therapy=draft, live=True, name="BLORB-1", slug="blorb-1", summary="A Blorbumab study.")
    _index(draft, trial)
    kinds = {(h.kind, h.obj.slug) for h in search.search("Blorbumab").hits}
    assert ("therapy", "blorbumab") not in kinds


# --- The page: empty, long and odd queries ---------------------------------------------------------------


def test_empty_query_shows_suggestions_not_results(client):
    response = client.get("/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Things you can search for" in html
    assert 'href="/search/?q=Ocrevus"' in html


def test_very_long_query_gets_a_clear_message(client):
    response = client.get("/search/", {"q": "ocrelizumab " * 30})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please use 200 characters or fewer" in html
    assert 'class="result-list"' not in html


@pytest.mark.parametrize(
    "query",
    ["\"unbalanced", "a & | ! :* ()", "<script>alert(1)</script>", "'; DROP TABLE therapies_therapy; --",
     "\x00nul byte", "🙂", "***", "NCT", "-", "ocrelizumab:*", "!!", "a:b:c", "α4-integrin", "\\"],
)
def test_odd_queries_never_error(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_query_text_is_escaped_on_the_page(client):
    html = client.get("/search/", {"q": "<img src=x onerror=alert(1)>"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_no_results_page_offers_ways_forward(client):
    html = client.get("/search/", {"q": "zzzzqqqq"}).content.decode()
    assert "No results for “zzzzqqqq”" in html
    assert "check the spelling" in html


def test_results_are_paginated(client):
    # "MS" is in every page's text, so there are more than ten results.
    first = client.get("/search/", {"q": "MS"}).content.decode()
    assert 'aria-label="Search result pages"' in first
    second = client.get("/search/", {"q": "MS", "page": "2"})
    assert second.status_code == 200
    assert 'start="11"' in second.content.decode()
    assert client.get("/search/", {"q": "MS", "page": "999"}).status_code == 200
    assert client.get("/search/", {"q": "MS", "page": "x"}).status_code == 200


def test_results_show_their_type(client):
    html = client.get("/search/", {"q": "ocrelizumab"}).content.decode()
    assert "badge-therapy" in html and ">Therapy<" in html
    assert "badge-trial" in html and ">Clinical trial<" in html


def test_header_has_a_labelled_search_form_that_works_without_javascript(client):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html
    assert '<label for="site-search-q"' in html and 'name="q"' in html


# --- The SQLite fallback ---------------------------------------------------------------------------------


@pytest.fixture
def simple_search(monkeypatch):
    """Force the non-PostgreSQL path, whatever the test database is."""
    monkeypatch.setattr(search, "is_postgresql", lambda: False)


@pytest.mark.parametrize(
    ("query", "kind", "slug"),
    [("Ocrevus", "therapy", "ocrelizumab"), ("NCT01247324", "trial", "opera-i"), ("PML", "risk", "pml"),
     ("JC virus", "risk", "pml"), ("macular oedema", "risk", "macular-oedema"), ("ocrel", "therapy", "ocrelizumab")],
)
def test_simple_match_finds_the_expected_page(simple_search, query, kind, slug):
    assert (kind, slug) in top(query), top(query, 5)


def test_simple_match_requires_every_word_and_highlights_safely(simple_search):
    hits = search.search("JC virus").hits
    assert hits and all("JC" in (h.obj.summary + getattr(h.obj, "body", "") + getattr(h.obj, "description", ""))
                        for h in hits)
    pml = next(h for h in hits if h.obj.slug == "pml")
    assert "<mark>JC</mark>" in pml.snippet
    assert search.search("ocrelizumab zzzzqqqq").hits == []


def test_simple_snippet_escapes_content_and_never_marks_inside_markup():
    snippet = snippets.simple_snippet("Use <b>amp</b> & mark here", ["amp", "mark", "b"])
    assert "<b>" not in snippet
    assert "&lt;<mark>b</mark>&gt;" in snippet
    assert "&amp;" in snippet  # the entity itself is never split by a mark


def test_update_index_is_a_no_op_off_postgresql(simple_search):
    assert search.update_index(Therapy.objects.all()) == 0


# --- Bounded work at scale (issue 6: search p99 < 100 ms at 20 000 trials) ------------------------------


def _trials_mentioning(word: str, count: int) -> None:
    therapy = Therapy.objects.get(slug="ocrelizumab")
    trials = [make_trial(therapy=therapy, summary=f"A {word} study.", body=f"About {word}.") for _ in range(count)]
    _index(*trials)


def _search_queries(query: str, page: int = 1) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        outcome = search.search(query, page=page)
    assert outcome.hits
    return [q["sql"] for q in captured.captured_queries]


@on_postgresql
def test_snippets_are_computed_only_for_the_rows_shown():
    _trials_mentioning("Frobnicate", 25)
    queries = _search_queries("Frobnicate", page=2)
    with_headline = [sql for sql in queries if "ts_headline" in sql]
    assert with_headline, queries
    for sql in with_headline:
        # Fetched by id for the shown page, never over the whole match.
        assert "@@" not in sql
        shown_ids = sql.split(" IN (", 1)[1].split(")", 1)[0].split(",")
        assert len(shown_ids) <= search.PAGE_SIZE
    assert all("ts_rank" not in sql or "LIMIT" in sql for sql in queries)


@on_postgresql
def test_search_runs_the_same_number_of_queries_however_many_rows_match():
    _trials_mentioning("Quibble", 3)
    few = len(_search_queries("Quibble"))
    _trials_mentioning("Quibble", 40)
    assert len(_search_queries("Quibble")) == few


@on_postgresql
def test_ranking_is_capped_and_the_count_then_says_more_than(client, monkeypatch):
    _trials_mentioning("Wibble", 12)
    monkeypatch.setattr(search, "RANK_CANDIDATES", 5)
    outcome = search.search("Wibble")
    assert outcome.more and outcome.total == 5
    assert len(outcome.hits) == 5
    assert "More than 5 results for “Wibble”" in client.get("/search/", {"q": "Wibble"}).content.decode()


def test_page_count_is_capped_and_says_how_many_are_listed(client, monkeypatch):
    _trials_mentioning("Wobble", 25)
    monkeypatch.setattr(search, "MAX_RESULTS", 20)
    html = client.get("/search/", {"q": "Wobble"}).content.decode()
    assert "25 results for “Wobble”" in html
    assert "Only the best 20 are listed" in html
    assert "Page 1 of 2." in html
    last = client.get("/search/", {"q": "Wobble", "page": "5"}).content.decode()
    assert 'start="11"' in last and "Page 2 of 2." in last


def test_exact_nct_id_match_is_case_insensitive():
    first = search.search("nct01247324").hits[0]
    assert (first.kind, first.obj.slug, first.exact) == ("trial", "opera-i", True)
