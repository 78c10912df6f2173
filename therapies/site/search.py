"""Site search: the index (weighted documents per model) and the query.

PostgreSQL: each content row keeps a weighted `search_vector` (A: names and
identifiers, B: summaries, targets and courses, C: the long text), English
stemming, GIN-indexed (migration 0004). `update_index()` recomputes it; it runs
when content is published (signals.content_published, connected in apps.py) and
at the end of `load_seed`; `manage.py rebuild_search_index` rebuilds everything.
Queries are `websearch_to_tsquery` OR-ed with a prefix query (so "ocrel" and
"progr" find something), ranked with ts_rank, with highlighted snippets from
ts_headline.

SQLite (a first local run): the same interface with a case-insensitive
substring match and a simple field-weighted score.

Either way exact identifiers (NCT id, generic or brand name, slug) come first,
and only live rows are ever searched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Risk, Therapy, Trial

logger = logging.getLogger(__name__)

CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_HITS_PER_MODEL = 100  # SQLite: rows scored per kind
PAGE_SIZE = 10
MAX_RESULTS = 200  # results a reader can page through; past these, a narrower search serves better
# PostgreSQL: matches ranked (and counted) per kind. Ranking reads each match's whole search
# document, so it is bounded: a word in every one of 20 000 trials would otherwise cost ~70 ms.
RANK_CANDIDATES = 2000
NCT_ID = re.compile(r"nct\d{8}", re.IGNORECASE)
# Private-use characters mark highlighted words in ts_headline's output; they are
# swapped for <mark> only after the text has been HTML-escaped (content is never markup).
START_SEL = "\ue000"
STOP_SEL = "\ue001"
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
WORD = re.compile(r"[^\W_]+")
MARKDOWN_NOISE = re.compile(r"\*\*|__|`|^#+\s*|^\s*[-*]\s+", re.MULTILINE)

KIND_LABELS = {"therapy": "Therapy", "trial": "Clinical trial", "risk": "Risk"}


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- The documents ------------------------------------------------------------------------------


def _join(*parts: Iterable[str] | str) -> str:
    words: list[str] = []
    for part in parts:
        if isinstance(part, str):
            words.append(part)
        else:
            words.extend(part)
    return "\n".join(w for w in words if w)


def document(obj: models.Model) -> tuple[str, str, str]:
    """The (A, B, C) texts of one row: names and identifiers, summaries, long text."""
    if isinstance(obj, Therapy):
        courses = list(obj.indications.all())
        return (
            _join(obj.name, obj.brand_names, obj.slug, obj.get_drug_class_display(), obj.drug_class),
            _join(
                obj.summary,
                obj.molecular_target,
                obj.class_description,
                [c.name for c in courses],
                [c.code for c in courses],
            ),
            _join(obj.body, obj.mechanism, obj.dosing, obj.monitoring, obj.indication_notes),
        )
    if isinstance(obj, Trial):
        courses = list(obj.population_courses.all())
        return (
            _join(obj.name, obj.nct_id, obj.slug),
            _join(
                obj.summary,
                obj.therapy.name,
                obj.therapy.brand_names,
                obj.comparator,
                [c.name for c in courses],
                [c.code for c in courses],
            ),
            _join(obj.body, obj.headline_result, obj.primary_endpoint, obj.population),
        )
    if isinstance(obj, Risk):
        return (
            _join(obj.name, obj.slug),
            _join(obj.summary, obj.get_severity_display()),
            _join(obj.description, obj.monitoring),
        )
    raise TypeError(f"Not a searchable model: {type(obj).__name__}")


def _weighted_vector(a: str, b: str, c: str) -> SearchVector:
    return (
        SearchVector(Value(a), weight="A", config=CONFIG)
        + SearchVector(Value(b), weight="B", config=CONFIG)
        + SearchVector(Value(c), weight="C", config=CONFIG)
    )


def _with_related(model: type[models.Model], pks: Iterable[int]) -> list[models.Model]:
    queryset = model._default_manager.filter(pk__in=list(pks))
    if model is Therapy:
        queryset = queryset.prefetch_related("indications")
    elif model is Trial:
        queryset = queryset.select_related("therapy").prefetch_related("population_courses")
    return list(queryset)


def update_index(objects: Iterable[models.Model]) -> int:
    """Recompute `search_vector` for these rows (PostgreSQL only; a no-op elsewhere). Returns the count."""
    if not is_postgresql():
        return 0
    by_model: dict[type[models.Model], set[int]] = {}
    for obj in objects:
        model = type(obj)
        if model in (Therapy, Trial, Risk):
            by_model.setdefault(model, set()).add(obj.pk)
    # A trial's document names its therapy, so a therapy's change reaches its trials.
    if Therapy in by_model:
        trial_pks = Trial._default_manager.filter(therapy__in=by_model[Therapy]).values_list("pk", flat=True)
        by_model.setdefault(Trial, set()).update(trial_pks)
    count = 0
    for model, pks in by_model.items():
        for row in _with_related(model, pks):
            model._default_manager.filter(pk=row.pk).update(search_vector=_weighted_vector(*document(row)))
            count += 1
    return count


def rebuild_index() -> int:
    """Recompute every row's search document. Returns how many rows were indexed."""
    return update_index(
        [*Therapy._default_manager.only("pk"), *Trial._default_manager.only("pk"), *Risk._default_manager.only("pk")]
    )


