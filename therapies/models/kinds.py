"""The content kinds: the one list of what is drafted, reviewed, published and shown as a page.

Today: therapies, trials, risks, the references they cite, and editorial text. Everything that treats content
generically (search, sitemaps, the change log, snapshots, diffs, the safety flag, publishing's link check,
deleting never-published rows, the review cycle, the dashboard, scheduled unpublishing, corrections)
iterates over `KINDS` or looks a kind up here.

This module holds a kind's model facts only, and belongs to the models wing: it imports nothing from workflow,
editorial, admin or site, and names no code of theirs. Each higher wing registers its own parts of every kind,
by import, in a module of its own: the admin its edit form's sections, child-row formsets and preview
(therapies/admin/kinds.py), the site its page template, structured data, search-result partial and API
(therapies/site/kinds.py). Each registers through a `WingParts` below; a system check refuses to start
while a kind lacks its parts in some wing, naming the kind and the part (docs/ADDING_A_CONTENT_KIND.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from django.conf import settings
from django.core import checks
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst

from .content import PublishState, Reference, Risk, Therapy, Trial
from .kind_parts import (  # noqa: F401  WEIGHTS and path_field: used through the registry's module
    WEIGHTS,
    ChildRows,
    Follows,
    Identifier,
    LiveLink,
    RequiredSection,
    SearchDocument,
    field_texts,
    path_field,
)
from .limits import MarkdownField
from .outcomes import TrialOutcome
from .texts import EditorialText
from .therapy_risk import TherapyRisk

if TYPE_CHECKING:
    from django.contrib.contenttypes.models import ContentType


@dataclass(frozen=True)
class ContentKind:
    """One kind of reviewed content. Only `model` is required; a kind with a public page of its own
    (by slug) names its URLs, and is searched, listed in the sitemap, the change log's links and the
    correction form. A kind without one leaves those empty."""

    model: type[PublishState]
    url_name: str = ""  # the public page: reverse(url_name, args=[slug]); empty: no page of its own
    list_url_name: str = ""  # the public list of this kind
    search: SearchDocument | None = None  # what site search reads of a row; None: not searched
    search_label: str = ""  # how a search result names its kind; capitalised verbose name if empty
    children: tuple[ChildRows, ...] = ()
    links: tuple[LiveLink, ...] = ()
    # Never-published rows are deleted in ascending order: a row that PROTECTs another goes first.
    delete_order: int = 0
    # Fields of the kind itself whose change makes a safety update (editorial/safety.py).
    safety_fields: tuple[str, ...] = ()
    sitemap_priority: float = 0.5
    title_field: str = "name"  # what lists, the dashboard and search order and name rows by
    required_sections: tuple[RequiredSection, ...] = ()  # what a live page of this kind must have
    # Plain-text fields patients read as prose (Markdown fields count without being listed): prose_fields.
    prose: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The model name: in admin URLs ("admin:therapies_therapy_change"), snapshots and search hits."""
        return self.model._meta.model_name

    @property
    def has_page(self) -> bool:
        return bool(self.url_name)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def label(self) -> str:
        """The kind as a search result or a heading names it ("Clinical trial")."""
        return self.search_label or capfirst(self.verbose_name)

    @property
    def admin_url_name(self) -> str:
        return f"admin:{self.model._meta.app_label}_{self.name}_change"

    def admin_url(self, pk: int) -> str:
        return reverse(self.admin_url_name, args=[pk])

    def public_url(self, obj: models.Model) -> str:
        return reverse(self.url_name, args=[obj.slug])

    @property
    def review_interval_variable(self) -> str:
        """The environment variable that sets this kind's review interval (msinfo/settings.py)."""
        return f"REVIEW_INTERVAL_DAYS_{self.name.upper()}"

    def content_type(self) -> ContentType:
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(self.model)

    def child(self, relation: str) -> ChildRows:
        return next(c for c in self.children if c.relation == relation)

    # --- Search: what both search paths (site/search.py) read of a row --------------------------------

    def search_texts(self, obj: models.Model) -> tuple[str, ...]:
        """The row's search text for each weight (A, B, C)."""
        return tuple(
            "\n".join(text for path in paths for text in field_texts(obj, path)) for _, paths in self.search.weighted
        )

    def search_relations(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The relations the search document crosses: (foreign keys to join, many-to-many to prefetch)."""
        joins: list[str] = []
        prefetches: list[str] = []
        for path in self.search.paths:
            if "__" in path:
                hop = path.split("__", 1)[0]
                f = self.model._meta.get_field(hop)
                found = prefetches if (f.many_to_many or f.one_to_many) else joins
                if hop not in found:
                    found.append(hop)
        return tuple(joins), tuple(prefetches)

    def search_word_q(self, word: str) -> models.Q:
        """Rows where some search path contains `word` (case-insensitively); a choice field by label or value."""
        condition = models.Q()
        for path in self.search.paths:
            f = path_field(self.model, path)
            if f.choices:
                values = [value for value, label in f.flatchoices if word.lower() in f"{label} {value}".lower()]
                condition |= models.Q(**{f"{path}__in": values})
            else:
                condition |= models.Q(**{f"{path}__icontains": word})
        return condition

    def missing_sections(self, snapshot: dict) -> list[str]:
        """What a page built from `snapshot` lacks of its required sections, in the reader's words."""
        return [problem for _, _, problem in self.section_problems(snapshot)]

    def section_problems(self, snapshot: dict) -> list[tuple[RequiredSection, str, str]]:
        """(section, the field that lacks something, what is missing) for each required section a page built from
        `snapshot` lacks: its text ("pregnancy") or its sources ("pregnancy_references")."""
        problems = []
        for section in self.required_sections:
            label = section.label(self.model)
            if not (snapshot.get("fields", {}).get(section.field) or "").strip():
                problems.append((section, section.field, f"the “{label}” section is empty"))
            elif not snapshot.get("m2m", {}).get(section.references):
                problems.append((section, section.references, f"the “{label}” section cites no source"))
        return problems

    @property
    def prose_fields(self) -> tuple[str, ...]:
        """The fields readers read as prose, in model order: its plain-text `prose` (a summary) and every
        Markdown field. The reviewer assistant scores their reading grade (editorial/assistant/)."""
        return tuple(
            f.name
            for f in self.model._meta.concrete_fields
            if f.name in self.prose or isinstance(f, MarkdownField)
        )

    def live_links(self, snapshot: dict) -> list[tuple[type[models.Model], int, LiveLink]]:
        """(model, id, link) of every row a snapshot of this kind links to that must be live for its page."""
        found = []
        for link in self.links:
            if link.child:
                child = self.child(link.child)
                target = child.model._meta.get_field(link.field).related_model
                ids = [row.get(link.field) for row in snapshot.get("children", {}).get(link.child, [])]
            elif (f := self.model._meta.get_field(link.field)).many_to_many:
                target = f.related_model
                ids = list(snapshot.get("m2m", {}).get(link.field, []))
            else:
                target = f.related_model
                ids = [snapshot.get("fields", {}).get(link.field)]
            found += [(target, pk, link) for pk in ids if pk is not None]
        return found

    def citations(self, snapshot: dict) -> list[tuple[type[models.Model], int]]:
        """(model, id) of the sources a snapshot of this kind cites (its `citation` links)."""
        return [(target, pk) for target, pk, link in self.live_links(snapshot) if link.citation]



# Every kind with sources cites them through its `references` many-to-many.
CITES_SOURCES = LiveLink("references", citation=True)

KINDS: tuple[ContentKind, ...] = (
    ContentKind(
        model=Therapy,
        url_name="therapy_detail",
        list_url_name="therapy_list",
        search=SearchDocument(
            a=("name", "brand_names", "slug", "drug_class"),
            b=("summary", "molecular_target", "class_description", "approved_indications__name"),
            c=("body", "mechanism", "dosing", "monitoring", "indication_notes", "approved_indications__wording",
               "formulations", "pregnancy", "contraindications", "urgent_help"),
            snippet=("summary", "body"),
            identifiers=(Identifier("name"), Identifier("slug", "lower"), Identifier("brand_names", "list")),
        ),
        children=(
            ChildRows(
                relation="therapy_risks",
                model=TherapyRisk,
                parent="therapy",
                key="risk",
                fields=("risk", "frequency", "figure", "measure", "category_counts", "comparator", "comparator_figure",
                        "comparator_trial", "boxed_warning", "notes"),
                safety_fields=("frequency", "boxed_warning"),
            ),
        ),
        links=(
            LiveLink("risk", child="therapy_risks"),
            LiveLink("comparator_trial", child="therapy_risks"),
            CITES_SOURCES,
            # The sources behind the required sections are cited like the page's own (rule 5).
            LiveLink("pregnancy_references", citation=True),
            LiveLink("contraindications_references", citation=True),
            LiveLink("urgent_help_references", citation=True),
        ),
        delete_order=1,  # its risk rows PROTECT their risk
        sitemap_priority=0.9,
        prose=("summary",),
        required_sections=(
            RequiredSection("pregnancy", "pregnancy_references"),
            RequiredSection("contraindications", "contraindications_references"),
            RequiredSection("urgent_help", "urgent_help_references"),
        ),
    ),
    ContentKind(
        model=Trial,
        url_name="trial_detail",
        list_url_name="trial_list",
        search_label="Clinical trial",
        search=SearchDocument(
            a=("name", "nct_id", "slug"),
            b=("summary", "therapy__name", "therapy__brand_names", "comparator",
               "population_courses__name", "population_courses__code"),
            c=("body", "headline_result", "primary_endpoint", "population"),
            snippet=("summary", "headline_result", "body"),
            identifiers=(Identifier("name"), Identifier("slug", "lower"), Identifier("nct_id", "upper")),
            follows=(Follows("therapy"),),
        ),
        children=(
            ChildRows(
                relation="outcomes",
                model=TrialOutcome,
                parent="trial",
                key="position",
                fields=("position", "label", "kind", "event", "time_frame", "is_primary", "arms", "ratio",
                        "ci_lower", "ci_upper", "ci_level", "source"),
            ),
        ),
        links=(LiveLink("therapy"), CITES_SOURCES),
        delete_order=0,  # a trial PROTECTs its therapy
        sitemap_priority=0.6,
        prose=("summary",),
    ),
    ContentKind(
        model=Risk,
        url_name="risk_detail",
        list_url_name="risk_list",
        search=SearchDocument(
            a=("name", "slug"),
            b=("summary", "severity"),
            c=("description", "monitoring"),
            snippet=("summary", "description"),
            identifiers=(Identifier("name"), Identifier("slug", "lower")),
            # The risks its page lists, those with a boxed warning on its label first.
            follows=(Follows("therapy_risks__therapy", order=("-therapy_risks__boxed_warning",)),),
        ),
        links=(CITES_SOURCES,),
        safety_fields=("boxed_warning",),
        delete_order=2,
        sitemap_priority=0.7,
        prose=("summary",),
    ),
    # No page of its own: pages show the live sources they cite (templates/therapies/includes/_references.html).
    ContentKind(model=Reference, title_field="title", delete_order=3),
    # The home page's introduction and drug-class descriptions, the About page (models/texts.py).
    ContentKind(model=EditorialText, title_field="title", delete_order=4, prose=("summary",)),
)

_BY_MODEL: dict[type[models.Model], ContentKind] = {kind.model: kind for kind in KINDS}
_BY_NAME: dict[str, ContentKind] = {kind.name: kind for kind in KINDS}


def kind_for(model_or_obj: type[models.Model] | models.Model) -> ContentKind:
    """The kind of a content model or row; LookupError for anything that is not content."""
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    try:
        return _BY_MODEL[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a content kind (therapies/models/kinds.py).") from None


def kind_named(name: str) -> ContentKind:
    """The kind with this model name ("therapy"); LookupError if there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise LookupError(f"“{name}” is not a content kind.") from None


def is_content(model_or_obj: type[models.Model] | models.Model) -> bool:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return model in _BY_MODEL


def content_models() -> tuple[type[PublishState], ...]:
    return tuple(kind.model for kind in KINDS)


def cited_models() -> frozenset[type[models.Model]]:
    """The models some kind cites as sources (its `citation` links): editing one of their rows concerns the
    change requests that cite it (rule 5)."""
    found = set()
    for kind in KINDS:
        for link in kind.links:
            if link.citation:
                holder = kind.child(link.child).model if link.child else kind.model
                found.add(holder._meta.get_field(link.field).related_model)
    return frozenset(found)


def page_kinds() -> tuple[ContentKind, ...]:
    """The kinds with a public page of their own."""
    return tuple(kind for kind in KINDS if kind.has_page)


@checks.register()
def check_review_intervals(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A REVIEW_INTERVAL_DAYS_<KIND> variable that names no kind is a typo that would silently do nothing."""
    return [
        checks.Warning(
            f"REVIEW_INTERVAL_DAYS_{name.upper()} is set, but “{name}” is not a content kind, so it has no effect.",
            hint="Content kinds: " + ", ".join(kind.review_interval_variable for kind in KINDS) + ".",
            id="therapies.W001",
        )
        for name in sorted(getattr(settings, "REVIEW_INTERVAL_DAYS_BY_TYPE", {}) or {})
        if name not in _BY_NAME
    ]


# --- Each wing's parts of a kind ------------------------------------------------------------------------------

Parts = TypeVar("Parts")

# Every wing's parts registry, in the order the wings were imported (therapies/apps.py imports each wing's kinds).
WINGS: list[WingParts] = []


class WingParts(Generic[Parts]):
    """What one wing needs of every kind, registered by that wing, by import, in its own kinds module.

    `problems(kind, parts)` says, in words, what a registered entry lacks ("no page template"), and so does
    each function the wing adds with `add_check`; the system check below reports those and every kind with
    no entry at all, so the site does not start half-built.
    """

    def __init__(self, wing: str, module: str, problems: Callable[[ContentKind, Parts], list[str]]) -> None:
        self.wing = wing  # "admin"
        self.module = module  # where its entries are: "therapies/admin/kinds.py" (for messages)
        self._checks = [problems]
        self._parts: dict[type[models.Model], Parts] = {}
        WINGS.append(self)

    def add_check(self, problems: Callable[[ContentKind, Parts], list[str]]) -> None:
        """Another check of every entry, from a module that may import what this one may not (the API's router)."""
        self._checks.append(problems)

    def entry_problems(self, kind: ContentKind, parts: Parts) -> list[str]:
        """What `parts`, as an entry for `kind`, lacks, in words."""
        return [problem for check in self._checks for problem in check(kind, parts)]

    def register(self, model: type[models.Model], parts: Parts) -> Parts:
        if model in self._parts:
            raise ValueError(f"{model.__name__} already has its {self.wing} parts ({self.module}).")
        self._parts[model] = parts
        return parts

    def unregister(self, model: type[models.Model]) -> None:
        """For a test that registers a throwaway kind and must leave the registry as it found it."""
        self._parts.pop(model, None)

    def of(self, kind_or_model: ContentKind | type[models.Model] | models.Model) -> Parts:
        """This wing's parts of a kind (or of a content model or row); LookupError in words if it has none."""
        model = kind_or_model.model if isinstance(kind_or_model, ContentKind) else kind_or_model
        model = model if isinstance(model, type) else type(model)
        try:
            return self._parts[model]
        except KeyError:
            raise LookupError(f"{model.__name__} has no {self.wing} parts: register them in {self.module}.") from None

    def get(self, kind: ContentKind) -> Parts | None:
        """This wing's parts of a kind, or None while it has none (the system check reports that)."""
        return self._parts.get(kind.model)

    def problems(self, kinds: Iterable[ContentKind] | None = None) -> list[tuple[ContentKind, str]]:
        """(kind, what it lacks in this wing) for every kind (of KINDS, unless given) missing an entry or a part."""
        found = []
        for kind in KINDS if kinds is None else kinds:
            if kind.model not in self._parts:
                found.append((kind, f"has no {self.wing} parts: register them in {self.module}"))
            else:
                found += [(kind, problem) for problem in self.entry_problems(kind, self._parts[kind.model])]
        return found


def kind_part_problems(
    kinds: Iterable[ContentKind] | None = None, wings: Iterable[WingParts] | None = None
) -> list[str]:
    """Every part some kind (of KINDS, unless given) lacks in some wing, in words ("The admin parts of risk …")."""
    kinds = tuple(KINDS if kinds is None else kinds)
    return [
        f"The {wing.wing} parts of {kind.verbose_name} ({kind.model.__name__}): {problem}."
        for wing in (WINGS if wings is None else wings)
        for kind, problem in wing.problems(kinds)
    ]


@checks.register()
def check_kind_parts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A kind that lacks a part in any wing stops the site at start-up, naming the kind, the wing and the part."""
    return [
        checks.Error(problem, hint="docs/ADDING_A_CONTENT_KIND.md lists what each kind registers in each wing.",
                     id="therapies.E001")
        for problem in kind_part_problems()
    ]
