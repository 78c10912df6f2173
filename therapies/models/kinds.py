"""The content kinds: the one list of what is drafted, reviewed, published and shown as a page.

Today: therapies, trials, risks, the references they cite, and editorial text. Everything that treats content
generically (search, sitemaps, the change log, snapshots, diffs, edit forms, the safety flag,
publishing's link check, deleting never-published rows, the review cycle, the dashboard, scheduled
unpublishing, the draft preview, the admin's "add" list, corrections) iterates over `KINDS` or looks
a kind up here, so a new kind is one `ContentKind` entry below plus its model
(docs/ADDING_A_CONTENT_KIND.md has the steps).

This module belongs to the models wing and imports nothing from workflow, editorial, admin or
site. Where a kind needs something that lives in a higher wing (the admin formset that edits its
child rows, the builder of its preview's template context), the entry names it by dotted path,
the way Django settings name backends; the wing that uses it resolves the path with
`django.utils.module_loading.import_string` at the call site. The registry stays the one place a
kind is described, the import direction stays one way, and tests/test_kinds.py imports every path,
so a typo fails the suite rather than a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import checks
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst

from .content import PublishState, Reference, Risk, Therapy, Trial
from .form_sections import FormSection as Section
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
from .practical import MONITORING_FIELDS, PRACTICAL_FIELDS, PREGNANCY_FIELDS
from .texts import EditorialText
from .therapy_risk import TherapyRisk

if TYPE_CHECKING:
    from django.contrib.contenttypes.models import ContentType


@dataclass(frozen=True)
class ContentKind:
    """One kind of reviewed content. Only `model` is required; a kind with a public page of its own
    (by slug) names its URLs, template and preview builder, and is searched, listed in the sitemap,
    the change log's links and the correction form. A kind without one leaves those empty."""

    model: type[PublishState]
    url_name: str = ""  # the public page: reverse(url_name, args=[slug]); empty: no page of its own
    list_url_name: str = ""  # the public list of this kind
    template: str = ""  # the public page's template; the draft preview renders it too
    preview_context: str = ""  # dotted path: (draft, *, live_row, revision) -> the template's context
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
    # The edit form's sections, in the public page's order (models/form_sections.py).
    form_sections: tuple[Section, ...] = ()

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
        template="therapies/therapy_detail.html",
        preview_context="therapies.admin.preview.therapy_context",
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
                formset="therapies.admin.forms.TherapyRiskFormSet",
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
        form_sections=(
            Section("Name and summary", ("name", "slug", "brand_names", "drug_class", "summary")),
            Section("About this treatment", ("body",), anchor="about-treatment"),
            Section("Route and dosing", ("routes", "formulations", "dosing", *PRACTICAL_FIELDS),
                    anchor="route-and-dosing"),
            Section("Risks", children=("therapy_risks",), anchor="risks"),
            Section("Monitoring", ("monitoring", *MONITORING_FIELDS), anchor="monitoring"),
            Section("Pregnancy and breastfeeding", ("pregnancy", *PREGNANCY_FIELDS, "pregnancy_references"),
                    anchor="pregnancy"),
            Section("Who should not take it", ("contraindications", "contraindications_references"),
                    anchor="who-should-not"),
            Section("When to get urgent help", ("urgent_help", "urgent_help_references"), anchor="urgent-help"),
            Section("How it works", ("class_description", "molecular_target", "mechanism"), anchor="how-it-works"),
            Section("Who it is approved for", ("approved_indications", "indication_notes"), anchor="approved-for"),
            Section("Approvals", ("fda_approval_date", "fda_approval_precision", "fda_approval_note",
                                  "eu_approval_date", "eu_approval_precision", "eu_approval_note"), anchor="approvals"),
            Section("References", ("references",), anchor="references"),
        ),
    ),
    ContentKind(
        model=Trial,
        url_name="trial_detail",
        list_url_name="trial_list",
        template="therapies/trial_detail.html",
        preview_context="therapies.admin.preview.trial_context",
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
                formset="therapies.admin.outcome_forms.TrialOutcomeFormSet",
            ),
        ),
        links=(LiveLink("therapy"), CITES_SOURCES),
        delete_order=0,  # a trial PROTECTs its therapy
        sitemap_priority=0.6,
        prose=("summary",),
        form_sections=(
            Section("Name and summary", ("name", "slug", "nct_id", "summary")),
            Section("The trial at a glance", ("therapy", "phase", "population", "population_courses", "comparator",
                                              "number_randomised", "duration", "primary_endpoint", "headline_result",
                                              "publication"), anchor="design"),
            Section("Results", children=("outcomes",), anchor="results"),
            Section("What this trial means", ("body",), anchor="what-it-means"),
            Section("References", ("references",), anchor="references"),
        ),
    ),
    ContentKind(
        model=Risk,
        url_name="risk_detail",
        list_url_name="risk_list",
        template="therapies/risk_detail.html",
        preview_context="therapies.admin.preview.risk_context",
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
        form_sections=(
            Section("Name and summary", ("name", "slug", "summary", "severity", "boxed_warning")),
            Section("About this risk", ("description",), anchor="about-risk"),
            Section("Monitoring and what reduces the risk", ("monitoring",), anchor="monitoring"),
            Section("References", ("references",), anchor="references"),
        ),
    ),
    # No page of its own: pages show the live sources they cite (templates/therapies/includes/_references.html).
    ContentKind(model=Reference, title_field="title", delete_order=3, form_sections=(
        Section("The source", ("key", "kind", "title", "authors", "source", "year")),
        Section("Identifiers and address", ("pmid", "doi", "nct_id", "url")),
    )),
    # The home page's introduction and drug-class descriptions, the About page (models/texts.py).
    ContentKind(model=EditorialText, title_field="title", delete_order=4, prose=("summary",), form_sections=(
        Section("Where and what readers see", ("place", "title", "summary", "body")),
    )),
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