def on_content_published(sender, objects: list[models.Model], action: str, **kwargs) -> None:
    """Receiver of signals.content_published: keep the index current after a publish."""
    try:
        update_index(objects)
    except Exception:  # search must never undo or block a publish that has already committed
        logger.exception("Could not update the search index after %s of %s", action, objects)


# --- The query ----------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str  # "therapy", "trial" or "risk"
    obj: models.Model
    rank: float
    snippet: SafeString
    exact: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def title(self) -> str:
        return str(self.obj)

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
    """One page of live therapies, trials and risks matching the query, best first.

    Exact identifier matches come first, then the ranked matches. Only the page's rows are
    loaded, and on PostgreSQL only they get a highlighted snippet (ts_headline is the costly part).
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
    if is_postgresql():
        _postgresql_page(query, exact, requested, outcome)
    else:
        seen = {(hit.kind, hit.obj.pk) for hit in exact}
        ranked, outcome.more = _simple_hits(query)
        rest = sorted((h for h in ranked if (h.kind, h.obj.pk) not in seen), key=lambda h: (-h.rank, h.title))
        ordered = exact + rest
        outcome.total = len(ordered)
        start, end = outcome._settle_page(requested)
        outcome.hits = ordered[start:end]
    return outcome


def _exact_matches(query: str) -> list[SearchHit]:
    """Rows whose identifier is exactly what was typed: NCT id, generic, brand or trial name, slug.

    Each lookup uses an index on PostgreSQL: NCT ids (always upper case) and slugs (always lower
    case) by plain equality on their unique indexes, names through UPPER(name) (migration 0006).
    Brand names are a comma-separated list, matched in Python after a substring filter over the
    few hundred therapies.
    """
    wanted = query.lower()
    hits: list[SearchHit] = []
    therapies = Therapy.objects.live().filter(
        Q(name__iexact=query) | Q(slug=wanted) | Q(brand_names__icontains=query)
    )
    for therapy in therapies:
        names = [therapy.name.lower(), therapy.slug, *(b.lower() for b in therapy.brand_list)]
        if wanted in names:
            hits.append(SearchHit("therapy", therapy, rank=1.0, snippet=_plain_snippet(therapy.summary), exact=True))
    trial_match = Q(name__iexact=query) | Q(slug=wanted)
    if NCT_ID.fullmatch(query):
        trial_match |= Q(nct_id=query.upper())
    trials = Trial.objects.live().filter(trial_match).select_related("therapy")
    hits += [SearchHit("trial", t, rank=1.0, snippet=_plain_snippet(t.summary), exact=True) for t in trials]
    risks = Risk.objects.live().filter(Q(name__iexact=query) | Q(slug=wanted))
    hits += [SearchHit("risk", r, rank=1.0, snippet=_plain_snippet(r.summary), exact=True) for r in risks]
    return hits


# PostgreSQL ---------------------------------------------------------------------------------------------

HEADLINE_TEXT = {
    Therapy: ("summary", "body"),
    Trial: ("summary", "headline_result", "body"),
    Risk: ("summary", "description"),
}
KIND_OF = {Therapy: "therapy", Trial: "trial", Risk: "risk"}


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


def _ranked_candidates(model: type[models.Model], search_query: SearchQuery, limit: int) -> tuple[list, int]:
    """The best `limit` live matches of one kind as (pk, name, rank), and how many matches were counted.

    The GIN index finds the matches; at most RANK_CANDIDATES of them are ranked and counted, so
    a word in every row costs the same as a word in 2 000 rows. Up to that many matches the
    order is exact; past it, the best of the first RANK_CANDIDATES matches found are shown and
    the count is reported as a lower bound. Only ids, names and ranks leave the database.
    """
    candidates = (
        model.objects.live()
        .filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .values_list("pk", "name", "rank")[:RANK_CANDIDATES]
    )
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.*, count(*) OVER () FROM ({sql}) AS c ORDER BY 3 DESC, 2 LIMIT %s",
            (*params, limit),
        )
        rows = cursor.fetchall()
    return [row[:3] for row in rows], (rows[0][3] if rows else 0)


def _headlined(model: type[models.Model], pks: list[int], search_query: SearchQuery) -> dict[int, models.Model]:
    """The shown rows of one kind, each with its ts_headline snippet: one query, for these rows only."""
    parts: list = []
    for name in HEADLINE_TEXT[model]:
        parts += [F(name), Value("\n")]
    rows = (
        model.objects.live()
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
                fragment_delimiter=" … ",
            )
        )
    )
    if model is Trial:
        rows = rows.select_related("therapy")
    return {row.pk: row for row in rows}


def _postgresql_page(query: str, exact: list[SearchHit], requested: int, outcome: SearchOutcome) -> None:
    search_query = _tsquery(query)
    exact_keys = {(hit.kind, hit.obj.pk) for hit in exact}
    # Enough of each kind's best to fill every page up to the requested one, whatever the mix.
    need = requested * outcome.per_page + len(exact)
    ranked: list[tuple[float, str, str, int]] = []
    counted = overlap = 0
    for model in HEADLINE_TEXT:
        rows, matches = _ranked_candidates(model, search_query, need)
        counted += matches
        outcome.more = outcome.more or matches >= RANK_CANDIDATES
        kind = KIND_OF[model]
        for pk, name, rank in rows:
            if (kind, pk) in exact_keys:
                overlap += 1  # already listed first, and already counted
            else:
                ranked.append((rank, name, kind, pk))
    ranked.sort(key=lambda row: (-row[0], row[1]))
    outcome.total = counted + len(exact) - overlap
    start, end = outcome._settle_page(requested)
    shown: list[SearchHit | tuple[float, str, str, int]] = [*exact, *ranked][start:end]

    wanted: dict[type[models.Model], list[int]] = {}
    for item in shown:
        kind, pk = (item.kind, item.obj.pk) if isinstance(item, SearchHit) else (item[2], item[3])
        wanted.setdefault(MODEL_OF[kind], []).append(pk)
    loaded = {KIND_OF[model]: _headlined(model, pks, search_query) for model, pks in wanted.items()}

    for item in shown:
        if isinstance(item, SearchHit):  # an exact match keeps its summary unless the text matched too
            row = loaded[item.kind].get(item.obj.pk)
            if row is not None and START_SEL in (row.headline or ""):
                item.snippet = _marked_snippet(row.headline)
            outcome.hits.append(item)
            continue
        rank, _name, kind, pk = item
        row = loaded[kind].get(pk)
        if row is not None:  # gone only if unpublished between the two queries
            outcome.hits.append(SearchHit(kind, row, rank=rank, snippet=_marked_snippet(row.headline)))


MODEL_OF = {kind: model for model, kind in KIND_OF.items()}


def _marked_snippet(headline: str) -> SafeString:
    """ts_headline output → HTML: escape everything, then turn the sentinels into <mark>."""
    text = escape(" ".join(MARKDOWN_NOISE.sub("", headline or "").split()))
    # Only balanced pairs become marks; a stray sentinel is dropped.
    text = re.sub(f"{START_SEL}([^{START_SEL}{STOP_SEL}]*){STOP_SEL}", r"<mark>\1</mark>", text)
    return mark_safe(text.replace(START_SEL, "").replace(STOP_SEL, ""))


def _plain_snippet(text: str) -> SafeString:
    return escape(text)


# SQLite (and any other database) --------------------------------------------------------------------------

SIMPLE_FIELDS = {
    Therapy: (("name", "brand_names", "slug", "drug_class"), ("summary", "molecular_target", "class_description"),
              ("body", "mechanism", "dosing", "monitoring", "indication_notes")),
    Trial: (("name", "nct_id", "slug"), ("summary", "comparator", "therapy__name", "therapy__brand_names"),
            ("body", "headline_result", "primary_endpoint", "population")),
    Risk: (("name", "slug"), ("summary",), ("description", "monitoring")),
}
SIMPLE_WEIGHTS = (1.0, 0.4, 0.2)


def _simple_hits(query: str) -> tuple[list[SearchHit], bool]:
    """Every word must appear (case-insensitively) in some field; names count most.

    Returns the hits and whether some kind had more matches than MAX_HITS_PER_MODEL scored.
    """
    words = [w.lower() for w in WORD.findall(query)][:12]
    if not words:
        return [], False
    hits: list[SearchHit] = []
    more = False
    for model, groups in SIMPLE_FIELDS.items():
        all_fields = [name for group in groups for name in group]
        condition = Q()
        for word in words:
            any_field = Q()
            for name in all_fields:
                any_field |= Q(**{f"{name}__icontains": word})
            condition &= any_field
        rows = model.objects.live().filter(condition)
        if model is Trial:
            rows = rows.select_related("therapy")
        rows = list(rows[: MAX_HITS_PER_MODEL + 1])
        more = more or len(rows) > MAX_HITS_PER_MODEL
        for row in rows[:MAX_HITS_PER_MODEL]:
            score = 0.0
            for group, weight in zip(groups, SIMPLE_WEIGHTS, strict=True):
                text = " ".join(str(_value(row, name)) for name in group).lower()
                score += weight * sum(1 for w in words if w in text)
            source = " ".join(str(_value(row, name)) for name in HEADLINE_TEXT[model])
            hits.append(SearchHit(KIND_OF[model], row, rank=score, snippet=_simple_snippet(source, words)))
    return hits, more


def _value(row: models.Model, path: str):
    for part in path.split("__"):
        row = getattr(row, part)
    return row or ""


def _simple_snippet(text: str, words: list[str], width: int = 220) -> SafeString:
    text = " ".join(MARKDOWN_NOISE.sub("", text).split())
    lowered = text.lower()
    positions = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    start = max(0, min(positions) - 60) if positions else 0
    excerpt = text[start : start + width]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    # Mark matches in the raw text, escaping each piece, so a word can never match inside markup or an entity.
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(excerpt):
        pieces += [escape(excerpt[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    html = "".join(pieces) + escape(excerpt[last:])
    return mark_safe(prefix + html + suffix)
