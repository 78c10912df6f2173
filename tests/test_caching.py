"""The public page cache (therapies/site/caching.py): hits skip the database, publishing invalidates for
every server sharing the cache, and editors, previews, forms and per-reader responses are never cached."""

import re
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.http import http_date

from therapies import workflow
from therapies.models import Therapy
from therapies.site import caching

from .public_pages import site_routes
from .workflow_helpers import approved_change, draft_change

pytestmark = pytest.mark.django_db

URL = "/therapies/ocrelizumab/"

# Public routes that must never be cached: the health check answers about this server, now; the
# correction form carries a per-reader CSRF token and takes POSTs, and its thank-you page is per reader; the alert
# pages take POSTs and answer one reader's signed link (issue 26), each marked never_cache.
NEVER_CACHED_ROUTES = {
    "healthz", "suggest_correction", "correction_thanks",
    "alerts_subscribe", "alerts_sent", "alerts_confirm", "alerts_manage", "alerts_unsubscribe",
}


def counting_view(body: str = "page", *, before=None):
    """A decorated view that counts how often it really ran."""
    calls = []

    @caching.public_page
    def view(request):
        calls.append(request.method)
        if before:
            before(request)
        return HttpResponse(f"{body} {len(calls)}")

    return view, calls


def test_cache_hit_serves_without_database_queries(client, page_cache, django_assert_num_queries):
    first = client.get(URL)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(URL)
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_publish_shows_new_content_at_once_on_another_server(
    client, page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    assert "Renamed by the publish test" not in client.get(URL).content.decode()
    assert client.get(URL)["X-Page-Cache"] == "hit"
    change = approved_change(editor, reviewer, summary="Renamed by the publish test.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(change_request=change, user=reviewer)
    other_server = Client()  # same shared cache, a fresh request
    response = other_server.get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert "Renamed by the publish test." in response.content.decode()


def test_unpublish_removes_the_cached_page_at_once(client, page_cache, reviewer, django_capture_on_commit_callbacks):
    assert client.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(obj=Therapy.objects.get(slug="ocrelizumab"), user=reviewer, reason="Withdrawn in test")
    assert Client().get(URL).status_code == 404
    assert "/therapies/ocrelizumab/" not in Client().get("/therapies/").content.decode()


def test_confirm_reviewed_invalidates_cached_pages(client, page_cache, reviewer, django_capture_on_commit_callbacks):
    client.get(URL)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.confirm_reviewed(obj=Therapy.objects.get(slug="ocrelizumab"), user=reviewer, note="Checked")
    assert Client().get(URL)["X-Page-Cache"] == "miss"


def test_lost_version_key_never_serves_pages_stored_before(client, page_cache):
    Therapy.objects.filter(slug="ocrelizumab").update(summary="Old summary")
    client.get(URL)
    Therapy.objects.filter(slug="ocrelizumab").update(summary="New summary after the cache lost its version")
    cache.delete(caching.VERSION_KEY)  # as if Redis restarted or evicted it
    response = client.get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert "New summary after the cache lost its version" in response.content.decode()


def test_page_rendered_while_a_publish_commits_is_not_served_later(page_cache):
    view, calls = counting_view(before=lambda request: caching.bump_content_version())
    factory = RequestFactory()
    view(factory.get("/racing/"))
    view(factory.get("/racing/"))
    assert len(calls) == 2  # the first render was stored under the version it started with: never served


def test_process_copy_is_not_served_once_another_server_publishes(client, page_cache):
    Therapy.objects.filter(slug="ocrelizumab").update(summary="Before the other server published")
    client.get(URL)
    assert client.get(URL)["X-Page-Cache"] == "hit"  # now in this process's own memory too
    Therapy.objects.filter(slug="ocrelizumab").update(summary="Published on another server")
    therapy = Therapy.objects.get(slug="ocrelizumab")
    caching.record_publish({f"therapy:{therapy.pk}"})  # what the other server's publish does to the shared cache
    response = client.get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert "Published on another server" in response.content.decode()


def test_logged_in_editor_is_never_served_from_cache(client, page_cache, editor):
    client.get(URL)  # cached for readers
    Therapy.objects.filter(slug="ocrelizumab").update(summary="Changed without publishing (test only)")
    assert "Changed without publishing" not in Client().get(URL).content.decode()  # proves the cache is on
    client.force_login(editor)
    response = client.get(URL)
    assert "Changed without publishing" in response.content.decode()
    assert not response.has_header("X-Page-Cache")
    assert "private" in response["Cache-Control"]


def test_logged_in_editor_page_is_never_stored_for_readers(client, page_cache, editor):
    client.force_login(editor)
    client.get(URL)
    assert Client().get(URL)["X-Page-Cache"] == "miss"


def test_preview_is_never_cached_and_never_leaks_to_readers(client, page_cache, editor):
    change, revision = draft_change(editor, summary="Draft summary only the preview shows.")
    client.force_login(editor)
    preview = client.get(reverse("admin:therapies_revision_preview", args=[change.pk, revision.pk]))
    assert "Draft summary only the preview shows." in preview.content.decode()
    assert not preview.has_header("X-Page-Cache")
    reader = Client().get(URL)
    assert "Draft summary only the preview shows." not in reader.content.decode()


def test_post_is_never_served_from_cache(page_cache):
    view, calls = counting_view()
    factory = RequestFactory()
    view(factory.get("/form/"))
    view(factory.post("/form/"))
    view(factory.post("/form/"))
    assert calls == ["GET", "POST", "POST"]


CSRF_FORM = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')


@pytest.mark.parametrize("render", [
    lambda request: CSRF_FORM.render({}, request),  # a {% csrf_token %} form input
    lambda request: f"<meta name='csrf' content='{get_token(request)}'>",  # a token anywhere else
], ids=["form-input", "elsewhere"])
def test_page_carrying_a_csrf_token_is_never_stored(page_cache, render):
    """A per-reader token must never be handed to the next reader: such a page is rendered for each one."""
    calls = []

    @caching.public_page
    def view(request):
        calls.append(1)
        return HttpResponse(render(request))

    factory = RequestFactory()
    first, second = view(factory.get("/token-page/")), view(factory.get("/token-page/"))
    assert len(calls) == 2
    assert first.content != second.content  # each reader got their own token
    assert cache.get(caching.page_key(factory.get("/token-page/"))) is None
    assert not first.has_header("X-Page-Cache")


@pytest.mark.parametrize("url", [URL, "/trials/opera-i/", "/risks/pml/"])
def test_content_pages_carry_no_csrf_token_and_are_served_from_the_cache(page_cache, url):
    first = Client().get(url)
    second = Client().get(url)
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in second.content.decode()
    assert "csrftoken" not in first.cookies and "csrftoken" not in second.cookies
    assert not second["ETag"].startswith("W/")


def test_correction_form_on_a_cached_page_is_accepted(page_cache):
    Client().get(URL)  # fills the cache
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(URL)
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    assert "csrfmiddlewaretoken" not in html  # the post is checked as same-origin instead
    action = re.search(r'<form[^>]*action="(/corrections/[^"]+)"', html).group(1)
    data = {"what_is_wrong": "The dose is out of date."}
    response = reader.post(action, data, HTTP_ORIGIN="http://testserver", HTTP_REFERER=f"http://testserver{URL}")
    assert response.status_code == 302 and "/thanks/" in response["Location"]


def test_messages_cookie_bypasses_the_cache(client, page_cache):
    client.get(URL)
    client.cookies["messages"] = "a flash message for this reader only"
    assert not client.get(URL).has_header("X-Page-Cache")


def test_query_string_is_part_of_the_key(client, page_cache):
    subcutaneous = client.get("/therapies/", {"route": "sc"}).content.decode()
    intravenous = client.get("/therapies/", {"route": "iv"}).content.decode()
    assert "/therapies/ofatumumab/" in subcutaneous and "/therapies/ofatumumab/" not in intravenous
    assert client.get("/therapies/", {"route": "sc"})["X-Page-Cache"] == "hit"


def test_overlong_declared_query_string_is_not_cached(client, page_cache):
    url = "/therapies/?course=" + "x" * caching.MAX_QUERY_STRING
    assert client.get(url).status_code == 200
    assert not client.get(url).has_header("X-Page-Cache")


def test_an_overlong_undeclared_query_string_is_served_from_the_cache_but_not_shared(client, page_cache):
    """Issue 23, I1: junk parameters are dropped, so they no longer bypass the page cache; the answer is not marked
    for a front cache to keep, since the address is not the page's own (N3)."""
    client.get("/therapies/")
    response = client.get("/therapies/?junk=" + "x" * caching.MAX_QUERY_STRING)
    assert response["X-Page-Cache"] == "hit"
    assert "s-maxage" not in response.get("Cache-Control", "") and "public" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("query", "host", "shared"),
    [("", "testserver", True), ("?cachebust=77", "testserver", False), ("", "TESTSERVER", False),
     ("", "testserver.", False), ("", "testserver:1", False), ("?route=sc", "testserver", True)],
)
def test_only_the_pages_own_spelling_is_marked_for_a_front_cache(client, page_cache, query, host, shared):
    for _ in range(2):  # rendered, then from the page cache: the same answer
        response = client.get(f"/therapies/{query}", HTTP_HOST=host)
        assert ("s-maxage" in response.get("Cache-Control", "")) is shared


@pytest.mark.parametrize(
    ("value", "bypass"), [("junk", False), ("a" * 31, False), ("0123456789abcdefghij0123456789ab", True)]
)
def test_only_a_well_formed_session_key_bypasses_the_page_cache(client, page_cache, value, bypass):
    Client().get(URL)
    client.cookies["sessionid"] = value
    assert client.get(URL).has_header("X-Page-Cache") is not bypass


def test_not_found_is_not_stored(client, page_cache):
    client.get("/therapies/no-such-drug/")
    assert not cache.get(caching.page_key(RequestFactory().get("/therapies/no-such-drug/")))


def test_head_is_served_from_cache(client, page_cache, django_assert_num_queries):
    client.get(URL)
    with django_assert_num_queries(0):
        assert client.head(URL).status_code == 200


@pytest.mark.parametrize("cache_on", [True, False])
def test_if_none_match_answers_304(client, settings, page_cache, cache_on):
    settings.PAGE_CACHE = cache_on
    first = client.get(URL)
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    response = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response.content == b""


def test_changed_page_answers_200_to_an_old_etag(client, page_cache, editor, reviewer,
                                                  django_capture_on_commit_callbacks):
    etag = client.get(URL)["ETag"]
    change = approved_change(editor, reviewer, summary="A new summary, so a new ETag.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(change_request=change, user=reviewer)
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_modified_since_answers_304(client, page_cache):
    client.get(URL)
    response = client.get(URL, HTTP_IF_MODIFIED_SINCE=http_date(time.time() + 1))
    assert response.status_code == 304
    old = client.get(URL, HTTP_IF_MODIFIED_SINCE=http_date(time.time() - 3600))
    assert old.status_code == 200


def test_healthz_is_never_cached(client, page_cache):
    client.get("/healthz")
    response = client.get("/healthz")
    assert not response.has_header("X-Page-Cache")
    assert "no-cache" in response["Cache-Control"]


def test_every_public_route_uses_the_page_cache():
    """A new public view must add @public_page (or be listed in NEVER_CACHED_ROUTES with its reason)."""
    missing = [
        route
        for route, pattern in site_routes()
        if pattern.name not in NEVER_CACHED_ROUTES and not getattr(pattern.callback, "public_page", False)
    ]
    assert not missing, f"Public routes without @public_page: {missing}"
