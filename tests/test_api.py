"""The read-only JSON API at /api/v1/ (therapies/site/api/): live content only, stable pages, the
OpenAPI description, conditional GET, the page cache and CORS. The property-based run from outside
is test_api_schemathesis.py."""

import io
import json
import re
from collections import deque

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from therapies import workflow
from therapies.models import KINDS, ChangeRequest, Frequency, Reference, Risk, Therapy, TherapyRisk, Trial, page_kinds
from therapies.site.kind_parts import SITE

from .hidden_content import make_hidden_content
from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db

API = "/api/v1/"
BASE = "http://testserver"
# Each kind the API serves, and how (site/kinds.py): a new kind's list and object are tested with the others.
SERVED = [(kind, SITE.of(kind).api) for kind in KINDS if SITE.of(kind).api]


def get_json(client, url: str, status: int = 200, **headers) -> dict:
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def items_of(client, url: str) -> list[dict]:
    """Every item of a paginated list, following `next`."""
    items, page = [], get_json(client, url)
    while True:
        items.extend(page["items"])
        if not page["next"]:
            return items
        page = get_json(client, page["next"])


def crawl(client, start: str = API) -> dict[str, str]:
    """Every API address reachable from the index by following links in answers: {url: body}."""
    seen: dict[str, str] = {}
    queue = deque([BASE + start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seen[url] = body = response.content.decode()
        for link in re.findall(r'"(http://testserver/api/v1/[^"]*)"', body):
            if not link.endswith((".json", "/docs/")) and link not in seen:
                queue.append(link)
    return seen


# --- What it serves ------------------------------------------------------------------------------------------------


def test_index_links_every_list_the_description_and_the_viewer(client):
    index = get_json(client, API)
    names = [api.collection for _, api in SERVED] + ["changes"]
    assert list(index)[: len(names)] == names
    for name in names:
        assert index[name] == f"{BASE}{API}{name}/"
    assert index["openapi"] == f"{BASE}{API}openapi.json"
    assert index["docs"] == f"{BASE}{API}docs/"
    assert "not medical advice" in index["notice"]


def test_therapy_list_is_every_live_therapy_by_name_on_stable_pages(client):
    live = list(Therapy.objects.live().order_by("name").values_list("slug", flat=True))
    first = get_json(client, f"{API}therapies/?page_size=3")
    assert first["count"] == len(live) and first["pages"] == -(-len(live) // 3)
    assert first["previous"] is None
    assert first["next"] == f"{BASE}{API}therapies/?page_size=3&page=2"
    assert [item["slug"] for item in items_of(client, f"{API}therapies/?page_size=3")] == live
    assert get_json(client, f"{API}therapies/?page=99")["items"] == []


def test_therapy_list_filters_by_class_route_and_course(client):
    slugs = [t["slug"] for t in get_json(client, f"{API}therapies/?drug_class=anti-cd20&route=iv")["items"]]
    assert "ocrelizumab" in slugs and "ofatumumab" not in slugs and "fingolimod" not in slugs
    ppms = [t["slug"] for t in get_json(client, f"{API}therapies/?course=PPMS")["items"]]
    assert ppms == list(Therapy.objects.live().filter(approved_indications__courses__code="PPMS").distinct()
                        .order_by("name").values_list("slug", flat=True))
    # Every approved route counts: ocrelizumab and natalizumab also have a form given under the skin.
    subcutaneous = [t["slug"] for t in get_json(client, f"{API}therapies/?route=sc")["items"]]
    assert subcutaneous == ["natalizumab", "ocrelizumab", "ofatumumab"]


def test_therapy_carries_its_sources_review_dates_page_and_live_links(client):
    therapy = get_json(client, f"{API}therapies/ocrelizumab/")
    row = Therapy.objects.get(slug="ocrelizumab")
    assert therapy["page_url"] == f"{BASE}/therapies/ocrelizumab/"
    assert therapy["api_url"] == f"{BASE}{API}therapies/ocrelizumab/"
    assert therapy["last_updated"].startswith(row.last_published_at.date().isoformat())
    assert therapy["last_reviewed"].startswith(row.last_reviewed_at.date().isoformat())
    assert therapy["next_review_due"] == row.next_review_due.isoformat()
    assert {ref["key"] for ref in therapy["references"]} == set(row.references.values_list("key", flat=True))
    assert all(ref["link"].startswith("https://") for ref in therapy["references"])
    assert [t["slug"] for t in therapy["trials"]] == ["opera-i", "opera-ii", "oratorio"]
    assert "<strong>" in therapy["dosing"]["html"] and "**" in therapy["dosing"]["markdown"]
    assert therapy["approvals"]["fda"]["date"] == row.fda_approval_date.isoformat()
    assert (therapy["drug_class"], therapy["drug_class_label"]) == ("anti-cd20", "Anti-CD20 monoclonal antibody")
    risk = next(link for link in therapy["risks"] if link["risk"]["slug"] == "infusion-reactions")
    assert risk["frequency"] == "very-common" and risk["frequency_label"].startswith("Very common")
    assert risk["figure"] and risk["measure"].startswith("People with an infusion reaction")


def test_therapy_carries_routes_qualified_indications_and_the_three_sections_with_sources(client):
    therapy = get_json(client, f"{API}therapies/ocrelizumab/")
    row = Therapy.objects.get(slug="ocrelizumab")
    assert (therapy["routes"], therapy["route_labels"]) == (["iv", "sc"], ["IV infusion", "Subcutaneous injection"])
    assert "Zunovo" in therapy["formulations"]["markdown"]
    indications = {i["code"]: i for i in therapy["approved_indications"]}
    assert [i["regulator"] for i in therapy["approved_indications"]] == ["fda", "fda", "eu", "eu"]
    assert indications["eu-ppms-early"]["name"].startswith("Early primary progressive MS")
    assert indications["eu-ppms-early"]["courses"] == ["PPMS"]
    assert indications["us-rms"]["regulator_label"] == "United States (FDA)"
    for section in ("pregnancy", "contraindications", "urgent_help"):
        assert therapy[section]["text"]["markdown"] == getattr(row, section)
        assert {s["key"] for s in therapy[section]["sources"]} == set(
            getattr(row, f"{section}_references").values_list("key", flat=True)
        )


def test_trials_filter_by_therapy_nct_id_and_phase(client):
    by_therapy = get_json(client, f"{API}trials/?therapy=ocrelizumab")["items"]
    assert [t["slug"] for t in by_therapy] == ["opera-i", "opera-ii", "oratorio"]
    by_nct = get_json(client, f"{API}trials/?nct_id=NCT01247324")["items"]
    assert [t["slug"] for t in by_nct] == ["opera-i"]
    phase_3 = items_of(client, f"{API}trials/?phase=3")
    assert {t["slug"] for t in phase_3} == set(Trial.objects.live().filter(phase="3").values_list("slug", flat=True))
    assert get_json(client, f"{API}trials/?therapy=ocrelizumab&phase=2")["items"] == []


def test_trial_carries_its_design_result_therapy_and_sources(client):
    trial = get_json(client, f"{API}trials/opera-i/")
    assert trial["nct_id"] == "NCT01247324" and trial["number_randomised"] == 821
    assert trial["registry_url"] == "https://clinicaltrials.gov/study/NCT01247324"
    assert trial["therapy"]["api_url"] == f"{BASE}{API}therapies/ocrelizumab/"
    assert "0.16" in trial["headline_result"] and trial["references"]


def test_risk_carries_its_therapies_with_frequency_and_sourced_figure(client):
    risk = get_json(client, f"{API}risks/infusion-reactions/")
    links = {link["therapy"]["slug"]: link for link in risk["therapies"]}
    assert {"alemtuzumab", "ocrelizumab", "ublituximab", "natalizumab"} <= set(links)
    assert any("92%" in link["figure"] for link in links.values())
    listed = next(r for r in items_of(client, f"{API}risks/") if r["slug"] == "infusion-reactions")
    assert listed["therapies"] == risk["therapies"]


def test_therapy_risk_links_are_in_the_order_the_pages_list_them(client):
    expected = Frequency.most_frequent_first(
        TherapyRisk.objects.live().filter(therapy__slug="ocrelizumab").select_related("risk"),
        then=lambda link: link.risk.name,
    )
    assert len({link.frequency for link in expected}) > 1
    therapy = get_json(client, f"{API}therapies/ocrelizumab/")
    assert [link["risk"]["slug"] for link in therapy["risks"]] == [link.risk.slug for link in expected]
    risk = expected[0].risk
    on_risk = Frequency.most_frequent_first(
        TherapyRisk.objects.live().filter(risk=risk).select_related("therapy"), then=lambda link: link.therapy.name
    )
    answer = get_json(client, f"{API}risks/{risk.slug}/")
    assert [link["therapy"]["slug"] for link in answer["therapies"]] == [link.therapy.slug for link in on_risk]


def test_references_are_exactly_the_sources_live_pages_cite(client):
    cited = {key for relation in ("therapies", "trials", "risks")
             for key in Reference.objects.filter(**{f"{relation}__live": True}).values_list("key", flat=True)}
    uncited = Reference.objects.create(key="cited-by-nobody", kind="web", title="Nobody cites me", source="x",
                                       url="https://example.org/")
    listed = items_of(client, f"{API}references/?page_size=100")
    assert [ref["key"] for ref in listed] == sorted(cited)
    source = get_json(client, f"{API}references/{listed[0]['key']}/")
    assert source["cited_by"] and all(page["api_url"].startswith(BASE + API) for page in source["cited_by"])
    get_json(client, f"{API}references/{uncited.key}/", status=404)


def test_a_source_taken_off_the_site_is_not_served(client, reviewer):
    """Sources are reviewed content (issue 11): one unpublished leaves the API as it leaves the pages."""
    therapy = Therapy.objects.get(slug="ocrelizumab")
    source = therapy.references.order_by("key").first()
    workflow.unpublish(obj=source, user=reviewer, reason="The agency withdrew the document.")
    get_json(client, f"{API}references/{source.key}/", status=404)
    assert source.key not in {ref["key"] for ref in items_of(client, f"{API}references/?page_size=100")}
    assert source.key not in {ref["key"] for ref in get_json(client, f"{API}therapies/ocrelizumab/")["references"]}


def test_change_log_lists_published_changes_newest_first_with_their_live_pages(
    client, editor, reviewer, django_capture_on_commit_callbacks
):
    for summary in ("First published summary.", "Second published summary."):
        change = approved_change(editor, reviewer, summary=summary)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(change_request=change, user=reviewer)
    changes = get_json(client, f"{API}changes/")["items"]
    published = list(ChangeRequest.objects.published().order_by("-published_at", "-pk"))
    assert [c["id"] for c in changes] == [cr.pk for cr in published]
    assert changes[0]["pages"] == [{"kind": "therapy", "slug": "ocrelizumab", "name": "Ocrelizumab",
                                    "page_url": f"{BASE}/therapies/ocrelizumab/",
                                    "api_url": f"{BASE}{API}therapies/ocrelizumab/"}]
    assert changes[0]["significance_label"] == "Minor update"
    assert get_json(client, f"{API}changes/?significance=safety")["items"] == [
        c for c in changes if c["significance"] == "safety"
    ]


@pytest.mark.parametrize("kind", page_kinds(), ids=[kind.name for kind in page_kinds()])
def test_every_kind_with_a_page_is_served_by_the_api(client, kind):
    """A new content kind (models/kinds.py) fails here until therapies/site/api/ has its schema and operations."""
    row = kind.model.objects.live().order_by("pk").first()
    try:
        url = reverse(f"api_v1:{kind.name}", args=[row.slug])
    except NoReverseMatch:
        pytest.fail(f"No API operation named “{kind.name}”: add its schema and operations to therapies/site/api/.")
    assert get_json(client, url)["page_url"] == BASE + kind.public_url(row)


# --- Only live content, ever ---------------------------------------------------------------------------------------


def test_no_draft_withdrawn_or_unpublished_content_appears_anywhere(client, editor, reviewer):
    hidden = make_hidden_content(editor, reviewer)
    answers = crawl(client)
    # The crawl reached every live object through the lists' pages.
    for kind, api in SERVED:
        for slug in kind.model.objects.live().values_list("slug", flat=True) if kind.has_page else ():
            assert f"{BASE}{API}{api.collection}/{slug}/" in answers, slug
    leaks = {(url, marker) for url, body in answers.items() for marker in hidden.markers if marker in body}
    assert leaks == set()
    for url in (f"{API}therapies/hiddenumab/", f"{API}trials/hidden-trial/", f"{API}risks/herpes-infections/",
                f"{API}therapies/alemtuzumab/", f"{API}references/hidden-draft-source/"):
        assert "no published" in get_json(client, url, status=404)["detail"]


def test_a_live_trial_of_an_unpublished_therapy_does_not_link_to_it(client, reviewer):
    workflow.unpublish(obj=Therapy.objects.get(slug="alemtuzumab"), user=reviewer, reason="Being rewritten.")
    trial = Trial.objects.live().filter(therapy__slug="alemtuzumab").first()
    assert get_json(client, f"{API}trials/{trial.slug}/")["therapy"] is None
    assert get_json(client, f"{API}trials/?therapy=alemtuzumab")["count"] == 0


# --- Errors in words ------------------------------------------------------------------------------------------------


def test_an_unknown_object_is_a_json_404_that_names_it(client):
    assert get_json(client, f"{API}risks/no-such-risk/", status=404)["detail"] == (
        "There is no published risk “no-such-risk”."
    )


@pytest.mark.parametrize("query", ["page=0", "page_size=1000", "phase=7", "nct_id=NCT1", "therapy=Not%20A%20Slug"])
def test_an_invalid_parameter_is_a_422_that_names_it(client, query):
    problem = get_json(client, f"{API}trials/?{query}", status=422)
    name = query.split("=")[0]
    assert problem["errors"] and problem["errors"][0].startswith(f"{name}: ")
    assert name in problem["detail"]


# --- The OpenAPI description and its viewer -----------------------------------------------------------------------


def test_openapi_describes_every_operation_with_its_answers(client):
    description = get_json(client, f"{API}openapi.json")
    assert description["openapi"].startswith("3.")
    operations = {op["operationId"]: (path, op) for path, item in description["paths"].items()
                  for op in item.values()}
    served = {name for kind, api in SERVED for name in (f"list_{api.collection}", f"get_{kind.name}")}
    assert set(operations) == {"index", "list_changes", *served}
    for name, (path, operation) in operations.items():
        assert "200" in operation["responses"], name
        if "{" in path:
            assert operation["responses"]["404"]["content"]["application/json"], name
    trial_filters = {p["name"] for p in operations["list_trials"][1]["parameters"]}
    assert trial_filters == {"therapy", "nct_id", "phase", "page", "page_size"}


def test_viewer_page_runs_only_the_sites_own_scripts(client):
    response = client.get(f"{API}docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all(attrs.strip().startswith('src="/static/') and body == "" for attrs, body in scripts)
    assert "http://" not in html.replace(BASE, "") and "https://" not in html
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(path), path


# --- HTTP: conditional GET, page cache, HEAD, CORS ----------------------------------------------------------------


def test_conditional_get_answers_304_until_something_is_published(
    client, page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    url = f"{API}therapies/ocrelizumab/"
    first = client.get(url)
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    change = approved_change(editor, reviewer, summary="A newly published summary.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(change_request=change, user=reviewer)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200 and fresh.json()["summary"] == "A newly published summary."


def test_answers_come_from_the_page_cache_until_a_publish(
    client, page_cache, editor, reviewer, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = f"{API}therapies/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"
    change = approved_change(editor, reviewer, summary="Published while the list was cached.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(change_request=change, user=reviewer)
    again = client.get(url)
    assert again["X-Page-Cache"] == "miss"
    assert "Published while the list was cached." in again.content.decode()


def test_head_answers_like_get_without_a_body(client, page_cache):
    head = client.head(f"{API}risks/")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == client.get(f"{API}risks/")["ETag"]


def test_any_origin_may_read_but_not_write(client):
    response = client.get(f"{API}therapies/", HTTP_ORIGIN="https://clinic.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(f"{API}therapies/", HTTP_ORIGIN="https://clinic.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match")
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert client.post(f"{API}therapies/", HTTP_ORIGIN="https://clinic.example").status_code == 405
    assert "Access-Control-Allow-Origin" not in client.get("/therapies/", HTTP_ORIGIN="https://clinic.example")


# --- A fixed number of queries whatever the data size ------------------------------------------------------------


QUERY_URLS = [
    f"{API}therapies/?page_size=100", f"{API}trials/?page_size=100", f"{API}risks/?page_size=100",
    f"{API}references/?page_size=100", f"{API}changes/?page_size=100", f"{API}therapies/{{therapy}}/",
    f"{API}trials/{{trial}}/", f"{API}risks/{{risk}}/", f"{API}references/{{reference}}/",
]


def _queries_per_url(client, objects: dict[str, str]) -> dict[str, int]:
    counts = {}
    for template in QUERY_URLS:
        url = template.format(**objects)
        client.get(url)  # warm Django's content-type cache, so only the answer's own queries count
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[template] = len(queries)
    return counts


def test_queries_per_answer_do_not_grow_with_the_content(client, editor, reviewer):
    # The change log reads the live pages of each kind its page touches: touch all three before counting.
    for model, slug in ((Therapy, "ocrelizumab"), (Trial, "opera-i"), (Risk, "pml")):
        obj = model.objects.get(slug=slug)
        workflow.publish(change_request=approved_change(editor, reviewer, obj, summary="Changed."), user=reviewer)
    small = _queries_per_url(client, {"therapy": "ocrelizumab", "trial": "opera-i", "risk": "pml",
                                      "reference": Reference.objects.filter(risks__slug="pml").first().key})
    call_command("generate_content", therapies=12, trials=60, risks=20, force=True, verbosity=0,
                 stdout=io.StringIO())
    busiest = Therapy.objects.live().filter(slug__startswith="synthetic-").order_by("-trials__pk").first()
    large = _queries_per_url(client, {
        "therapy": busiest.slug,
        "trial": Trial.objects.filter(slug__startswith="synthetic-").first().slug,
        "risk": Risk.objects.filter(slug__startswith="synthetic-").first().slug,
        "reference": Reference.objects.filter(therapies__slug=busiest.slug).first().key,
    })
    assert large == small, json.dumps({"small": small, "large": large}, indent=1)
    # The most: a therapy (itself, its routes, indications and their courses, the sources of its references and
    # of its three required sections, its live trials and risks), and the sources list (each citing relation).
    assert max(small.values()) <= 10, json.dumps(small, indent=1)
