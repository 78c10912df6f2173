"""The public page cache: `@public_page` on a public GET view, invalidated by publishing.

What a page depends on in its URL is declared: `@public_page(params=("route", "page"))`. The key holds
the path and only those parameters, and the view is handed a request whose GET holds only those, so
it cannot read what the key leaves out: `/therapies/?x=1` is the same entry as `/therapies/` (once,
every distinct query string was a new hour-long entry: one client added 666 in 20 s). A view that
finds a declared parameter's value invalid (a page number that is not one, an unknown filter, a
search that matches nothing) calls `refuse_to_store(request)`: junk values are answered, never kept.

How it stays correct across several app servers (docs/PERFORMANCE.md has the full story):

* One cache for every server: Django's cache framework, Redis when CACHE_URL is set.
* One global *content version* in that cache. Publishing, unpublishing and confirming a
  review raise it (a `content_published` receiver, connected in apps.py), so every
  server's next request misses and renders the new content. Nothing is deleted: an
  entry stored under an older version is simply never served again, and is overwritten.
* Each stored page carries the version read *before* its view ran. A page rendered while
  a publish was committing is stored under the old version and so never served: no stale
  page can be stored under a new version.
* The version key never expires. If it is lost anyway (Redis restarted or evicted it),
  a fresh version is started from the clock, so pages stored before can never match it.
* If the cache cannot record a publish, pages are served uncached until it can, never stale.
  A full Redis (maxmemory with `noeviction`) refuses the raise but still deletes: the version key is
  deleted, and with no version to read every page is rendered uncached until a fresh one can be
  written. A Redis that cannot be reached at all leaves this process owing the raise: it is paid
  before this process next uses the cache. So is one after any failed lookup (Redis was down; a
  publish elsewhere may have failed to record), so a Redis that comes back holding pages from
  before is never trusted until its version has moved on. README "Redis" gives the settings.
* A cache hit costs no database query. Each process also keeps the pages it served last in its
  own memory (`_recent`, checked against the shared version on every request), so a hit usually
  costs one small cache read (the version) instead of carrying the whole page from Redis.

Never served from the cache, and never stored:
* anything but GET/HEAD, and HEAD is only served, never stored;
* requests carrying a session cookie — editors are logged in, and logged-in pages may differ.
  Checking for the cookie costs nothing; `request.user.is_authenticated` would load the
  session from the database on every request (and an anonymous reader has no session cookie);
* requests carrying a messages cookie (a flash message is to be shown once, to one reader);
* query strings longer than MAX_QUERY_STRING (junk URLs must not fill the cache);
* responses that set a cookie, touch the session or vary on Cookie;
* responses that hold a CSRF token: the view called `get_token()`, so the page carries one reader's
  token (and CsrfViewMiddleware is about to set that reader's cookie);
* responses other than 200 and 301.

Previews are admin views (never decorated) and need a session cookie anyway.

CSRF tokens: no cached page carries one. The "Suggest a correction" form on every content page is
rendered without a token (seo_tags.correction_form) and posts to a never-cached URL that checks the
post is same-origin instead (site/corrections.py). A page that does hold a token is rendered for
each reader and never stored. (Until issue 10 this module swapped tokens for a placeholder in the
stored copy and put each reader's own token back on the way out; no page ever had a token for it
to swap, so that machinery was removed; docs/PERFORMANCE.md says why.)

Every decorated response, cached or not, carries ETag and Last-Modified and is answered
with 304 Not Modified when the browser's copy is current.
"""

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

logger = logging.getLogger(__name__)

VERSION_KEY = "msinfo:page-cache:content-version"
PAGE_KEY_PREFIX = "msinfo:page:"
MAX_QUERY_STRING = 512
CACHEABLE_STATUS = frozenset({200, 301})
RECENT_PAGES = 300  # per process
RECENT_PAGE_MAX_BYTES = 1024 * 1024
# Response headers worth keeping with a stored page (the rest are added per request by middleware).
STORED_HEADERS = ("Content-Type", "Location", "Content-Language")


class _RecentPages:
    """This process's most recently served pages: a small LRU in front of the shared cache.

    Never trusted on its own: an entry is served only if it carries the current shared version,
    which is read from the shared cache on every request.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, version) -> tuple | None:
        with self.lock:
            stored = self.pages.get(key)
            if stored is None or stored[0] != version:
                return None
            self.pages.move_to_end(key)
            return stored

    def put(self, key: str, stored: tuple) -> None:
        if len(stored[2]) > RECENT_PAGE_MAX_BYTES:
            return
        with self.lock:
            self.pages[key] = stored
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


_recent = _RecentPages(RECENT_PAGES)


class _Debt:
    """Whether this process may have missed recording a publish in the shared cache (see the docstring)."""

    owed = False


_debt = _Debt()


class NoContentVersion(Exception):
    """The cache holds no content version and cannot take a fresh one (it is full): serve uncached."""


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def page_cache_enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", True)


def _fresh_version() -> int:
    """A version no earlier page can carry: the clock in microseconds (counters only go up from here)."""
    return time.time_ns() // 1000


def current_version() -> int:
    """The content version, starting a fresh one if the key is missing; raises if there is none to be had."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    if version is None:
        raise NoContentVersion("the page cache holds no content version")
    return version


