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

from .models import Risk, Therapy, Trial

logger = logging.getLogger(__name__)

CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_HITS_PER_MODEL = 100
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
    hits: list[SearchHit] = field(default_factory=list)
    error: str = ""  # a message for the reader when the query could not be run


def clean_query(raw: str | None) -> str:
    """Drop control characters and squeeze whitespace; what remains is searched as typed."""
    return " ".join(CONTROL_CHARS.sub(" ", raw or "").split())


def search(raw_query: str | None) -> SearchOutcome:
    """Live therapies, trials and risks matching the query, best first."""
    query = clean_query(raw_query)
    outcome = SearchOutcome(query=query)
    if not query:
        return outcome
    if len(query) > MAX_QUERY_LENGTH:
        outcome.error = (
            f"Your search is {len(query)} characters long. Please use {MAX_QUERY_LENGTH} characters or fewer: "
            "a few words or a name work best."
        )
        return outcome
    exact = _exact_matches(query)
    ranked = _postgresql_hits(query) if is_postgresql() else _simple_hits(query)
    seen = {(hit.kind, hit.obj.pk) for hit in exact}
    by_key = {(hit.kind, hit.obj.pk): hit for hit in ranked}
    for hit in exact:  # an exact match keeps the snippet the ranked search found for it
        found = by_key.get((hit.kind, hit.obj.pk))
        if found:
            hit.snippet = found.snippet
    rest = sorted((hit for hit in ranked if (hit.kind, hit.obj.pk) not in seen), key=lambda h: (-h.rank, h.title))
    outcome.hits = exact + rest
    return outcome


def _exact_matches(query: str) -> list[SearchHit]:
    """Rows whose identifier is exactly what was typed: NCT id, generic, brand or trial name, slug."""
    wanted = query.lower()
    hits: list[SearchHit] = []
    therapies = Therapy.objects.live().filter(
        Q(name__iexact=query) | Q(slug__iexact=query) | Q(brand_names__icontains=query)
    )
    for therapy in therapies:
        names = [therapy.name.lower(), therapy.slug, *(b.lower() for b in therapy.brand_list)]
        if wanted in names:
            hits.append(SearchHit("therapy", therapy, rank=1.0, snippet=_plain_snippet(therapy.summary), exact=True))
    trials = Trial.objects.live().filter(Q(nct_id__iexact=query) | Q(name__iexact=query) | Q(slug__iexact=query))
    hits += [SearchHit("trial", t, rank=1.0, snippet=_plain_snippet(t.summary), exact=True) for t in trials]
    risks = Risk.objects.live().filter(Q(name__iexact=query) | Q(slug__iexact=query))
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


def _postgresql_hits(query: str) -> list[SearchHit]:
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    prefix = _prefix_query(query)
    if prefix is not None:
        search_query = search_query | prefix
    hits: list[SearchHit] = []
    for model, fields in HEADLINE_TEXT.items():
        parts: list = []
        for name in fields:
            parts += [F(name), Value("\n")]
        rows = (
            model.objects.live()
            .filter(search_vector=search_query)
            .annotate(
                rank=SearchRank(F("search_vector"), search_query),
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
                ),
            )
            .order_by("-rank")[:MAX_HITS_PER_MODEL]
        )
        if model is Trial:
            rows = rows.select_related("therapy")
        hits += [SearchHit(KIND_OF[model], row, rank=row.rank, snippet=_marked_snippet(row.headline)) for row in rows]
    return hits


def _marked_snippet(headline: str) -> SafeString:
    """ts_headline output → HTML: escape everything, then turn the sentinels into <mark>."""
    text = escape(" ".join(MARKDOWN_NOISE.sub("", headline or "").split()))
    # Only balanced pairs become marks; a stray sentinel is dropped.
    text = re.sub(f"{START_SEL}([^{START_SEL}{STOP_SEL}]*){STOP_SEL}", r"<mark>\1</mark>", text)
    return mark_safe(text.replace(START_SEL, "").replace(STOP_SEL, ""))  # noqa: S308 (escaped above)


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


def _simple_hits(query: str) -> list[SearchHit]:
    """Every word must appear (case-insensitively) in some field; names count most."""
    words = [w.lower() for w in WORD.findall(query)][:12]
    if not words:
        return []
    hits: list[SearchHit] = []
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
        for row in rows[:MAX_HITS_PER_MODEL]:
            score = 0.0
            for group, weight in zip(groups, SIMPLE_WEIGHTS, strict=True):
                text = " ".join(str(_value(row, name)) for name in group).lower()
                score += weight * sum(1 for w in words if w in text)
            source = " ".join(str(_value(row, name)) for name in HEADLINE_TEXT[model])
            hits.append(SearchHit(KIND_OF[model], row, rank=score, snippet=_simple_snippet(source, words)))
    return hits


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
    return mark_safe(prefix + html + suffix)  # noqa: S308 (escaped above)
