"""Public pages: they answer, show the right facts, and show live content only."""

import re
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError

from therapies.models import Risk, Therapy, Trial

from .factories import link_risk, make_risk, make_therapy, make_trial

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/therapies/", "/trials/", "/risks/", "/about/", "/therapies/ocrelizumab/", "/trials/opera-i/",
     "/risks/pml/"],
)
def test_public_page_answers_with_disclaimer(client, url):
    html = text_of(client.get(url))
    assert "not medical advice" in html.lower()
    assert 'id="main"' in html


def test_every_live_content_page_answers(client):
    for model in (Therapy, Trial, Risk):
        for obj in model.objects.live():
            assert client.get(obj.get_absolute_url()).status_code == 200, obj


def test_ocrelizumab_page_shows_its_facts(client):
    html = text_of(client.get("/therapies/ocrelizumab/"))
    for fact in ["Ocrevus", "CD20", "OPERA I", "OPERA II", "ORATORIO", "Primary progressive MS",
                 "600 mg", "Last reviewed", "Next review due", "Infusion- and injection-related reactions"]:
        assert fact in html, fact


def test_opera_i_page_shows_nct_id_result_and_registry_link(client):
    html = text_of(client.get("/trials/opera-i/"))
    assert "NCT01247324" in html
    assert "0.16" in html and "0.29" in html
    assert "https://clinicaltrials.gov/study/NCT01247324" in html
    assert "821" in html


def test_risk_page_lists_therapies_with_frequency(client):
    html = text_of(client.get("/risks/infusion-reactions/"))
    for therapy in ["Alemtuzumab", "Ocrelizumab", "Ublituximab", "Natalizumab"]:
        assert therapy in html
    assert "92%" in html


def test_home_page_explains_classes_and_links_into_content(client):
    html = text_of(client.get("/"))
    for text in ["Anti-CD20", "Anti-CD52", "S1P receptor modulator", "/therapies/ocrelizumab/"]:
        assert text in html, text


@pytest.mark.parametrize("url", ["/therapies/no-such-drug/", "/trials/no-such-trial/", "/risks/nothing/",
                                 "/trials/NCT99999999/", "/nowhere/"])
