"""When a cached page is still current: the content version and a stamp per key (issue 16).

The page cache (caching.py) stores each page with the *content version* read before its view ran
and the keys of what it shows (models/page_keys.py: `therapy:12`, `list:trial`). A publish raises
the version and stamps each key it touches with the raised value. A stored page is current while
no key it shows carries a stamp newer than the version it was rendered under. So:

* a publish of one trial misses only the pages showing that trial, its therapy, or the trials as a
  whole; every other page stays a hit;
* a page rendered while a publish was committing started under an older version than the stamps
  the publish writes after its commit, so it is never served (the race a "delete on publish"
  design has);
* checking costs one `get_many` (the version and the page's stamps) per hit.

The version is `epoch << 20 | counter`. Publishing counts up within an epoch; a fresh epoch (from
the clock, in milliseconds) invalidates every page at once, and a page is served only under the
epoch it was stored in. A fresh epoch is started when the version key is lost (Redis restarted or
evicted it), when generate_content replaced the content, and when a process owed a publish it could
not record. A stamp that is missing (evicted) counts as newer than any page: a page whose stamp is
gone is rendered again, and the store that follows writes the stamp back at its own version.

If the cache cannot record a publish, pages are served uncached until it can, never stale. A full
Redis (maxmemory with `noeviction`) refuses the raise but still deletes: the version key is deleted,
and with no version to read every page is rendered uncached until a fresh epoch can be written. A
Redis that cannot be reached at all leaves this process owing the publish: it starts a fresh epoch
before it next uses the cache. So does a process after any failed lookup (Redis was down; a publish
elsewhere may have failed to record), so a Redis that comes back holding pages from before is never
trusted until its epoch has moved on. README "Redis" gives the settings.
"""

import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

VERSION_KEY = "msinfo:page-cache:content-version"
STAMP_PREFIX = "msinfo:page-cache:stamp:"
EPOCH_SHIFT = 20  # a million publishes per epoch; the next one starts a new epoch (every page misses once)


class _Debt:
    """Whether this process may have missed recording a publish in the shared cache (see the docstring)."""

    owed = False


_debt = _Debt()


class NoContentVersion(Exception):
    """The cache holds no content version and cannot take a fresh one (it is full): serve uncached."""


def page_cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def stamp_key(key: str) -> str:
    return STAMP_PREFIX + key


def fresh_epoch() -> int:
    """A version no page stored before can be current under: the clock in milliseconds, as an epoch."""
    return (time.time_ns() // 1_000_000) << EPOCH_SHIFT


def current_version(known=None) -> int:
    """The content version (`known`, if the caller already read it), starting a fresh epoch if the key is
    missing; raises NoContentVersion if there is none to be had."""
    if known is not None:
        return known
    cache = page_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, fresh_epoch(), timeout=None)
        version = cache.get(VERSION_KEY)
    if version is None:
        raise NoContentVersion("the page cache holds no content version")
    return version


def is_current(stored_version: int, keys: Iterable[str], version: int, stamps: dict) -> bool:
    """Whether a page rendered under `stored_version` showing `keys` may be served now."""
    if stored_version >> EPOCH_SHIFT != version >> EPOCH_SHIFT or stored_version > version:
        return False
    for key in keys:
        stamp = stamps.get(stamp_key(key))
        if stamp is None or stamp > stored_version:
            return False
    return True


def newer_stamps(keys: Iterable[str], version: int) -> tuple[bool, list[str]]:
    """After a render under `version`: whether a publish touched one of `keys` meanwhile or started a new
    epoch (the page must not be kept), and the keys that have no stamp yet."""
    stamp_keys = {stamp_key(key): key for key in keys}
    found = page_cache().get_many([VERSION_KEY, *stamp_keys])
    now = found.pop(VERSION_KEY, None)
    touched = now is None or now >> EPOCH_SHIFT != version >> EPOCH_SHIFT
    touched = touched or any(stamp > version for stamp in found.values())
    return touched, [key for name, key in stamp_keys.items() if name not in found]


def add_stamps(keys: Iterable[str], version: int) -> None:
    """Give keys that have none a stamp at `version` (never lowering one a publish wrote meanwhile)."""
    cache = page_cache()
    for key in keys:
        cache.add(stamp_key(key), version, timeout=None)


def start_fresh_epoch() -> None:
    """Invalidate every page: an epoch after the clock's and after the current one (two in one millisecond)."""
    cache = page_cache()
    current = cache.get(VERSION_KEY) or 0
    cache.set(VERSION_KEY, max(fresh_epoch(), ((current >> EPOCH_SHIFT) + 1) << EPOCH_SHIFT), timeout=None)


def _stamp(keys: set[str]) -> None:
    """Raise the version and stamp `keys` with it. Two publishes racing may write their stamps out of
    order; reading the version back and stamping again with it leaves the newest value in place."""
    cache = page_cache()
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:  # missing: a fresh epoch is newer than anything stored
        start_fresh_epoch()
        return
    cache.set_many({stamp_key(key): version for key in keys}, timeout=None)
    latest = cache.get(VERSION_KEY)
    if latest is not None and latest != version:
        cache.set_many({stamp_key(key): latest for key in keys}, timeout=None)


def record_publish(keys: Iterable[str] | None = None) -> None:
    """Invalidate the pages that show any of `keys` on every server; with no keys, every page.

    A cache failure must not undo a committed publish, nor leave readers the old pages: see the
    module docstring for what happens instead.
    """
    try:
        if keys is None:
            start_fresh_epoch()
        else:
            _stamp(set(keys))
    except Exception:
        logger.exception("Could not record a publish in the page cache; deleting its version so pages go uncached")
        _debt.owed = True
        try:
            page_cache().delete(VERSION_KEY)  # a full Redis still deletes: no version, so nothing is served from it
        except Exception:
            logger.exception("The page cache is unreachable; this process starts a fresh epoch when it is back")


def pay_debt() -> None:
    """Start the fresh epoch this process may owe before trusting the cache again; raises while it still can't."""
    if _debt.owed:
        start_fresh_epoch()
        _debt.owed = False
        logger.warning("Page cache reachable again: a fresh epoch started, so no page from before is served")
