"""Site search: the index (weighted documents per kind) and the query.

What is searched, and at which weight, is each kind's `SearchDocument` in models/kinds.py
(A: names and identifiers, B: summaries, targets and courses, C: the long text); both paths
below read it, with the same weights (kinds.WEIGHTS).

PostgreSQL: each content row keeps a weighted `search_vector`, English
stemming, GIN-indexed (migration 0004). `update_index()` recomputes it; it runs
when content is published (signals.content_published, connected in apps.py) and
at the end of `load_seed`; `manage.py rebuild_search_index` rebuilds everything.
Queries are `websearch_to_tsquery` OR-ed with a prefix query (so "ocrel" and
"progr" find something), ranked with ts_rank, with highlighted snippets from
ts_headline.

SQLite (a first local run): the same interface with a case-insensitive
substring match over the same fields and a score from the same weights.

Either way exact identifiers (each kind's `identifiers`: NCT id, generic or brand
name, slug) come first, followed by the rows each kind's `follows` links to them (a
therapy's trials, then its risks), then the ranked matches; only live rows are ever
searched. Snippets are cut between words (snippets.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils.safestring import SafeString

from ..models import KINDS, ContentKind, kind_for, kind_named
from ..models.kinds import WEIGHTS, path_field
from .kind_parts import SITE
from .snippets import FRAGMENT_SEL, START_SEL, STOP_SEL, headline_snippet, plain_snippet, simple_snippet, source_text

logger = logging.getLogger(__name__)

CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_HITS_PER_MODEL = 100  # SQLite: rows scored per kind
PAGE_SIZE = 10
MAX_RESULTS = 200  # results a reader can page through; past these, a narrower search serves better
# PostgreSQL: matches ranked (and counted) per kind. Ranking reads each match's whole search
# document, so it is bounded: a word in every one of 20 000 trials would otherwise cost ~70 ms.
RANK_CANDIDATES = 2000
# The private-use characters that mark highlights in ts_headline's output (snippets.py) are dropped from queries.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\ue002]")
WORD = re.compile(r"[^\W_]+")
# ts_rank's weights in its order (D, C, B, A); nothing is weighted D.
RANK_WEIGHTS = [0.1, WEIGHTS["C"], WEIGHTS["B"], WEIGHTS["A"]]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- The documents ------------------------------------------------------------------------------


def searched_kinds() -> list[ContentKind]:
    return [kind for kind in KINDS if kind.search is not None]


def _searched(obj: models.Model) -> bool:
    try:
        return kind_for(obj).search is not None
    except LookupError:
        return False


def document(obj: models.Model) -> tuple[str, ...]:
    """The texts of one row by weight (A, B, C), from its kind's search document."""
    if not _searched(obj):
        raise TypeError(f"Not a searchable model: {type(obj).__name__}")
    return kind_for(obj).search_texts(obj)


def _weighted_vector(obj: models.Model) -> SearchVector:
    weighted = zip((letter for letter, _ in kind_for(obj).search.weighted), document(obj), strict=True)
    vectors = [SearchVector(Value(text), weight=letter, config=CONFIG) for letter, text in weighted]
    vector = vectors[0]
    for more in vectors[1:]:
        vector += more
    return vector


def _with_related(kind: ContentKind, queryset: models.QuerySet, *, prefetch: bool = True) -> models.QuerySet:
    joins, prefetches = kind.search_relations()
    if joins:
        queryset = queryset.select_related(*joins)
    if prefetch and prefetches:
        queryset = queryset.prefetch_related(*prefetches)
    return queryset


def _dependants(by_model: dict[type[models.Model], set[int]]) -> None:
    """Add the rows whose document names a changed row: a trial's names its therapy, so a therapy's change
    reaches its trials."""
    changed = {model: set(pks) for model, pks in by_model.items()}
    for kind in searched_kinds():
        for hop in kind.search_relations()[0]:
            target = kind.model._meta.get_field(hop).related_model
            if target in changed and target is not kind.model:
                pks = kind.model._default_manager.filter(**{f"{hop}__in": changed[target]}).values_list("pk", flat=True)
                by_model.setdefault(kind.model, set()).update(pks)


