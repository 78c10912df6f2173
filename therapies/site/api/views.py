"""What the API serves: each kind's live rows (the functions its site entry names, site/kinds.py, from which
site/api/kind_operations.py builds the list and one-object operations), the sources they cite, and the change log.

Every queryset starts from `.live()` (or, for sources, from what live content cites), and
relations are prefetched through `.live()` too, so a draft or unpublished object cannot appear
however it is linked. Each operation runs a fixed number of queries whatever the data size.
Lists are ordered by a unique key, so pages are stable.
"""

from typing import Any

from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router
from ninja.pagination import paginate

from ...models import DrugClass, Phase, Reference, Risk, Route, Significance, Therapy, TherapyRisk, Trial
from ...models.page_keys import links_key
from ...models.querysets import live_q
from ..caching import shows
from ..changelog import entries_of, published_changes
from ..views import SECTION_SOURCES, live_references
from . import schemas
from .pagination import NumberedPages

router = Router()

NOT_FOUND = {404: schemas.Problem, 422: schemas.Problem}
INVALID = {422: schemas.Problem}


def slug_in_path(example: str, what: str = "slug") -> Any:
    """A path parameter matching Django's slug converter. The example (seed content) is what the
    viewer's "Try it out" starts from and what schemathesis tries first."""
    return Path(..., pattern=r"^[-a-zA-Z0-9_]+$", max_length=100, description=f"The object's {what}.",
                example=example)


# A malformed filter is refused with a message rather than silently matching nothing.
THERAPY_FILTER = Query(None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100,
                       description="A therapy's slug, for example ocrelizumab.")
COURSE_FILTER = Query(None, pattern=r"^[A-Z]{2,8}$", description="An MS course code, for example PPMS or RRMS.")
NCT_FILTER = Query(None, pattern=r"^NCT\d{8}$", description="A ClinicalTrials.gov id, for example NCT01247324.")


def live_or_404(queryset: QuerySet, kind: str, **lookup: str) -> Model:
    """The one live object matching, or a 404 that names what was asked for."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        value = next(iter(lookup.values()))
        raise Http404(f"There is no published {kind} “{value}”.")
    return obj


def live_links_to_therapies() -> Prefetch:
    return Prefetch(
        "therapy_risks",
        queryset=TherapyRisk.objects.live().select_related("therapy", "comparator_trial"),
        to_attr="live_links",
    )


# --- Therapies -------------------------------------------------------------------------------------


def live_therapies(
    drug_class: DrugClass | None = None,
    route: Route | None = None,
    course: str | None = COURSE_FILTER,
) -> QuerySet:
    """Live therapies by name, optionally only one drug class, route or MS course they are approved for."""
    therapies = Therapy.objects.live().prefetch_related("routes")
    if drug_class:
        therapies = therapies.filter(drug_class=drug_class)
    if route:
        therapies = therapies.filter(Exists(Therapy.routes.through.objects.filter(
            therapy=OuterRef("pk"), administrationroute__code=route)))
    if course:
        # Approved by some regulator for some form of the course (the page lists which, with its qualifiers).
        therapies = therapies.filter(Exists(Therapy.approved_indications.through.objects.filter(
            therapy=OuterRef("pk"), indication__courses__code=course)))
    return therapies.order_by("name", "pk")


def one_therapy(request: HttpRequest, slug: str) -> Therapy:
    """Everything the therapy's page shows: its live trials and risks, its sources and review dates."""
    therapies = Therapy.objects.live().prefetch_related(
        "routes",
        "approved_indications__courses",
        live_references(),
        *(live_references(relation) for relation in SECTION_SOURCES),
        Prefetch("trials", queryset=Trial.objects.live().order_by("name", "pk"), to_attr="live_trials"),
        Prefetch(
            "therapy_risks",
            queryset=TherapyRisk.objects.live().select_related("risk", "comparator_trial"),
            to_attr="live_risks",
        ),
    )
    therapy = live_or_404(therapies, "therapy", slug=slug)
    # What the answer shows, for the page cache (caching.shows); the lists and sources depend on whole kinds.
    shows(request, therapy, links_key(therapy), therapy.live_trials, [link.risk for link in therapy.live_risks],
          therapy.references.all(), *(getattr(therapy, relation).all() for relation in SECTION_SOURCES))
    return therapy