def test_unknown_pages_are_friendly_404s(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "couldn" in response.content.decode().lower()


def test_nct_id_redirects_permanently_to_the_trial_page(client):
    response = client.get("/trials/NCT01247324/")
    assert response.status_code == 301
    assert response["Location"] == "/trials/opera-i/"


# --- Filters ------------------------------------------------------------------------


def test_therapy_list_filters_by_course_route_and_class(client):
    html = text_of(client.get("/therapies/", {"course": "PPMS"}))
    assert "/therapies/ocrelizumab/" in html and "/therapies/fingolimod/" not in html
    html = text_of(client.get("/therapies/", {"route": "sc"}))
    # Every approved route counts: ocrelizumab and natalizumab also have a form given under the skin.
    assert "/therapies/ofatumumab/" in html and "/therapies/ocrelizumab/" in html
    assert "/therapies/alemtuzumab/" not in html
    html = text_of(client.get("/therapies/", {"drug_class": "s1p"}))
    for slug in ["fingolimod", "ozanimod", "siponimod", "ponesimod"]:
        assert f"/therapies/{slug}/" in html
    assert "/therapies/natalizumab/" not in html


def test_invalid_filter_is_reported_and_ignored(client):
    html = text_of(client.get("/therapies/", {"route": "teleport"}))
    assert "not one of the available choices" in html
    assert "/therapies/ocrelizumab/" in html  # the bad filter did not empty the list


# --- Only live content -----------------------------------------------------------------


def test_non_live_content_is_invisible_everywhere(client):
    hidden_therapy = make_therapy(live=False, name="Hiddenumab", slug="hiddenumab", drug_class="s1p",
                                  route="sc", brand_names="Secretra")
    make_trial(therapy=Therapy.objects.get(slug="ocrelizumab"), live=False,
                              name="HIDDEN-TRIAL", slug="hidden-trial", nct_id="NCT99999998")
    hidden_risk = make_risk(live=False, name="Hidden risk", slug="hidden-risk")
    link_risk(Therapy.objects.get(slug="ocrelizumab"), hidden_risk)
    link_risk(hidden_therapy, Risk.objects.get(slug="pml"))

    pages = ["/", "/therapies/", "/therapies/?route=sc", "/therapies/?drug_class=s1p", "/therapies/?course=RRMS",
             "/trials/", "/risks/", "/therapies/ocrelizumab/", "/risks/pml/"]
    for url in pages:
        html = text_of(client.get(url))
        for secret in ["Hiddenumab", "Secretra", "HIDDEN-TRIAL", "NCT99999998", "Hidden risk"]:
            assert secret not in html, (url, secret)
    for url in ["/therapies/hiddenumab/", "/trials/hidden-trial/", "/trials/NCT99999998/", "/risks/hidden-risk/"]:
        assert client.get(url).status_code == 404, url


def test_counts_include_live_content_only(client):
    make_therapy(live=False)
    make_trial(therapy=Therapy.objects.get(slug="ocrelizumab"), live=False)
    response = client.get("/")
    assert response.context["therapy_count"] == Therapy.objects.live().count() == 10
    assert response.context["trial_count"] == 17
    assert response.context["risk_count"] == 17
    assert len(client.get("/therapies/").context["therapies"]) == 10


def test_trial_of_an_unpublished_therapy_does_not_link_to_it(client):
    therapy = make_therapy(live=False, name="Draftimab", slug="draftimab")
    make_trial(therapy=therapy, name="DRAFT-LINK", slug="draft-link")
    html = text_of(client.get("/trials/draft-link/"))
    assert "/therapies/draftimab/" not in html


# --- Query budgets -------------------------------------------------------------------------


def grow_content(n: int) -> Therapy:
    """A live therapy with n trials and n risks, plus n more live therapies."""
    therapy = make_therapy(name="Budgetumab", slug="budgetumab")
    for _ in range(n):
        make_trial(therapy=therapy)
        link_risk(therapy, make_risk())
        make_therapy()
    return therapy


PAGE_BUDGETS = {
    "/": 6,  # therapies, their routes, the editorial texts of the page, trial and risk counts, courses
    "/therapies/": 5,  # routes and approved indications: one query each
    "/therapies/?course=RRMS&route=iv": 5,
    # the page history (one query, with "still accurate" reviews); routes, indications and the sources of
    # the three required sections: one query each (views.therapy_fragment_relations); +1: its trials'
    # outcomes (At a glance, chart)
    "/therapies/budgetumab/": 11,
    "/trials/": 3,
    "/risks/": 4,
    "/risks/pml/": 4,
    "/about/": 1,
    "/updates/": 6,  # count, page, revisions of the page, live pages of each content type
}


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("url", PAGE_BUDGETS)
def test_public_page_query_count_is_constant(client, django_assert_max_num_queries, url, size):
    grow_content(size)
    trial = Trial.objects.filter(therapy__slug="budgetumab").first()
    # Django caches content types per process: warm it, so the count is the page's own whatever ran before.
    ContentType.objects.get_for_models(Therapy, Trial, Risk)
    with django_assert_max_num_queries(PAGE_BUDGETS[url]):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(6):  # +1: the trial's outcomes; +1: its therapy's risk links (fact box)
        assert client.get(trial.get_absolute_url()).status_code == 200


# --- Markdown sanitising -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)" onclick="alert(2)">x</a>',
        "<svg onload=alert(1)></svg>",
        "<iframe src='https://evil.example'></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_markdown_fields_never_carry_script_to_the_page(client, payload):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    therapy.body = f"Before.\n\n{payload}\n\nAfter."
    therapy.mechanism = payload
    therapy.save()
    Risk.objects.filter(slug="pml").update(description=payload)
    for url in ["/therapies/ocrelizumab/", "/risks/pml/"]:
        html = text_of(client.get(url)).lower()
        # The site's own charts are SVG built by format_html from stored numbers (site/charts.py): set them
        # aside, so an <svg> found is one the Markdown carried in.
        main = re.sub(r'<figure class="chart".*?</figure>', "", html[html.index('id="main"'):], flags=re.S)
        for bad in ["<script>alert", "onerror=", "onload=", "onclick=", "javascript:", "<iframe", "<svg",
                    "style=\"background"]:
            assert bad not in main, (url, bad)


def test_markdown_still_renders_lists_and_links(client):
    Therapy.objects.filter(slug="ocrelizumab").update(
        monitoring="- first check\n- second check\n\nSee [the label](https://example.org/label)."
    )
    html = text_of(client.get("/therapies/ocrelizumab/"))
    assert "<li>first check</li>" in html
    assert '<a href="https://example.org/label" rel="noopener noreferrer">the label</a>' in html


# --- Health check -----------------------------------------------------------------------------


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_says_503_when_the_database_does_not_answer(client):
    with mock.patch("therapies.site.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_server_error_page_renders_without_a_database(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    with mock.patch("therapies.site.views.Trial.objects") as trials:
        trials.live.side_effect = RuntimeError("boom")
        response = client.get("/trials/")
    assert response.status_code == 500
    assert "sorry" in response.content.decode().lower()


def test_trial_list_is_paginated_with_friendly_page_errors(client):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    for _ in range(60):
        make_trial(therapy=therapy)
    first = client.get("/trials/")
    assert len(first.context["trials"]) == 50 and first.context["total"] == 77
    assert 'rel="next"' in first.content.decode()
    second = client.get("/trials/", {"page": 2})
    assert len(second.context["trials"]) == 27
    assert "is not a page number" in client.get("/trials/", {"page": "x"}).content.decode()
    past = client.get("/trials/", {"page": 99})
    assert past.status_code == 200 and "There is no page 99" in past.content.decode()


def test_therapy_list_pages_keep_the_filters(client):
    for _ in range(55):
        make_therapy(route="sc")
    first = client.get("/therapies/", {"route": "sc"})
    # 55 made here, and the three seed therapies with a form given under the skin.
    assert first.context["total"] == 58 and len(first.context["therapies"]) == 50
    assert "route=sc&amp;page=2" in first.content.decode()
    second = client.get("/therapies/", {"route": "sc", "page": 2})
    assert len(second.context["therapies"]) == 8


def test_home_shows_a_few_therapies_per_class_and_links_to_all(client):
    for _ in range(8):
        make_therapy(drug_class="s1p")
    response = client.get("/")
    s1p = next(c for c in response.context["classes"] if c["value"] == "s1p")
    assert len(s1p["therapies"]) == 6 and s1p["count"] == 12
    assert "/therapies/?drug_class=s1p" in response.content.decode()


def test_risk_list_is_paginated(client):
    for _ in range(45):
        make_risk()
    first = client.get("/risks/")
    assert len(first.context["risks"]) == 50 and 'rel="next"' in first.content.decode()
    assert len(client.get("/risks/", {"page": 2}).context["risks"]) == 12  # 45 made here, 17 in the seed


def test_search_results_are_paged_by_the_shared_pagination(client, monkeypatch):
    from therapies.site import reader_views

    monkeypatch.setattr(reader_views, "RESULTS_PER_PAGE", 1)
    html = client.get("/search/", {"q": "ocrelizumab", "page": 2}).content.decode()
    nav = html[html.index('<nav class="pagination" aria-label="Search result pages">'):]
    nav = nav[: nav.index("</nav>")]
    assert '<a href="?q=ocrelizumab&amp;page=1" rel="prev">Previous page</a>' in nav
    assert '<span aria-current="page">Page 2</span>' in nav and 'rel="next">Next page</a>' in nav


def test_an_invalid_updates_filter_is_summarised_and_linked_to_its_field(client):
    html = client.get("/updates/", {"significance": "urgent"}).content.decode()
    summary = html[html.index('id="filter-errors"'):]
    summary = summary[: summary.index("</div>")]
    assert '<a href="#id_significance">Show</a>: “urgent” is not a kind of update we list' in summary
    assert "We have ignored it." in summary
    assert 'id="id_significance_error"' in html