def update_index(objects: Iterable[models.Model], *, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute `search_vector` for these rows (PostgreSQL only; a no-op elsewhere). Returns the count.

    `progress(done, total)` is called after each row (management/progress.py shows it)."""
    if not is_postgresql():
        return 0
    by_model: dict[type[models.Model], set[int]] = {}
    for obj in objects:
        if _searched(obj):
            by_model.setdefault(type(obj), set()).add(obj.pk)
    _dependants(by_model)
    total = sum(len(pks) for pks in by_model.values())
    count = 0
    for model, pks in by_model.items():
        for row in _with_related(kind_for(model), model._default_manager.filter(pk__in=list(pks))):
            model._default_manager.filter(pk=row.pk).update(search_vector=_weighted_vector(row))
            count += 1
            if progress:
                progress(count, total)
    return count


def rebuild_index(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every row's search document. Returns how many rows were indexed."""
    rows = [row for kind in searched_kinds() for row in kind.model._default_manager.only("pk")]
    return update_index(rows, progress=progress)


def on_content_published(sender, objects: list[models.Model], action: str, **kwargs) -> None:
    """Receiver of signals.content_published: keep the index current after a publish."""
    try:
        update_index(objects)
    except Exception:  # search must never undo or block a publish that has already committed
        logger.exception("Could not update the search index after %s of %s", action, objects)


# --- The query ----------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str  # the kind's name: "therapy", "trial", "risk", ...
    obj: models.Model
    rank: float
    snippet: SafeString
    exact: bool = False
    follows: models.Model | None = None  # the exact match this row is listed after (a trial's or risk's therapy)

    @property
    def kind_label(self) -> str:
        return kind_named(self.kind).label

    @property
    def title(self) -> str:
        return str(self.obj)

    @property
    def result_partial(self) -> str:
        """The partial that shows this hit: its kind's own (site/kinds.py) or the generic one."""
        return SITE.of(kind_named(self.kind)).result_partial

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()


@dataclass
class SearchOutcome:
    query: str
    hits: list[SearchHit] = field(default_factory=list)  # the requested page's hits only
    total: int = 0  # matches counted, exact matches included
    more: bool = False  # more matched than were counted: `total` is then a lower bound
    page: int = 1
    per_page: int = PAGE_SIZE
    error: str = ""  # a message for the reader when the query could not be run

    @property
    def listed(self) -> int:
        """How many results the reader can page through (the best MAX_RESULTS at most)."""
        return min(self.total, MAX_RESULTS)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.listed // self.per_page))

    def _settle_page(self, requested: int) -> tuple[int, int]:
        """Clamp the requested page to the pages there are; the slice of the ordered results it shows."""
        self.page = min(requested, self.num_pages)
        start = (self.page - 1) * self.per_page
        return start, start + self.per_page


def clean_query(raw: str | None) -> str:
    """Drop control characters and squeeze whitespace; what remains is searched as typed."""
    return " ".join(CONTROL_CHARS.sub(" ", raw or "").split())


def page_number(raw: str | int | None) -> int:
    """A page number as typed in the URL: anything but a positive whole number means page 1."""
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def search(raw_query: str | None, page: str | int | None = 1, per_page: int = PAGE_SIZE) -> SearchOutcome:
    """One page of live content of every kind matching the query, best first.

    Exact identifier matches come first, each followed by the rows linked to it (kinds' `follows`), then
    the ranked matches. Only the page's rows are loaded, and on PostgreSQL only they get a highlighted
    snippet (ts_headline is the costly part).
    """
    query = clean_query(raw_query)
    outcome = SearchOutcome(query=query, per_page=per_page)
    if not query:
        return outcome
    if len(query) > MAX_QUERY_LENGTH:
        outcome.error = (
            f"Your search is {len(query)} characters long. Please use {MAX_QUERY_LENGTH} characters or fewer: "
            "a few words or a name work best."
        )
        return outcome
    requested = min(page_number(page), -(-MAX_RESULTS // per_page))
    exact = _exact_matches(query)
    leading = exact + _following(exact)
    if is_postgresql():
        _postgresql_page(query, leading, requested, outcome)
    else:
        seen = {(hit.kind, hit.obj.pk) for hit in leading}
        ranked, outcome.more = _simple_hits(query)
        rest = sorted((h for h in ranked if (h.kind, h.obj.pk) not in seen), key=lambda h: (-h.rank, h.title))
        ordered = leading + rest
        outcome.total = len(ordered)
        start, end = outcome._settle_page(requested)
        outcome.hits = ordered[start:end]
    return outcome


def _identifier_q(identifier, query: str) -> Q:
    name = identifier.field
    if identifier.stored == "lower":
        return Q(**{name: query.lower()})
    if identifier.stored == "upper":
        return Q(**{name: query.upper()})
    if identifier.stored == "list":
        return Q(**{f"{name}__icontains": query})
    return Q(**{f"{name}__iexact": query})


def _identifies(row: models.Model, identifiers, wanted: str) -> bool:
    for identifier in identifiers:
        value = str(getattr(row, identifier.field) or "")
        items = value.split(",") if identifier.stored == "list" else [value]
        if wanted in (item.strip().lower() for item in items):
            return True
    return False


def _exact_matches(query: str) -> list[SearchHit]:
    """Rows whose identifier is exactly what was typed (each kind's `identifiers`), one query per kind.

    Each lookup uses an index on PostgreSQL: NCT ids (always upper case) and slugs (always lower
    case) by plain equality on their unique indexes, names through UPPER(name) (migration 0006).
    A list such as brand names is matched in Python after a substring filter over its few rows.
    """
    wanted = query.lower()
    hits: list[SearchHit] = []
    for kind in searched_kinds():
        identifiers = kind.search.identifiers
        if not identifiers:
            continue
        match = Q()
        for identifier in identifiers:
            match |= _identifier_q(identifier, query)
        rows = _with_related(kind, kind.model.objects.live().filter(match), prefetch=False)
        lead = kind.search.snippet[0]  # an exact match shows the start of its snippet text (the summary)
        hits += [
            SearchHit(kind.name, row, rank=1.0, snippet=plain_snippet(getattr(row, lead)), exact=True)
            for row in rows
            if _identifies(row, identifiers, wanted)
        ]
    return hits


def _following(exact: list[SearchHit]) -> list[SearchHit]:
    """The live rows each kind's `follows` links to an exact match (models/kinds.py `Follows`), by kind in
    KINDS order, then in the order it gives, then by title. One query per kind that follows.
    """
    leaders: dict[type[models.Model], dict[int, models.Model]] = {}
    for hit in exact:
        leaders.setdefault(type(hit.obj), {})[hit.obj.pk] = hit.obj
    seen = {(hit.kind, hit.obj.pk) for hit in exact}
    hits: list[SearchHit] = []
    for kind in searched_kinds():
        for follows in kind.search.follows:
            found = leaders.get(path_field(kind.model, follows.path).related_model)
            if not found:
                continue
            # One filter() and its annotation and ordering share the join: each row comes with its leader.
            rows = (
                kind.model.objects.live()
                .filter(**{f"{follows.path}__in": list(found)})
                .annotate(leader=F(follows.path))
                .order_by(*follows.order, kind.title_field, "pk")
            )
            lead = kind.search.snippet[0]
            for row in _with_related(kind, rows, prefetch=False)[:MAX_RESULTS]:
                if (kind.name, row.pk) not in seen:
                    seen.add((kind.name, row.pk))
                    snippet = plain_snippet(getattr(row, lead))
                    hits.append(SearchHit(kind.name, row, rank=1.0, snippet=snippet, follows=found[row.leader]))
    return hits


# PostgreSQL ---------------------------------------------------------------------------------------------

def _prefix_query(query: str) -> SearchQuery | None:
    """Every typed word as a prefix ("ocrel" → ocrelizumab), built from word characters only.

    Compounds such as "anti-CD20" are left to websearch_to_tsquery, which matches them
    whole; as prefixes ("anti:*") they would match every antibody.
    """
    words = [term for term in query.split() if WORD.fullmatch(term)][:12]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config=CONFIG)


def _tsquery(query: str) -> SearchQuery:
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    prefix = _prefix_query(query)
    return search_query | prefix if prefix is not None else search_query


def _ranked_candidates(kind: ContentKind, search_query: SearchQuery, limit: int) -> tuple[list, int]:
    """The best `limit` live matches of one kind as (pk, title, rank), and how many matches were counted.

    The GIN index finds the matches; at most RANK_CANDIDATES of them are ranked and counted, so
    a word in every row costs the same as a word in 2 000 rows. Up to that many matches the
    order is exact; past it, the best of the first RANK_CANDIDATES matches found are shown and
    the count is reported as a lower bound. Only ids, titles and ranks leave the database.
    """
    candidates = (
        kind.model.objects.live()
        .filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query, weights=RANK_WEIGHTS))
        .values_list("pk", kind.title_field, "rank")[:RANK_CANDIDATES]
    )
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # {sql} is the ORM's own compiled query; the reader's words travel in params.
            f"SELECT c.*, count(*) OVER () FROM ({sql}) AS c ORDER BY 3 DESC, 2 LIMIT %s",  # noqa: S608
            (*params, limit),
        )
        rows = cursor.fetchall()
    return [row[:3] for row in rows], (rows[0][3] if rows else 0)


