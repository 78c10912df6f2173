"""A real Varnish with deploy/varnish/msinfo.vcl in front of a live test server (issue 16).

Skipped with the reason when varnishd or its xkey module is missing; under CI=true that fails instead.
"""

import http.client
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from therapies import workflow
from therapies.models import FrontendPurge, Therapy, Trial
from therapies.site import caching

from .frontend_helpers import Forwarder, Varnish, require_varnish
from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def varnish(live_server, settings, tmp_path):
    require_varnish()
    settings.PAGE_CACHE = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    cache.clear()
    caching._recent.clear()
    front = Varnish(tmp_path, [int(live_server.url.rsplit(":", 1)[1])])
    settings.FRONTEND_CACHE_URLS = [front.url + "/"]
    yield front
    front.stop()
    cache.clear()
    caching._recent.clear()


def get(front: Varnish, path: str, **headers) -> tuple[str, str, dict]:
    """(X-Cache, body, headers) of a GET through Varnish."""
    request = urllib.request.Request(front.url + path, headers=headers)  # noqa: S310  the test's own Varnish
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.headers.get("X-Cache"), response.read().decode(), dict(response.headers)


def publish(editor, reviewer, obj, **fields) -> None:
    workflow.publish(change_request=approved_change(editor, reviewer, obj, **fields), user=reviewer)


def test_anonymous_pages_are_kept_and_the_session_cookie_bypasses_varnish(varnish):
    url = "/therapies/ocrelizumab/"
    assert get(varnish, url)[0] == "MISS"
    hit, body, headers = get(varnish, url, Cookie="csrftoken=abc")  # an anonymous reader's cookie
    assert hit == "HIT" and "xkey" not in {name.lower() for name in headers}
    Therapy.objects.filter(slug="ocrelizumab").update(summary="Changed without publishing (test only)")
    assert "Changed without publishing" not in get(varnish, url)[1]  # proves the copy is kept
    for _ in range(2):  # signed in: never served the kept copy, and never stored
        hit, body, _ = get(varnish, url, Cookie="sessionid=someone")
        assert hit == "MISS" and "Changed without publishing" in body


def test_a_publish_purges_exactly_its_pages_from_varnish(varnish, editor, reviewer):
    trial = Trial.objects.live().select_related("therapy").first()
    unrelated = Therapy.objects.live().exclude(pk=trial.therapy_id).first()
    pages = [f"/trials/{trial.slug}/", f"/therapies/{trial.therapy.slug}/", "/trials/", f"/therapies/{unrelated.slug}/"]
    for page in pages:
        get(varnish, page)
        assert get(varnish, page)[0] == "HIT"
    publish(editor, reviewer, trial, summary="Published through Varnish.")
    assert get(varnish, f"/therapies/{unrelated.slug}/")[0] == "HIT"
    for page in pages[:3]:
        assert get(varnish, page)[0] == "MISS", page
    assert "Published through Varnish." in get(varnish, pages[0])[1]


def test_purges_missed_while_varnish_was_unreachable_are_sent_when_it_answers(varnish, settings, editor, reviewer):
    path = Forwarder(varnish.port)  # the site's way to Varnish, which we cut
    settings.FRONTEND_CACHE_URLS = [path.url]
    trial = Trial.objects.live().first()
    url = f"/trials/{trial.slug}/"
    get(varnish, url)
    publish(editor, reviewer, trial, summary="Published while Varnish was unreachable.")  # commits regardless
    assert FrontendPurge.objects.get().sent_at is None
    assert "Published while Varnish was unreachable." not in get(varnish, url)[1]  # Varnish still has the old page
    path.up()
    FrontendPurge.objects.update(next_attempt_at=timezone.now())  # the backoff has passed
    call_command("send_frontend_purges", stdout=open("/dev/null", "w"))
    path.down()
    assert FrontendPurge.objects.get().sent_at is not None
    assert "Published while Varnish was unreachable." in get(varnish, url)[1]


def test_with_the_page_cache_down_varnish_serves_every_page_and_keeps_none(varnish, settings):
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.test_page_cache_bounds.FlakyCache",
                                                   "LOCATION": "down"}}
    settings.PAGE_CACHE_ALIAS = "down"
    from .test_page_cache_bounds import FlakyCache

    FlakyCache.mode = "down"
    try:
        for url in ("/", "/therapies/", "/therapies/ocrelizumab/", "/trials/", "/api/v1/therapies/"):
            for _ in range(2):
                assert get(varnish, url)[0] == "MISS", url  # served (urlopen raises on an error status)
    finally:
        FlakyCache.mode = "ok"
        caching._debt.owed = False


def test_varnish_refuses_purges_from_outside_its_acl(varnish):
    url = "/therapies/ocrelizumab/"
    get(varnish, url)
    therapy = Therapy.objects.get(slug="ocrelizumab")
    outsider = http.client.HTTPConnection("127.0.0.1", varnish.port, timeout=10, source_address=("127.0.0.2", 0))
    outsider.request("PURGE", "/", headers={"xkey-purge": f"therapy:{therapy.pk}"})
    assert outsider.getresponse().status == 403
    assert get(varnish, url)[0] == "HIT"


def test_varnish_keeps_no_page_the_site_did_not_mark_public(varnish):
    for url in ("/therapies/no-such-therapy/", "/therapies/?page=junk", "/healthz"):
        for _ in range(2):
            try:
                assert get(varnish, url)[0] == "MISS", url
            except urllib.error.HTTPError as error:  # the 404
                assert error.headers["X-Cache"] == "MISS", url
