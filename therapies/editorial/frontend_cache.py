"""Purging the front cache (Varnish) on publish, through an outbox (issue 16).

A publish writes one FrontendPurge row per URL in FRONTEND_CACHE_URLS (empty by default: nothing to
purge) in its own transaction, naming the page keys it touched (models/page_keys.py). Right after the
commit, once the page cache has recorded the publish (so a refetch by the front cache cannot get the
old page from it), the rows are sent: `PURGE <url>` with the header `xkey-softpurge: <keys>`, which
deploy/varnish/msinfo.vcl accepts from localhost only and hands to the xkey module.

A soft purge (issue 27): the pages stay in Varnish, expired. The first reader after the publish gets
the old page at once while Varnish fetches the new one in the background, and so does every reader
until it arrives (the time one render takes) — for at most the grace msinfo.vcl allows a purged page
(2 s), after which readers wait for the new page rather than see the old one any longer. A hard purge
made every reader of a purged page wait in line for its render (a p99 of 1.2 s in a publish storm).

A front cache that is down never undoes a publish: the failure is logged, the row is kept, and
`manage.py send_frontend_purges` (cron, every minute) retries it with backoff, so the purge arrives
when the front cache answers again. A row older than PAGE_CACHE_SECONDS is dropped unsent: every page
it names has expired from the front cache by then. Senders claim rows with `SELECT … FOR UPDATE SKIP
LOCKED`, like the email outbox, so the on-commit attempt and cron on every app server never send one
purge twice at once.
"""

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import FrontendPurge

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2
MAX_BACKOFF_SECONDS = 300
CLAIM_BATCH = 50
PURGE_HEADER = "xkey-softpurge"  # xkey.softpurge in msinfo.vcl: expire the pages, keep them for the grace
MAX_HEADER_CHARS = 4000  # well under Varnish's 8 KB header limit


def frontend_urls() -> list[str]:
    return list(getattr(settings, "FRONTEND_CACHE_URLS", []) or [])


def queue(keys: Iterable[str]) -> list[FrontendPurge]:
    """Record a purge of `keys` for every front cache, inside the caller's transaction."""
    keys = " ".join(sorted(set(keys)))
    urls = frontend_urls()
    if not keys or not urls:
        return []
    now = timezone.now()
    return FrontendPurge.objects.bulk_create([FrontendPurge(url=url, keys=keys, next_attempt_at=now) for url in urls])


def header_chunks(keys: str) -> list[str]:
    """The keys in purge headers no longer than MAX_HEADER_CHARS each."""
    chunks: list[str] = []
    current = ""
    for key in keys.split():
        if current and len(current) + 1 + len(key) > MAX_HEADER_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current} {key}" if current else key
    return chunks + ([current] if current else [])


def send_purge(url: str, keys: str) -> None:
    """One purge to one front cache; raises unless it answered 2xx to every part."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url} is not an http:// or https:// address (check msinfo.E002)")
    for chunk in header_chunks(keys):
        headers = {PURGE_HEADER: chunk}
        if settings.FRONTEND_PURGE_TOKEN:  # the secret the VCL asks for as well as the address (issue 23)
            headers["X-Purge-Token"] = settings.FRONTEND_PURGE_TOKEN
        request = urllib.request.Request(url, method="PURGE", headers=headers)  # noqa: S310  http(s) only
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  http(s) only
            if not 200 <= response.status < 300:
                raise urllib.error.HTTPError(url, response.status, response.reason, response.headers, None)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** attempts, MAX_BACKOFF_SECONDS))


def _send_claimed(rows: list[FrontendPurge]) -> int:
    sent = 0
    now = timezone.now()
    expired_before = now - timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    for row in rows:
        if row.created_at < expired_before:
            FrontendPurge.objects.filter(pk=row.pk).update(sent_at=now, last_error="dropped: its pages have expired")
            continue
        try:
            send_purge(row.url, row.keys)
        except Exception as error:  # down, refusing, timing out: keep it for the next try
            logger.error("Could not purge the front cache at %s; kept for retry: %s", row.url, error)
            FrontendPurge.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1, last_error=str(error)[:1000],
                next_attempt_at=timezone.now() + _backoff(row.attempts + 1),
            )
        else:
            FrontendPurge.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, sent_at=timezone.now(),
                                                           last_error="")
            sent += 1
    return sent


def _claimable():
    return FrontendPurge.objects.filter(sent_at__isnull=True)


def deliver(rows: list[FrontendPurge]) -> int:
    """Send the given rows that are unsent and not being sent by another sender; how many went."""
    ids = [row.pk for row in rows]
    if not ids:
        return 0
    with transaction.atomic():
        claimed = list(_claimable().filter(pk__in=ids).select_for_update(skip_locked=True).order_by("pk"))
        return _send_claimed(claimed)


def send_pending() -> int:
    """Send every unsent purge that is due (the send_frontend_purges command), each at most once per run."""
    sent, after = 0, 0
    while True:
        with transaction.atomic():
            batch = list(_claimable().filter(pk__gt=after, next_attempt_at__lte=timezone.now())
                         .select_for_update(skip_locked=True).order_by("pk")[:CLAIM_BATCH])
            if not batch:
                return sent
            sent += _send_claimed(batch)
        after = batch[-1].pk


def deliver_announced(*, purges: Iterable[FrontendPurge] = (), **_signal_kwargs) -> None:
    """Receiver of signals.content_published: send the purges the change queued in its transaction.

    Connected after the page cache's receiver and before the search index's (apps.py): the page cache
    must have recorded the change first, and a reader should not wait for the index."""
    deliver(list(purges))
