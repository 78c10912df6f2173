"""Each wing registers its own parts of a content kind (models/kinds.py, admin/kinds.py, site/kinds.py), and a
system check refuses to start while a kind lacks one. A throwaway "Guideline" kind, defined here, goes through
the registries the way docs/ADDING_A_CONTENT_KIND.md says a new kind does: its model facts, one entry per wing.
"""

from dataclasses import replace

import pytest
from django.contrib.admin import AdminSite
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.http import Http404, HttpResponse
from django.test.utils import isolate_apps
from django.urls import URLResolver, reverse
from django.urls.resolvers import RegexPattern
from ninja import Query, Schema

from therapies.admin.content import PublishStateAdmin, register_default_admins
from therapies.admin.form_sections import FormSection
from therapies.admin.kind_parts import ADMIN, AdminParts
from therapies.models import KINDS, ContentKind, PublishState, Risk, page_kinds
from therapies.models import kinds as kinds_module
from therapies.models.kinds import WINGS, kind_part_problems
from therapies.site.api.kind_operations import kind_router
from therapies.site.api.urls import ReadOnlyAPI
from therapies.site.kind_parts import GENERIC_RESULT, SITE, ApiParts, PageRoutes, SiteParts, kind_routes

pytestmark = pytest.mark.django_db

GUIDELINE_SECTIONS = (FormSection("The guideline", ("name", "slug", "summary")),)


@pytest.fixture
def guideline_model():
    """A content model that exists only for this test: not in the database, not in the app's registry."""
    with isolate_apps("therapies"):

        class Guideline(PublishState):
            name = models.CharField(max_length=100)
            slug = models.SlugField()
            summary = models.TextField()

            class Meta:
                app_label = "therapies"

        yield Guideline


@pytest.fixture
def registered(guideline_model):
    """Register parts of the throwaway kind in both wings; take them away again afterwards."""
    added = []

    def register(wing, parts):
        wing.register(guideline_model, parts)
        added.append(wing)

    yield register
    for wing in added:
        wing.unregister(guideline_model)


def test_both_wings_register_their_parts_of_every_kind():
    assert {wing.wing for wing in WINGS} == {"admin", "site"}
    assert kind_part_problems() == []
    for kind in KINDS:
        assert ADMIN.of(kind).form_sections and SITE.of(kind) is not None


def test_a_new_kind_without_parts_is_named_in_each_wing(guideline_model):
    guideline = ContentKind(model=guideline_model)
    assert kind_part_problems([guideline]) == [
        "The admin parts of guideline (Guideline): has no admin parts: register them in therapies/admin/kinds.py.",
        "The site parts of guideline (Guideline): has no site parts: register them in therapies/site/kinds.py.",
    ]
    with pytest.raises(LookupError, match="Guideline has no site parts: register them in therapies/site/kinds.py"):
        SITE.of(guideline)


def test_a_complete_new_kind_is_accepted_and_the_system_check_passes(guideline_model, registered, monkeypatch):
    guideline = ContentKind(model=guideline_model, title_field="name")
    registered(ADMIN, AdminParts(form_sections=GUIDELINE_SECTIONS))
    registered(SITE, SiteParts())
    assert kind_part_problems([guideline]) == []
    assert ADMIN.of(guideline).form_sections == GUIDELINE_SECTIONS
    monkeypatch.setattr(kinds_module, "KINDS", (*KINDS, guideline))
    call_command("check")