def _headlined(kind: ContentKind, pks: list[int], search_query: SearchQuery) -> dict[int, models.Model]:
    """The shown rows of one kind, each with its ts_headline snippet: one query, for these rows only."""
    parts: list = []
    for name in kind.search.snippet:
        parts += [F(name), Value("\n")]
    rows = (
        kind.model.objects.live()
        .filter(pk__in=pks)
        .annotate(
            headline=SearchHeadline(
                Concat(*parts[:-1], output_field=models.TextField()),
                search_query,
                config=CONFIG,
                start_sel=START_SEL,
                stop_sel=STOP_SEL,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=FRAGMENT_SEL,
            )
        )
    )
    return {row.pk: row for row in _with_related(kind, rows, prefetch=False)}


def _postgresql_page(query: str, exact: list[SearchHit], requested: int, outcome: SearchOutcome) -> None:
    """One page on PostgreSQL; `exact` holds every hit listed before the ranked ones (exact matches, followers)."""
    search_query = _tsquery(query)
    exact_keys = {(hit.kind, hit.obj.pk) for hit in exact}
    # Enough of each kind's best to fill every page up to the requested one, whatever the mix.
    need = requested * outcome.per_page + len(exact)
    ranked: list[tuple[float, str, str, int]] = []
    counted = overlap = 0
    for kind in searched_kinds():
        rows, matches = _ranked_candidates(kind, search_query, need)
        counted += matches
        outcome.more = outcome.more or matches >= RANK_CANDIDATES
        for pk, name, rank in rows:
            if (kind.name, pk) in exact_keys:
                overlap += 1  # already listed first, and already counted
            else:
                ranked.append((rank, name, kind.name, pk))
    ranked.sort(key=lambda row: (-row[0], row[1]))
    outcome.total = counted + len(exact) - overlap
    start, end = outcome._settle_page(requested)
    shown: list[SearchHit | tuple[float, str, str, int]] = [*exact, *ranked][start:end]

    wanted: dict[str, list[int]] = {}
    for item in shown:
        kind, pk = (item.kind, item.obj.pk) if isinstance(item, SearchHit) else (item[2], item[3])
        wanted.setdefault(kind, []).append(pk)
    loaded = {kind: _headlined(kind_named(kind), pks, search_query) for kind, pks in wanted.items()}

    for item in shown:
        if isinstance(item, SearchHit):  # an exact match keeps its summary unless the text matched too
            row = loaded[item.kind].get(item.obj.pk)
            if row is not None and START_SEL in (row.headline or ""):
                item.snippet = _snippet(kind_named(item.kind), row)
            outcome.hits.append(item)
            continue
        rank, _name, kind, pk = item
        row = loaded[kind].get(pk)
        if row is not None:  # gone only if unpublished between the two queries
            outcome.hits.append(SearchHit(kind, row, rank=rank, snippet=_snippet(kind_named(kind), row)))