def _raise_version() -> None:
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing: a fresh version is newer than anything stored
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def bump_content_version(**_signal_kwargs) -> None:
    """Invalidate every cached page on every server (receiver of signals.content_published).

    A cache failure must not undo a committed publish, nor leave readers the old pages: see the
    module docstring for what happens instead.
    """
    try:
        _raise_version()
    except Exception:
        logger.exception("Could not raise the page-cache content version; deleting it so pages go uncached")
        _debt.owed = True
        try:
            _cache().delete(VERSION_KEY)  # a full Redis still deletes: no version, so nothing is served from it
        except Exception:
            logger.exception("The page cache is unreachable; this process raises the version when it is back")


def _pay_debt() -> None:
    """Raise the version this process may owe before trusting the cache again; raises while it still can't."""
    if _debt.owed:
        _raise_version()
        _debt.owed = False
        logger.warning("Page cache reachable again: content version raised, so no page from before is served")


def declared_query(query: QueryDict, params: Iterable[str]) -> QueryDict:
    """Only the declared parameters of `query`, each with all its values in their order."""
    kept = QueryDict(mutable=True)
    for name in params:
        values = query.getlist(name)
        if values:
            kept.setlist(name, values)
    kept._mutable = False
    return kept


def page_key(request: HttpRequest) -> str:
    """Scheme, host, path and the request's GET (only the declared parameters, once public_page has run),
    hashed to a fixed length."""
    query = urlencode([(name, value) for name, values in request.GET.lists() for value in values])
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return PAGE_KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def refuse_to_store(request: HttpRequest) -> None:
    """The view found a declared parameter's value invalid: answer it, but keep no copy (no cache flooding)."""
    request.page_cache_refused = True


def _bypasses_cache(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in cookies
        or getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in cookies
        or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if request.method != "GET" or response.status_code not in CACHEABLE_STATUS or response.streaming:
        return False
    if getattr(request, "page_cache_refused", False):
        return False  # an answer to junk input
    if response.cookies:
        return False  # a per-reader cookie (a message, a preference) must never be shared
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # get_token() ran: the page holds this reader's CSRF token, and their cookie follows
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False  # SessionMiddleware would add Vary: Cookie
    vary = response.get("Vary", "").lower()
    cache_control = response.get("Cache-Control", "").lower()
    return "cookie" not in vary and not any(word in cache_control for word in ("private", "no-store"))


def _conditional(request: HttpRequest, response: HttpResponse, etag: str, last_modified: float) -> HttpResponse:
    """Set the validators and answer 304 when the browser's copy is current."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if not response.has_header("Cache-Control"):
        # Browsers keep the page but ask again each time (a cheap 304), so a publish shows at once.
        patch_cache_control(response, no_cache=True)
    return get_conditional_response(request, etag=etag, last_modified=int(last_modified), response=response)


def _etag_of(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


def _from_stored(stored: tuple) -> tuple[HttpResponse, str, float]:
    _version, status, content, headers, etag, rendered_at = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response, etag, rendered_at


def _lookup(key: str) -> tuple[int, tuple | None]:
    """The current content version, and the page stored under `key` for it (None on a miss).

    This process's recent copy first, then the shared cache; raises if the shared cache is down or full.
    """
    _pay_debt()
    version = current_version()
    stored = _recent.get(key, version)
    if stored is None:
        stored = _cache().get(key)
        if stored is None or stored[0] != version:
            return version, None
        _recent.put(key, stored)
    return version, stored


def _store(request: HttpRequest, response: HttpResponse, key: str, version: int, etag: str, rendered_at: float) -> None:
    """Share the page with the next readers, under the version read before the view ran."""
    headers = [(name, response[name]) for name in STORED_HEADERS if response.has_header(name)]
    stored = (version, response.status_code, response.content, headers, etag, rendered_at)
    try:
        _cache().set(key, stored, timeout=settings.PAGE_CACHE_SECONDS)
        _recent.put(key, stored)
    except Exception:
        logger.exception("Could not store %s in the page cache", request.path)
    response["X-Page-Cache"] = "miss"


def _answer(request: HttpRequest, response: HttpResponse, etag: str, rendered_at: float) -> HttpResponse:
    """A redirect as it is; a page with its validators, or 304 when the browser's copy is current."""
    if response.status_code != 200:
        return response
    return _conditional(request, response, etag, rendered_at)


def public_page(
    view: Callable[..., HttpResponse] | None = None, *, params: Iterable[str] = ()
) -> Callable[..., HttpResponse]:
    """Cache a public, anonymous GET view in the shared page cache (see the module docstring).

    `params`: the query parameters the view reads. The view sees only these; the rest of the query
    string is dropped, from the request and from the cache key. `@public_page` alone declares none.
    """
    if view is None:
        return functools.partial(public_page, params=params)
    params = tuple(params)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.GET = declared_query(request.GET, params)
        use_cache = page_cache_enabled() and not _bypasses_cache(request)
        key = page_key(request) if use_cache else ""
        version = stored = None
        if use_cache:
            try:
                version, stored = _lookup(key)
            except Exception:
                logger.exception("Page cache unavailable; rendering %s uncached", request.path)
                _debt.owed = True  # a publish may have failed to record meanwhile: raise the version once back
                use_cache = False
        if stored is not None:
            response, etag, rendered_at = _from_stored(stored)
            response["X-Page-Cache"] = "hit"
            return _answer(request, response, etag, rendered_at)

        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()  # TemplateResponse: the content is needed for the ETag
        if response.streaming:
            return response
        rendered_at = time.time()
        etag = _etag_of(response.content)
        if use_cache and _storable(request, response):
            _store(request, response, key, version, etag, rendered_at)
        elif request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            patch_cache_control(response, private=True)
        return _answer(request, response, etag, rendered_at)

    wrapper.public_page = True
    wrapper.page_params = params
    return wrapper