# --- Trials ----------------------------------------------------------------------------------------


def live_trials(
    therapy: str | None = THERAPY_FILTER,
    nct_id: str | None = NCT_FILTER,
    phase: Phase | None = None,
) -> QuerySet:
    """Live trials by name, optionally only those of one live therapy, one registry id or one phase."""
    trials = Trial.objects.live().select_related("therapy")
    if therapy:
        trials = trials.filter(live_q("therapy__"), therapy__slug=therapy)
    if nct_id:
        trials = trials.filter(nct_id=nct_id)
    if phase:
        trials = trials.filter(phase=phase)
    return trials.order_by("name", "pk")


def one_trial(request: HttpRequest, slug: str) -> Trial:
    """The trial, its design and headline result, its structured outcomes (with each in natural frequencies), the
    therapy studied, its sources and review dates."""
    trials = (
        Trial.objects.live()
        .select_related("therapy")
        .prefetch_related("population_courses", live_references(), "outcomes")
    )
    trial = live_or_404(trials, "trial", slug=slug)
    shows(request, trial, trial.therapy, trial.references.all())
    return trial


# --- Risks -----------------------------------------------------------------------------------------


def live_risks() -> QuerySet:
    """Live risks by name, each with the live therapies it occurs with, how often and the sourced figure."""
    return Risk.objects.live().prefetch_related(live_links_to_therapies()).order_by("name", "pk")


def one_risk(request: HttpRequest, slug: str) -> Risk:
    """The risk, its monitoring, the live therapies it occurs with and how often, its sources and review dates."""
    risks = Risk.objects.live().prefetch_related(live_references(), live_links_to_therapies())
    risk = live_or_404(risks, "risk", slug=slug)
    shows(request, risk, links_key(risk), [link.therapy for link in risk.live_links], risk.references.all())
    return risk


# --- Sources ---------------------------------------------------------------------------------------


def cited_by_live_content() -> Q:
    """A source is public while it is live (a content kind, reviewed) and a live page cites it."""
    cited = Q()
    for kind, field in schemas.citing_kinds():
        cited |= Q(Exists(kind.model.objects.live().filter(**{field.name: OuterRef("pk")})))
    return cited


def citing_pages() -> list[Prefetch]:
    """The live pages of every kind that cite each source, by name."""
    return [
        Prefetch(
            field.remote_field.get_accessor_name(),
            queryset=kind.model.objects.live().only("pk", kind.title_field, "slug").order_by(kind.title_field),
            to_attr=schemas.citations_attribute(kind, field),
        )
        for kind, field in schemas.citing_kinds()
    ]


def cited_references() -> QuerySet:
    """Every source a live page cites, by key, with the live pages that cite it."""
    return Reference.objects.live().filter(cited_by_live_content()).prefetch_related(*citing_pages()).order_by("key")


def one_reference(request: HttpRequest, key: str) -> Reference:
    references = Reference.objects.live().filter(cited_by_live_content()).prefetch_related(*citing_pages())
    return live_or_404(references, "source", key=key)


# --- Change log ------------------------------------------------------------------------------------


class ChangesWithLivePages:
    """The published changes, each page of them given its live pages (a fixed number of queries a page)."""

    def __init__(self, changes: QuerySet) -> None:
        self.changes = changes

    def count(self) -> int:
        return self.changes.count()

    def __getitem__(self, page: slice) -> list:
        return entries_of(self.changes[page])


@router.get("/changes/", response={200: list[schemas.ChangeOut], **INVALID}, url_name="changes",
            summary="The public change log", tags=["changes"])
@paginate(NumberedPages)
def list_changes(request: HttpRequest, significance: Significance | None = None) -> ChangesWithLivePages:
    """Published changes, newest first, with their public change note and the live pages they changed.

    A change whose pages have all been taken off the site since is not listed (as on /updates/).
    """
    return ChangesWithLivePages(published_changes(significance))