def _snippet(kind: ContentKind, row: models.Model) -> SafeString:
    """A row's ts_headline as HTML, its fragments carried on to whole words of the text they came from."""
    return headline_snippet(row.headline, source_text(row, kind.search.snippet))


# SQLite (and any other database) --------------------------------------------------------------------------

def _simple_score(row: models.Model, words: list[str]) -> float:
    """Each word found in a weight's text scores that weight (kinds.WEIGHTS), as ts_rank weighs A, B and C."""
    score = 0.0
    for (letter, _), text in zip(kind_for(row).search.weighted, document(row), strict=True):
        lowered = text.lower()
        score += WEIGHTS[letter] * sum(1 for w in words if w in lowered)
    return score


def _simple_hits(query: str) -> tuple[list[SearchHit], bool]:
    """Every word must appear (case-insensitively) in some field of the kind's search document; names count most.

    Returns the hits and whether some kind had more matches than MAX_HITS_PER_MODEL scored.
    """
    words = [w.lower() for w in WORD.findall(query)][:12]
    if not words:
        return [], False
    hits: list[SearchHit] = []
    more = False
    for kind in searched_kinds():
        condition = Q()
        for word in words:
            condition &= kind.search_word_q(word)
        rows = kind.model.objects.live().filter(condition)
        if kind.search_relations()[1]:
            rows = rows.distinct()  # a match through a many-to-many would repeat the row
        rows = list(_with_related(kind, rows)[: MAX_HITS_PER_MODEL + 1])
        more = more or len(rows) > MAX_HITS_PER_MODEL
        for row in rows[:MAX_HITS_PER_MODEL]:
            snippet = simple_snippet(source_text(row, kind.search.snippet), words)
            hits.append(SearchHit(kind.name, row, rank=_simple_score(row, words), snippet=snippet))
    return hits, more