def test_the_system_check_refuses_an_incomplete_kind_in_words(guideline_model, registered, monkeypatch):
    # A page of its own, but the edit form leaves out a field, and the site registers none of the page's parts.
    guideline = ContentKind(model=guideline_model, url_name="guideline_detail", list_url_name="guideline_list")
    registered(ADMIN, AdminParts(form_sections=(FormSection("The guideline", ("name", "slug")),)))
    registered(SITE, SiteParts(result="therapies/includes/results/_guideline.html"))
    assert kind_part_problems([guideline]) == [
        "The admin parts of guideline (Guideline): its edit form: “summary” is in no section.",
        "The admin parts of guideline (Guideline): it has a page, but no preview builder for a draft of it.",
        "The site parts of guideline (Guideline): no page template.",
        "The site parts of guideline (Guideline): no structured data saying what its page is about.",
        "The site parts of guideline (Guideline): its page is not served by the API.",
        "The site parts of guideline (Guideline): no routes: the views of its page and list (PageRoutes).",
        "The site parts of guideline (Guideline): its search-result partial "
        "“therapies/includes/results/_guideline.html” does not exist.",
        "The site parts of guideline (Guideline): a search-result partial, but it is not searched.",
    ]
    monkeypatch.setattr(kinds_module, "KINDS", (*KINDS, guideline))
    with pytest.raises(SystemCheckError, match=r"The site parts of guideline \(Guideline\): no page template"):
        call_command("check")


def test_a_new_kind_without_a_model_admin_of_its_own_gets_the_read_only_one(guideline_model):
    site = AdminSite()
    register_default_admins(site, [ContentKind(model=guideline_model)])
    assert type(site._registry[guideline_model]) is PublishStateAdmin


def test_a_kind_registered_twice_in_a_wing_is_refused(guideline_model, registered):
    registered(SITE, SiteParts())
    with pytest.raises(ValueError, match="Guideline already has its site parts"):
        SITE.register(guideline_model, SiteParts())


def test_a_formset_and_a_preview_are_required_where_the_kind_needs_them():
    risk = next(kind for kind in KINDS if kind.model is Risk)
    therapy = next(kind for kind in KINDS if kind.name == "therapy")
    parts = ADMIN.of(therapy)
    assert ADMIN.entry_problems(therapy, replace(parts, formsets={})) == [
        "no formset edits its child rows “therapy_risks”"
    ]
    assert ADMIN.entry_problems(risk, replace(ADMIN.of(risk), preview=None)) == [
        "it has a page, but no preview builder for a draft of it"
    ]


def test_a_page_kind_needs_its_page_and_list_routes():
    trial = next(kind for kind in KINDS if kind.name == "trial")
    routes = SITE.of(trial).routes
    assert SITE.entry_problems(trial, replace(SITE.of(trial), routes=replace(routes, listing=None))) == [
        "no list view for its list “trial_list”"
    ]
    assert SITE.entry_problems(replace(trial, list_url_name=""), SITE.of(trial)) == [
        "a list view, but no list_url_name to name it"
    ]
    reference = next(kind for kind in KINDS if kind.name == "reference")
    assert SITE.entry_problems(reference, replace(SITE.of(reference), routes=routes)) == [
        "a page template, structured data or routes, but no page of its own (url_name)"
    ]


# --- What reads the registries: search results, navigation ------------------------------------------------------


def test_a_kind_without_its_own_result_partial_shows_no_other_kinds_fields(client, monkeypatch):
    monkeypatch.setitem(SITE._parts, Risk, replace(SITE.of(Risk), result=""))
    assert SITE.of(Risk).result_partial == GENERIC_RESULT
    html = client.get("/search/", {"q": "PML"}).content.decode()
    assert "Progressive multifocal leukoencephalopathy" in html
    assert "Severity:" not in html


def test_a_risk_hit_shows_its_severity_through_its_own_partial(client):
    assert "Severity:" in client.get("/search/", {"q": "PML"}).content.decode()


def test_the_navigation_lists_every_kind_with_a_page_and_marks_the_current_one(client):
    html = client.get(reverse("trial_list")).content.decode()
    nav = html[html.index('<nav class="site-nav"'):html.index("</nav>")]
    for kind in page_kinds():
        assert f'href="{reverse(kind.list_url_name)}"' in nav
    assert f'<a href="{reverse("trial_list")}" aria-current="page">Trials</a>' in nav
    assert nav.count('aria-current="page"') == 1


