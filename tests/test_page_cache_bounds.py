"""The page cache cannot be flooded, and never serves stale pages when it cannot record a publish (issue 15)."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from therapies import workflow
from therapies.site import caching
from therapies.site.urls import urlpatterns

from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db

URL = "/therapies/ocrelizumab/"


class FlakyCache(LocMemCache):
    """Local memory that can act like a Redis that is full (`noeviction`: writes refused, reads and
    deletes still work) or down (everything refused)."""

    mode = "ok"

    def _check(self, write: bool) -> None:
        if FlakyCache.mode == "down" or (FlakyCache.mode == "full" and write):
            raise ConnectionError(f"cache is {FlakyCache.mode}")


def _guarded(name: str, write: bool):
    def method(self, *args, **kwargs):
        self._check(write=write)
        return getattr(LocMemCache, name)(self, *args, **kwargs)

    return method


for _name, _write in (("get", False), ("delete", False), ("add", True), ("set", True), ("incr", True)):
    setattr(FlakyCache, _name, _guarded(_name, _write))


@pytest.fixture
def flaky(settings):
    settings.CACHES = {**settings.CACHES, "flaky": {"BACKEND": "tests.test_page_cache_bounds.FlakyCache",
                                                   "LOCATION": "flaky"}}
    settings.PAGE_CACHE_ALIAS = "flaky"
    settings.PAGE_CACHE = True
    FlakyCache.mode = "ok"
    caches["flaky"].clear()
    caching._recent.clear()
    caching._debt.owed = False
    yield FlakyCache
    FlakyCache.mode = "ok"
    caches["flaky"].clear()
    caching._recent.clear()
    caching._debt.owed = False


def _publish_summary(editor, reviewer, summary: str, capture) -> None:
    change = approved_change(editor, reviewer, summary=summary)
    with capture(execute=True):
        workflow.publish(change_request=change, user=reviewer)


# --- Keys: only the declared parameters ---------------------------------------------------------------


def test_an_undeclared_parameter_is_dropped_so_the_page_is_a_hit(flaky):
    assert Client().get("/therapies/")["X-Page-Cache"] == "miss"
    response = Client().get("/therapies/?x=1&utm_source=flood")
    assert response["X-Page-Cache"] == "hit"


def test_the_view_never_sees_an_undeclared_parameter(flaky):
    """Else a page rendered for ?x= would be stored under the key of the page without it."""
    response = Client().get("/therapies/?route=sc&junk=<b>flood</b>")
    assert "flood" not in response.content.decode()
    assert Client().get("/therapies/?route=sc")["X-Page-Cache"] == "hit"


def test_a_declared_parameter_is_still_part_of_the_key(flaky):
    Client().get("/therapies/?route=sc")
    assert Client().get("/therapies/?route=iv")["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("url", ["/therapies/?page=flood1", "/therapies/?route=flood", "/updates/?significance=x",
                                 "/search/?q=zzqxjunkquery", "/compare/?t=no-such-therapy&t=ocrelizumab",
                                 "/trials/?page=99999"])
def test_junk_values_of_declared_parameters_are_answered_but_never_stored(flaky, url):
    first = Client().get(url)
    assert first.status_code == 200
    assert first.get("X-Page-Cache") is None  # looked up, answered, not stored
    assert Client().get(url).get("X-Page-Cache") is None


def test_many_distinct_junk_urls_add_no_cache_entries(flaky):
    Client().get("/therapies/")
    before = len(caches["flaky"]._cache)
    for n in range(50):
        Client().get(f"/therapies/?n={n}&page=x{n}&flood={'y' * n}")
    assert len(caches["flaky"]._cache) == before


def test_every_cached_route_declares_its_parameters_as_a_tuple():
    for pattern in urlpatterns:
        params = getattr(pattern.callback, "page_params", None)
        if getattr(pattern.callback, "public_page", False):
            assert isinstance(params, tuple), pattern.name


# --- A cache that cannot record a publish --------------------------------------------------------------


def test_a_full_cache_at_publish_time_serves_pages_uncached_until_it_can_then_caches_again(
    flaky, editor, reviewer, django_capture_on_commit_callbacks
):
    Client().get(URL)
    assert Client().get(URL)["X-Page-Cache"] == "hit"
    flaky.mode = "full"
    _publish_summary(editor, reviewer, "Published while the cache was full.", django_capture_on_commit_callbacks)
    caching._debt.owed = False  # as on another server, which knows nothing of the failed raise
    for _ in range(2):
        response = Client().get(URL)
        assert "Published while the cache was full." in response.content.decode()  # never stale
        assert not response.has_header("X-Page-Cache")  # uncached while the cache cannot take a version
    flaky.mode = "ok"
    assert Client().get(URL)["X-Page-Cache"] == "miss"
    again = Client().get(URL)
    assert again["X-Page-Cache"] == "hit" and "Published while the cache was full." in again.content.decode()


def test_a_cache_down_at_publish_time_is_not_trusted_when_it_comes_back_with_old_pages(
    flaky, editor, reviewer, django_capture_on_commit_callbacks
):
    Client().get(URL)
    assert Client().get(URL)["X-Page-Cache"] == "hit"
    flaky.mode = "down"
    _publish_summary(editor, reviewer, "Published while the cache was down.", django_capture_on_commit_callbacks)
    assert "Published while the cache was down." in Client().get(URL).content.decode()
    flaky.mode = "ok"  # back, still holding the old version and the old page
    response = Client().get(URL)
    assert "Published while the cache was down." in response.content.decode()
    assert response["X-Page-Cache"] == "miss"
