"""Arbitrary values in every public URL parameter never give a server error (hypothesis).

The list covers the therapy filters, pagination, slugs and ids in paths, and the search, compare and
change-log pages. Each page is looked up by its URL name, and a name that no longer resolves fails the
suite: a fuzzer that silently skipped a removed page would go on passing while testing nothing.
"""

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from therapies.site.search import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Anything a browser or a bot could send: any text, including control characters, long strings,
# markup, SQL, path tricks and numbers out of range.
text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "1e309", "NaN", "'; DROP TABLE x; --",
                     "<script>alert(1)</script>", "../../etc/passwd", "%00", "\x00", "ocrelizumab\x00",
                     "a" * 5000, "\ud7ff\ue000", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "NCT0124732", "NCT012473244"]),
)


# Every public page that reads GET parameters (URL name, parameters). reverse() raises for a name that no longer
# exists, at collection: the suite fails rather than fuzzing less.
QUERY_PAGE_NAMES = [
    ("home", []),
    ("therapy_list", ["course", "route", "drug_class", "page", "sort"]),
    ("trial_list", ["therapy", "phase", "page"]),
    ("risk_list", ["severity", "page"]),
    ("search", ["q", "page", "type"]),
    ("compare", ["t", "a", "b"]),
    ("updates", ["significance", "page", "since"]),
    ("updates_feed", ["significance"]),
    ("therapy_detail", ["tab"]),
]


def _query_pages() -> list[tuple[str, list[str]]]:
    """(path, parameters) for every public page that reads GET parameters."""
    return [
        (reverse(name, args=["ocrelizumab"] if name == "therapy_detail" else None), params)
        for name, params in QUERY_PAGE_NAMES
    ]


QUERY_PAGES = _query_pages()
PATH_PATTERNS = ["/therapies/{}/", "/trials/{}/", "/risks/{}/", "/{}/", "/therapies/{}", "/search/{}/",
                 "/corrections/therapy/{}/", "/corrections/{}/ocrelizumab/", "/corrections/risk/{}/thanks/"]


def _assert_no_server_error(response, url: str) -> None:
    assert response.status_code < 500, f"{url} answered {response.status_code}"


@pytest.mark.parametrize(("path", "params"), QUERY_PAGES, ids=[p for p, _ in QUERY_PAGES])
def test_any_query_parameter_value_never_gives_a_server_error(client, path, params):
    @FUZZ
    @given(values=st.fixed_dictionaries({}, optional={name: text for name in params + ["utm_source"]}))
    def check(values):
        url = f"{path}?{urlencode(values)}" if values else path
        _assert_no_server_error(client.get(url), url)

    check()


@pytest.mark.parametrize("pattern", PATH_PATTERNS)
def test_any_identifier_in_a_path_never_gives_a_server_error(client, pattern):
    @FUZZ
    @given(value=text)
    def check(value):
        url = pattern.format(quote(value, safe=""))
        _assert_no_server_error(client.get(url), url)

    check()


@pytest.mark.parametrize(("path", "params"), QUERY_PAGES, ids=[p for p, _ in QUERY_PAGES])
def test_repeated_and_raw_parameters_never_give_a_server_error(client, path, params):
    @FUZZ
    @given(raw=st.text(alphabet=st.characters(codec="latin-1"), max_size=300))
    def check(raw):
        name = params[0] if params else "x"
        url = f"{path}?{name}={quote(raw, safe='&=%')}&{name}=1"
        _assert_no_server_error(client.get(url), url)

    check()


def test_an_invalid_filter_is_reported_and_the_list_still_shows(client):
    response = client.get("/therapies/", {"route": "teleportation", "course": "x" * 5000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "ocrelizumab" in html.lower()


def test_a_very_long_search_query_is_refused_with_a_message_not_an_error(client):
    query = "ocrelizumab " * 500
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    # The search page's own message, with the numbers: not a word that any page might carry.
    assert f"Your search is {len(query.strip())} characters long. Please use {MAX_QUERY_LENGTH} characters" in html
    assert 'class="result-list"' not in html


def test_an_unknown_trial_id_is_a_friendly_404(client):
    response = client.get("/trials/NCT99999999/")
    assert response.status_code == 404
    assert "could not find" in response.content.decode().lower() or "not found" in response.content.decode().lower()
