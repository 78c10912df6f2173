"""The public page cache: `@public_page` on a public GET view, invalidated by publishing.

What a page depends on in its URL is declared: `@public_page(params=("route", "page"))`. The key holds
the path and only those parameters, and the view is handed a request whose GET holds only those, so
it cannot read what the key leaves out: `/therapies/?x=1` is the same entry as `/therapies/` (once,
every distinct query string was a new hour-long entry: one client added 666 in 20 s). A view that
finds a declared parameter's value invalid (a page number that is not one, an unknown filter, a
search that matches nothing) calls `refuse_to_store(request)`: junk values are answered, never kept.

What each page shows is recorded (issue 16): a view names the content it reads with
`shows(request, therapy, trials)`, and the whole kinds it lists with `@public_page(depends=(Trial,))`
(keys from models/page_keys.py). A view that names nothing depends on every kind, so any publish
misses it. How it stays correct across several app servers (page_versions.py has the rules,
docs/PERFORMANCE.md the full story):

* One cache for every server: Django's cache framework, Redis when CACHE_URL is set.
* A content version and a stamp per key in that cache. A publish raises the version and stamps the
  keys it touches (a `content_published` receiver, connected in apps.py); a stored page is served
  only while none of its keys is stamped after the version it was rendered under. Nothing is
  deleted: a stale entry is never served again, and is overwritten.
* A page rendered while a publish was committing is never served from here: it carries the version
  read before its view ran, older than the stamps the publish writes. If those stamps are already
  written when the render ends (its stamps are read again then), it is not stored either, and goes
  out `no-cache`, so the front cache does not keep it.
* A cache hit costs no database query and one `get_many` (the version and the page's stamps). Each
  process keeps the pages it served last in its own memory (`_recent`), checked the same way on every
  request, so a hit usually costs that one small read instead of carrying the whole page from Redis.

The front cache (Varnish, deploy/varnish/msinfo.vcl) keeps what this cache keeps: a stored page goes
out with `Cache-Control: public, max-age=0, s-maxage=<PAGE_CACHE_SECONDS>` and its keys in an `xkey`
header, and a publish purges those keys there (editorial/frontend_cache.py). Anything else goes out
`no-cache` (or `private`, signed in), so the front cache keeps nothing this cache would not.

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
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from ..models.page_keys import every_list_key, keys_of
from .page_versions import (  # noqa: F401  VERSION_KEY, _debt, current_version: what tests and callers name here
    VERSION_KEY,
    NoContentVersion,
    _debt,
    add_stamps,
    current_version,
    is_current,
    newer_stamps,
    page_cache,
    pay_debt,
    record_publish,
    stamp_key,
)

logger = logging.getLogger(__name__)

PAGE_KEY_PREFIX = "msinfo:page:"
MAX_QUERY_STRING = 512
CACHEABLE_STATUS = frozenset({200, 301})
RECENT_PAGES = 300  # per process
RECENT_PAGE_MAX_BYTES = 1024 * 1024
# Response headers worth keeping with a stored page (the rest are added per request by middleware).
STORED_HEADERS = ("Content-Type", "Location", "Content-Language")
# A stored page: (version, status, content, headers, etag, rendered_at, keys)
STORED_FIELDS = 7


class _RecentPages:
    """This process's most recently served pages: a small LRU in front of the shared cache.

    Never trusted on its own: an entry is served only if it is current against the shared version and
    stamps, which are read from the shared cache on every request.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self.lock:
            stored = self.pages.get(key)
            if stored is not None:
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


def page_cache_enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", True)


def bump_content_version(*, keys: Iterable[str] | None = None, **_signal_kwargs) -> None:
    """Receiver of signals.content_published: invalidate the pages showing `keys` (the keys the publish
    touched, computed in its transaction), or every page when none are given (generate_content)."""
    record_publish(keys)


def shows(request: HttpRequest, *items) -> None:
    """Record what this page shows: rows, content models or kinds (whole kinds), keys, or iterables of these."""
    if not getattr(request, "page_keys_wanted", True):
        return  # the page will not be stored: its rows need not be read (they may be LazyRows)
    request.page_keys = getattr(request, "page_keys", set()) | keys_of(*items)


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


# Django's session keys: 32 lower-case letters and digits. Any other value names no session, so it is no reason to
# bypass the caches (issue 23, I1: `sessionid=junk` made every request a miss); Varnish checks the same shape.
_SESSION_KEY = re.compile(r"[a-z0-9]{32}")