# --- A new kind with a page gets its URLs and its API operations from its site entry alone ------------------------


class GuidelineOut(Schema):
    name: str
    slug: str


def guideline_page(request, slug):
    return HttpResponse(slug)


def guideline_list(request):
    return HttpResponse("guidelines")


def live_guidelines(issuer: str | None = Query(None, max_length=40, description="Who issued it.")):
    """Live guidelines by name."""
    return []


def one_guideline(request, slug):
    """One guideline, its recommendations and sources."""
    raise Http404(f"There is no published guideline “{slug}”.")


GUIDELINE_SITE = SiteParts(
    template="therapies/risk_detail.html",
    about=lambda *args: [],
    routes=PageRoutes("guidelines/", page=guideline_page, listing=guideline_list),
    api=ApiParts("guidelines", GuidelineOut, listed=live_guidelines, one=one_guideline,
                 summaries=("Live guidelines", "One live guideline"), example="ms-2024"),
)


def test_a_new_kind_with_a_page_gets_its_routes_and_api_operations_from_its_site_entry(guideline_model, registered):
    guideline = ContentKind(model=guideline_model, url_name="guideline_detail", list_url_name="guideline_list")
    registered(SITE, GUIDELINE_SITE)
    assert SITE.entry_problems(guideline, GUIDELINE_SITE) == []

    urls = URLResolver(RegexPattern(r"^/"), kind_routes((*page_kinds(), guideline)))
    page = urls.resolve("/guidelines/ms-2024/")
    assert (page.func, page.url_name, page.kwargs) == (guideline_page, "guideline_detail", {"slug": "ms-2024"})
    assert urls.resolve("/guidelines/").url_name == "guideline_list"
    assert urls.resolve("/trials/NCT01247324/").url_name == "trial_by_nct_id"  # the others' routes unchanged
    assert urls.resolve("/trials/opera-i/").url_name == "trial_detail"

    api = ReadOnlyAPI(urls_namespace="guideline-api")  # the site API's class: it names operations the same way
    api.add_router("/", kind_router([guideline]))
    paths = api.get_openapi_schema(path_prefix="")["paths"]
    listing, one = paths["/guidelines/"]["get"], paths["/guidelines/{slug}/"]["get"]
    assert (listing["operationId"], listing["summary"], listing["description"]) == (
        "list_guidelines", "Live guidelines", "Live guidelines by name.")
    assert [p["name"] for p in listing["parameters"]] == ["issuer", "page", "page_size"]
    assert (one["operationId"], one["summary"], one["tags"]) == ("get_guideline", "One live guideline", ["guidelines"])
    assert one["parameters"][0]["example"] == "ms-2024"
    assert one["responses"][200]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GuidelineOut"
    }
    assert set(one["responses"]) == {200, 404, 422}


def test_the_api_description_is_built_from_the_registry(client):
    """Every kind the API serves has its two operations, each in its collection, answering with its schema."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for kind in KINDS:
        api = SITE.of(kind).api
        if api is None:
            continue
        one = paths[f"/api/v1/{api.collection}/{{{api.key}}}/"]["get"]
        assert paths[f"/api/v1/{api.collection}/"]["get"]["operationId"] == f"list_{api.collection}"
        assert one["operationId"] == f"get_{kind.name}"
        assert one["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(api.schema.__name__)


def test_the_not_found_page_and_the_search_box_name_the_kinds_from_the_registry(client):
    html = client.get("/no-such-page/").content.decode()
    suggestions = html[html.index('<ul class="link-list">'):]
    for kind in page_kinds():
        assert f'<a href="{reverse(kind.list_url_name)}">All {kind.plural}</a>' in suggestions
    # Every kind with a search document, in the registry's order.
    assert '<label for="site-search-q" class="visually-hidden">Search therapies, trials and risks</label>' in html
    search = client.get("/search/").content.decode()
    assert '<label for="search-q">Search therapies, trials and risks</label>' in search
