"""Rendered parts of a public page kept per process, keyed by exactly the content they show (issue 16).

The page cache keeps whole pages, and a publish makes them render again. Most of what a therapy
page renders — its Markdown sections, 40 trial cards, the risk table, the sources, the history —
has not changed in that publish. A page's `PageFragments` names what its fragments show: the page's
own row and the querysets of the rows it lists. Their stamp is one query, the (id, live revision,
last published) of each of those rows; a publish of the page or of anything it shows changes a
live revision, a publish time, or which rows are live, and so the stamp. `{% page_fragment %}`
(therapies_tags) serves a fragment rendered under the same stamp, and only on a miss does the view's
`load` run the queries that rendering needs. Nothing is ever invalidated: an old stamp is never
asked for again and falls out of the LRU.

Kept in each process's memory, never in the shared cache: a fragment is text the same templates
always render from the same rows, and after a deploy (new templates) every process starts empty.
Entries also expire after PAGE_CACHE_SECONDS, so a change made outside publishing (a lookup table
edited in the admin) shows as soon as it does on a cached page.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models

MAX_FRAGMENTS = 1_000  # two per page: 500 therapy pages' fragments, a few MB per process


class FragmentStore:
    """A small thread-safe LRU of rendered HTML with an expiry."""

    def __init__(self, max_entries: int = MAX_FRAGMENTS) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key: str, html: str) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + settings.PAGE_CACHE_SECONDS, html)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


store = FragmentStore()


def shown_rows(queryset: models.QuerySet, via: str = "") -> models.QuerySet:
    """`queryset` reduced to what a stamp needs of each row, or of the row it links to (`via="risk__"`).

    A revision id belongs to one object, and every publish sets last_published_at (seed rows have no
    revision), so the stamps of two different sets of rows never match."""
    return queryset.order_by().values_list("pk", f"{via}live_revision_id", f"{via}last_published_at")


class StampQuery:
    """What one kind of page shows besides its own row: querysets of rows, given the page's id, each reduced
    by `shown_rows`. Their union is one query, compiled once per process and database: only the page's id
    changes from one request to the next, and building and compiling six querysets on every request was
    half of what a page served from its fragments cost."""

    PLACEHOLDER = -739_391_017  # stands for the page's id while compiling; no row has a negative id

    def __init__(self, shows: Callable[[int], list[models.QuerySet]]) -> None:
        self.shows = shows
        self._compiled: dict[str, tuple[str, tuple]] = {}

    def rows(self, pk: int, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        compiled = self._compiled.get(using)
        if compiled is None:
            first, *others = self.shows(self.PLACEHOLDER)
            union = first.union(*others, all=True) if others else first
            compiled = self._compiled[using] = union.query.get_compiler(using).as_sql()
        sql, params = compiled
        if self.PLACEHOLDER not in params:
            raise ValueError("A StampQuery's querysets must filter on the page's id.")
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [pk if value == self.PLACEHOLDER else value for value in params])
            return cursor.fetchall()


class PageFragments:
    """What one page's fragments show, and how to load what they need when one must be rendered."""

    def __init__(self, page: models.Model, *, shows: StampQuery, load: Callable[[], None]) -> None:
        self.page = page
        self.shows = shows
        self._load = load
        self._loaded = False
        self._stamp: str | None = None

    @property
    def stamp(self) -> str:
        if self._stamp is None:
            page = self.page
            parts = [page._meta.label_lower, page.pk, page.live_revision_id, page.last_published_at,
                     page.last_reviewed_at, *sorted(self.shows.rows(page.pk), key=repr)]
            self._stamp = hashlib.sha256(repr(parts).encode()).hexdigest()
        return self._stamp

    def key(self, name: str) -> str:
        return f"{name}:{self.stamp}"

    def load(self) -> None:
        """Run the view's queries for rendering, once, the first time a fragment misses."""
        if not self._loaded:
            self._loaded = True
            self._load()


class LazyRows(Sequence):
    """A list computed the first time anyone reads it: a page's rows that only its fragments show, so that a
    fragment served from the store costs no query for them."""

    def __init__(self, compute: Callable[[], list]) -> None:
        self._compute = compute
        self._rows: list | None = None

    @property
    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self._compute())
        return self._rows

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)