def signed_in_cookie(request: HttpRequest) -> bool:
    """The request carries a well-formed session key (it may be a signed-in reader's)."""
    return bool(_SESSION_KEY.fullmatch(request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")))


def _bypasses_cache(request: HttpRequest) -> bool:
    """After public_page dropped the undeclared parameters: only the declared query counts towards the limit, so
    a long junk query string is served from the cache (issue 23, I1), and a long declared one is not kept."""
    return (
        request.method not in ("GET", "HEAD")
        or signed_in_cookie(request)
        or getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in request.COOKIES
        or len(request.GET.urlencode()) > MAX_QUERY_STRING
    )


def canonical_request(request: HttpRequest, dropped: bool) -> bool:
    """The request spells the page's address one way only: no undeclared parameter was dropped, and its host is
    written lower case, without a trailing dot, and with no port or the port of SITE_URL. Only such an answer
    may be kept by a front cache: any other spelling would be one more copy of the page (issue 23, N3)."""
    host = request.META.get("HTTP_HOST", "")
    if dropped or host != host.lower() or host.split(":", 1)[0].endswith("."):
        return False
    return ":" not in host or host == urlsplit(settings.SITE_URL).netloc.lower()


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


def _shared(response: HttpResponse, keys: Iterable[str]) -> None:
    """Let a front cache keep this page until a publish purges one of its keys."""
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.PAGE_CACHE_SECONDS}"
    if keys:
        response["xkey"] = " ".join(sorted(keys))


def _conditional(request: HttpRequest, response: HttpResponse, etag: str, last_modified: float) -> HttpResponse:
    """Set the validators and answer 304 when the browser's copy is current."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if not response.has_header("Cache-Control"):
        # Browsers keep the page but ask again each time (a cheap 304), so a publish shows at once;
        # a front cache keeps nothing this cache did not keep.
        patch_cache_control(response, no_cache=True)
    return get_conditional_response(request, etag=etag, last_modified=int(last_modified), response=response)


def _etag_of(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


def _from_stored(stored: tuple, shared: bool) -> tuple[HttpResponse, str, float]:
    _version, status, content, headers, etag, rendered_at, keys = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    if shared:
        _shared(response, keys)
    return response, etag, rendered_at


def _lookup(key: str) -> tuple[int, tuple | None]:
    """The current content version, and the page stored under `key` if it is current (None on a miss).

    This process's recent copy first, then the shared cache; one get_many for the version and the
    recent copy's stamps. Raises if the shared cache is down or full.
    """
    pay_debt()
    cache = page_cache()
    stored = _recent.get(key)
    wanted = [VERSION_KEY] + ([stamp_key(k) for k in stored[6]] if stored else [key])
    found = cache.get_many(wanted)
    version = current_version(found.get(VERSION_KEY))
    if stored is None:
        stored = found.get(key)
        if stored is None or len(stored) != STORED_FIELDS:
            return version, None
        found = cache.get_many([stamp_key(k) for k in stored[6]])
        if not is_current(stored[0], stored[6], version, found):
            return version, None
        _recent.put(key, stored)
        return version, stored
    return version, stored if is_current(stored[0], stored[6], version, found) else None


def _store(request: HttpRequest, response: HttpResponse, key: str, version: int, etag: str, rendered_at: float,
           keys: frozenset[str]) -> bool:
    """Share the page with the next readers, under the version read before the view ran, unless a publish
    touched what it shows while it rendered. Whether it may be shared (kept by a front cache too)."""
    try:
        touched, unstamped = newer_stamps(keys, version)
        if touched:
            return False  # rendered from content a publish replaced meanwhile: neither cache may keep it
        add_stamps(unstamped, version)
        headers = [(name, response[name]) for name in STORED_HEADERS if response.has_header(name)]
        stored = (version, response.status_code, response.content, headers, etag, rendered_at, keys)
        page_cache().set(key, stored, timeout=settings.PAGE_CACHE_SECONDS)
        _recent.put(key, stored)
    except Exception:
        logger.exception("Could not store %s in the page cache", request.path)
        return False
    response["X-Page-Cache"] = "miss"
    return True


def _answer(request: HttpRequest, response: HttpResponse, etag: str, rendered_at: float) -> HttpResponse:
    """A redirect as it is; a page with its validators, or 304 when the browser's copy is current."""
    if response.status_code != 200:
        return response
    return _conditional(request, response, etag, rendered_at)


def public_page(
    view: Callable[..., HttpResponse] | None = None, *, params: Iterable[str] = (), depends: Iterable | None = None
) -> Callable[..., HttpResponse]:
    """Cache a public, anonymous GET view in the shared page cache (see the module docstring).

    `params`: the query parameters the view reads. The view sees only these; the rest of the query
    string is dropped, from the request and from the cache key. `@public_page` alone declares none.
    `depends`: the content models (whole kinds) or keys every response of the view shows; the view adds
    the rows it shows with `shows()`. A view that names nothing depends on every kind.
    """
    if view is None:
        return functools.partial(public_page, params=params, depends=depends)
    params = tuple(params)
    static_keys = frozenset(keys_of(depends)) if depends is not None else None

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        declared = declared_query(request.GET, params)
        shareable = canonical_request(request, dropped=len(declared) != len(request.GET))
        request.GET = declared
        use_cache = page_cache_enabled() and not _bypasses_cache(request)
        key = page_key(request) if use_cache else ""
        version = stored = None
        if use_cache:
            try:
                version, stored = _lookup(key)
            except Exception:
                logger.exception("Page cache unavailable; rendering %s uncached", request.path)
                _debt.owed = True  # a publish may have failed to record meanwhile: a fresh epoch once back
                use_cache = False
        if stored is not None:
            response, etag, rendered_at = _from_stored(stored, shareable)
            response["X-Page-Cache"] = "hit"
            return _answer(request, response, etag, rendered_at)

        request.page_keys, request.page_keys_wanted = set(), use_cache
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()  # TemplateResponse: the content is needed for the ETag
        if response.streaming:
            return response
        rendered_at = time.time()
        etag = _etag_of(response.content)
        keys = frozenset(request.page_keys | (static_keys if static_keys is not None else set()))
        if static_keys is None and not request.page_keys:
            keys = frozenset(every_list_key())
        if use_cache and _storable(request, response):
            if _store(request, response, key, version, etag, rendered_at, keys) and shareable:
                _shared(response, keys)
        elif request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            patch_cache_control(response, private=True)
        return _answer(request, response, etag, rendered_at)

    wrapper.public_page = True
    wrapper.page_params = params
    return wrapper
