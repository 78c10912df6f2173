"""Purging the front cache on publish through the outbox (therapies/editorial/frontend_cache.py, issue 16)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from therapies import workflow
from therapies.editorial import frontend_cache
from therapies.models import FrontendPurge, Trial
from therapies.site import caching, page_versions

from .frontend_helpers import PurgeRecorder, free_port
from .test_page_cache_bounds import flaky  # noqa: F401  the cache that can be full or down
from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder():
    recorder = PurgeRecorder()
    yield recorder
    recorder.close()


def publish_trial(editor, reviewer, capture, summary="Republished for the purge tests.") -> Trial:
    trial = Trial.objects.live().first()
    change = approved_change(editor, reviewer, trial, summary=summary)
    with capture(execute=True):
        workflow.publish(change_request=change, user=reviewer)
    return trial


def test_nothing_is_queued_without_front_caches(settings, editor, reviewer, django_capture_on_commit_callbacks):
    settings.FRONTEND_CACHE_URLS = []
    publish_trial(editor, reviewer, django_capture_on_commit_callbacks)
    assert not FrontendPurge.objects.exists()


def test_a_publish_purges_its_keys_from_every_front_cache_after_the_commit(
    settings, recorder, editor, reviewer, django_capture_on_commit_callbacks
):
    second = PurgeRecorder()
    settings.FRONTEND_CACHE_URLS = [recorder.url, second.url]
    try:
        trial = publish_trial(editor, reviewer, django_capture_on_commit_callbacks)
    finally:
        second.close()
    for front in (recorder, second):
        assert [(method, path) for method, path, _ in front.purges] == [("PURGE", "/")]
        assert {f"trial:{trial.pk}", f"links:therapy:{trial.therapy_id}", "list:trial"} <= front.keys()
    assert FrontendPurge.objects.filter(sent_at__isnull=False).count() == 2


def test_the_page_cache_records_a_publish_before_the_front_cache_is_purged(
    settings, editor, reviewer, django_capture_on_commit_callbacks
):
    """Else the front cache, refetching the purged page, could get the old one from the page cache."""
    settings.PAGE_CACHE = True
    trial = Trial.objects.live().first()
    stamp = page_versions.stamp_key(f"trial:{trial.pk}")
    before = cache.get(stamp)
    recorder = PurgeRecorder(on_purge=lambda: cache.get(stamp))
    settings.FRONTEND_CACHE_URLS = [recorder.url]
    try:
        publish_trial(editor, reviewer, django_capture_on_commit_callbacks)
    finally:
        recorder.close()
        cache.clear()
    assert recorder.seen and recorder.seen[0] is not None and recorder.seen[0] != before


def test_a_front_cache_that_is_down_does_not_stop_the_publish_and_gets_the_purge_when_back(
    settings, editor, reviewer, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens here yet: the front cache is down
    settings.FRONTEND_CACHE_URLS = [f"http://127.0.0.1:{port}/"]
    trial = publish_trial(editor, reviewer, django_capture_on_commit_callbacks, summary="Published while down.")
    trial.refresh_from_db()
    assert trial.summary == "Published while down."  # committed
    row = FrontendPurge.objects.get()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > timezone.now()  # backing off
    assert frontend_cache.send_pending() == 0  # not due yet
    FrontendPurge.objects.update(next_attempt_at=timezone.now())  # as cron finds it a little later
    assert frontend_cache.send_pending() == 0  # still down: kept, and backing off further
    assert FrontendPurge.objects.get().attempts == 2
    recorder = PurgeRecorder()
    try:
        FrontendPurge.objects.update(url=recorder.url, next_attempt_at=timezone.now())  # back (on a new port)
        call_command("send_frontend_purges", stdout=open("/dev/null", "w"))
    finally:
        recorder.close()
    assert f"trial:{trial.pk}" in recorder.keys()
    assert FrontendPurge.objects.get().sent_at is not None


def test_a_purge_older_than_the_pages_it_names_is_dropped_unsent(settings, recorder):
    settings.FRONTEND_CACHE_URLS = [recorder.url]
    frontend_cache.queue({"therapy:1"})
    FrontendPurge.objects.update(created_at=timezone.now() - timedelta(seconds=settings.PAGE_CACHE_SECONDS + 1))
    assert frontend_cache.send_pending() == 0
    assert recorder.purges == []
    assert FrontendPurge.objects.get().sent_at is not None


def test_a_sent_purge_is_not_sent_again(settings, recorder):
    settings.FRONTEND_CACHE_URLS = [recorder.url]
    rows = frontend_cache.queue({"therapy:1"})
    assert frontend_cache.deliver(rows) == 1
    assert frontend_cache.deliver(rows) == 0 and frontend_cache.send_pending() == 0
    assert len(recorder.purges) == 1


def test_many_keys_are_split_into_headers_a_front_cache_accepts():
    keys = " ".join(f"therapy:{n}" for n in range(2000))
    chunks = frontend_cache.header_chunks(keys)
    assert len(chunks) > 1 and all(len(chunk) <= frontend_cache.MAX_HEADER_CHARS for chunk in chunks)
    assert " ".join(chunks).split() == keys.split()


def test_with_the_page_cache_down_a_publish_commits_and_still_purges(
    settings, flaky, recorder, editor, reviewer, django_capture_on_commit_callbacks  # noqa: F811
):
    settings.FRONTEND_CACHE_URLS = [recorder.url]
    flaky.mode = "down"
    trial = publish_trial(editor, reviewer, django_capture_on_commit_callbacks, summary="Published, Redis down.")
    assert f"trial:{trial.pk}" in recorder.keys()
    assert caching._debt.owed  # the page cache starts a fresh epoch when it is back


def test_a_front_cache_address_that_is_not_http_is_reported_at_startup(settings):
    from msinfo.checks import check_frontend_cache_urls

    settings.FRONTEND_CACHE_URLS = ["varnish:6081"]
    assert [error.id for error in check_frontend_cache_urls()] == ["msinfo.E002"]
    settings.FRONTEND_CACHE_URLS = ["http://127.0.0.1:6081/"]
    assert check_frontend_cache_urls() == []
