"""Public pages. Each view reads live content only, through `.live()`.

Views stay thin: parse the request, run a fixed number of queries, render.
"""

import logging
from urllib.parse import urlencode

from django import forms
from django.db import DatabaseError, connection
from django.db.models import Count, F, Prefetch, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from ..editorial.history import page_history
from ..models import (
    DrugClass,
    EditorialPlace,
    EditorialText,
    Frequency,
    MSCourse,
    PublicChange,
    Reference,
    Risk,
    Route,
    Therapy,
    TherapyRisk,
    Trial,
    live_q,
)
from ..models.page_keys import links_key
from .caching import public_page, refuse_to_store, shows
from .fact_box import fact_box, links_in_box
from .fragments import LazyRows, PageFragments, StampQuery, shown_rows
from .glance import therapy_page_extras
from .kind_parts import SITE
from .outcome_charts import trial_outcome_views
from .pagination import page_of

logger = logging.getLogger(__name__)


def live_references(relation: str = "references") -> Prefetch:
    """A page's sources as readers see them: the live ones (a source taken off the site leaves every page)."""
    return Prefetch(relation, queryset=Reference.objects.live())


HOME_PER_CLASS = 6
THERAPIES_PER_PAGE = 50


@public_page(depends=(Therapy, Trial, Risk, EditorialText))
def home(request: HttpRequest) -> HttpResponse:
    # A few per class (the therapy list, filtered by class, has them all), read as such: the first of each class
    # by name, each with the size of its class, in one query; then their routes. Reading every live therapy and
    # prefetching its routes (a queryset made for each of 510 rows at scale) was most of the page (issue 27).
    by_class = {"partition_by": F("drug_class")}
    shown = list(
        Therapy.objects.live()
        .annotate(place=Window(RowNumber(), order_by=[F("name"), F("pk")], **by_class),
                  class_size=Window(Count("pk"), **by_class))
        .filter(place__lte=HOME_PER_CLASS)
        .only("name", "slug", "drug_class", "summary", "brand_names")
        .order_by("name", "pk")
        .prefetch_related(Prefetch("routes", to_attr=Therapy.LISTED_ROUTES))
    )
    counts = {therapy.drug_class: therapy.class_size for therapy in shown}
    texts = EditorialText.objects.live().by_place()  # the reviewed words of the page (models/texts.py)
    classes = []
    for value, label in DrugClass.choices:
        if counts.get(value):
            classes.append({"value": value, "label": label, "therapies": [t for t in shown if t.drug_class == value],
                            "count": counts[value], "text": texts.get(EditorialPlace.for_drug_class(value))})
    context = {
        "intro": texts.get(EditorialPlace.HOME),
        "immunotherapy": texts.get(EditorialPlace.HOME_IMMUNOTHERAPY),
        "classes_intro": texts.get(EditorialPlace.HOME_CLASSES),
        "courses_intro": texts.get(EditorialPlace.HOME_COURSES),
        "classes": classes,
        "therapy_count": sum(counts.values()),
        "trial_count": Trial.objects.live().count(),
        "risk_count": Risk.objects.live().count(),
        "courses": MSCourse.objects.all(),
    }
    return render(request, "therapies/home.html", context)


class TherapyFilterForm(forms.Form):
    """The GET filters of /therapies/. Invalid values are reported and ignored."""

    course = forms.ChoiceField(label="MS course", required=False)
    route = forms.ChoiceField(label="Route", required=False, choices=[("", "Any route"), *Route.choices])
    drug_class = forms.ChoiceField(
        label="Drug class", required=False, choices=[("", "Any class"), *DrugClass.choices]
    )

    def __init__(self, *args, courses: list[MSCourse], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", "Any MS course")] + [(c.code, c.name) for c in courses]


@public_page(params=("course", "route", "drug_class", "page"), depends=(Therapy,))
def therapy_list(request: HttpRequest) -> HttpResponse:
    courses = list(MSCourse.objects.all())
    form = TherapyFilterForm(request.GET or None, courses=courses)
    therapies = Therapy.objects.live().prefetch_related(
        Prefetch("routes", to_attr=Therapy.LISTED_ROUTES),
        Prefetch("approved_indications", to_attr=Therapy.LISTED_INDICATIONS),
    )
    filters: dict[str, str] = {}
    if form.is_bound:
        if not form.is_valid():
            refuse_to_store(request)  # answered with the errors listed, but never kept: junk must not fill the cache
        # Apply only the filters that are valid; the template lists the others' errors.
        filters = {name: value for name, value in form.cleaned_data.items() if value}
        if "course" in filters:
            # Approved by some regulator for some form of this course; the list shows which, with its qualifiers.
            therapies = therapies.filter(approved_indications__courses__code=filters["course"])
        if "route" in filters:
            therapies = therapies.filter(routes__code=filters["route"])
        if "drug_class" in filters:
            therapies = therapies.filter(drug_class=filters["drug_class"])
    page, page_notice = page_of(request, therapies.distinct(), THERAPIES_PER_PAGE)
    context = {
        "form": form,
        "therapies": list(page.object_list),
        "filtered": bool(filters),
        "page_obj": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number)),
        "total": page.paginator.count,
        "page_notice": page_notice,
        "page_query": urlencode(filters),
    }
    return render(request, "therapies/therapy_list.html", context)


# What a therapy page shows of its many-to-many relations: one query each, whatever their size.
SECTION_SOURCES = ("pregnancy_references", "contraindications_references", "urgent_help_references")
REFERENCE_RELATIONS = ("references", *SECTION_SOURCES)


def therapy_fragment_relations() -> tuple:
    """What a therapy page's fragments show beside the therapy's own row and its routes: indications and the
    live sources of the page and of each required section."""
    return ("approved_indications", *(live_references(relation) for relation in REFERENCE_RELATIONS))


# The rows a therapy page shows besides its own: its trials, its risks and its sources (a publish of any of
# them changes the page's fragments; site/fragments.py), and the corrections of its history's wording.
THERAPY_PAGE_SHOWS = StampQuery(lambda pk: [
    # (the page's id through a subquery: object_id is positive, and the placeholder id is not)
    PublicChange.objects.of_page(Therapy, Therapy.objects.filter(pk=pk).values("pk")[:1])
    .filter(corrected_at__isnull=False).order_by().values_list("pk", "change_request_id", "corrected_at"),
    shown_rows(Trial.objects.live().filter(therapy=pk)),
    shown_rows(TherapyRisk.objects.live().filter(therapy=pk), via="risk__"),
    *(shown_rows(Reference.objects.live().filter(**{Therapy._meta.get_field(relation).related_query_name(): pk}))
      for relation in REFERENCE_RELATIONS),
])


def therapy_detail_context(therapy: Therapy, *, trials, therapy_risks, history) -> dict:
    """What therapy_detail.html needs; shared with the preview of a draft. The rows may be LazyRows; `trials`
    come with their outcomes prefetched."""
    ordered = LazyRows(lambda: Frequency.most_frequent_first(therapy_risks, then=lambda link: link.risk.name))
    return {
        "therapy": therapy,
        "trials": trials,
        "therapy_risks": ordered,
        # The footnote explaining "Boxed warning" is shown only where a listed risk has one.
        "has_boxed_warning": LazyRows(lambda: [link for link in ordered if link.boxed_warning]),
        "page": therapy,
        "history": history,
        **therapy_page_extras(therapy, trials=trials, therapy_risks=ordered),
    }


@public_page
def therapy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The header, kicker and structured data need the row and its routes; the rest of the page is kept
    # in fragments (site/fragments.py), and its rows are read only when a fragment must be rendered.
    therapy = get_object_or_404(Therapy.objects.live().defer("search_vector").prefetch_related("routes"), slug=slug)
    trials = Trial.objects.live().filter(therapy=therapy)
    links = TherapyRisk.objects.live().filter(therapy=therapy)
    context = therapy_detail_context(
        therapy,
        trials=LazyRows(lambda: trials.defer("search_vector", "body").prefetch_related("outcomes").order_by("name")),
        therapy_risks=LazyRows(lambda: links.select_related("risk")),
        history=LazyRows(lambda: page_history(therapy)),
    )
    context["fragments"] = PageFragments(
        therapy,
        shows=THERAPY_PAGE_SHOWS,
        load=lambda: prefetch_related_objects([therapy], *therapy_fragment_relations()),
    )
    # Read only when the page is stored (caching.shows): a page served from its fragments reads no rows. It
    # lists the trials of the therapy (links_key: a trial published for it shows here).
    shows(request, therapy, links_key(therapy), context["trials"],
          LazyRows(lambda: [link.risk for link in context["therapy_risks"]]),
          *(getattr(therapy, relation).all() for relation in REFERENCE_RELATIONS))
    return render(request, SITE.of(Therapy).template, context)


TRIALS_PER_PAGE = 50
RISKS_PER_PAGE = 50


@public_page(params=("page",), depends=(Trial, Therapy))
def trial_list(request: HttpRequest) -> HttpResponse:
    trials = Trial.objects.live().select_related("therapy").order_by("therapy__name", "name")
    page, page_notice = page_of(request, trials, TRIALS_PER_PAGE)
    context = {
        "trials": list(page.object_list),
        "page_obj": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number)),
        "total": page.paginator.count,
        "page_notice": page_notice,
    }
    return render(request, "therapies/trial_list.html", context)


def trial_detail_context(trial: Trial, *, history, outcomes: list) -> dict:
    """What trial_detail.html needs; shared with the preview of a draft (whose outcomes are the draft's). The fact
    box's harms are the therapy's live risk links (`therapy_risks`, which the page's keys must name)."""
    links = list(TherapyRisk.objects.live().filter(therapy_id=trial.therapy_id).select_related("risk"))
    return {"trial": trial, "page": trial, "history": history, "outcome_views": trial_outcome_views(outcomes),
            "fact_box": fact_box(trial, outcomes, links), "therapy_risks": links_in_box(trial, links)}


@public_page
def trial_detail(request: HttpRequest, slug: str) -> HttpResponse:
    trial = get_object_or_404(
        Trial.objects.live()
        .select_related("therapy")
        .prefetch_related(live_references(), "population_courses", "outcomes"),
        slug=slug,
    )
    context = trial_detail_context(trial, history=page_history(trial), outcomes=list(trial.outcomes.all()))
    # The fact box shows the therapy's risk rows (the therapy's own key covers its rows) and names their risks: a
    # risk renamed or taken off the site purges this page too.
    shows(request, trial, trial.therapy, [link.risk for link in context["therapy_risks"]], trial.references.all())
    return render(request, SITE.of(Trial).template, context)


@public_page
def trial_by_nct_id(request: HttpRequest, nct_id: str) -> HttpResponse:
    """/trials/NCT01247324/ is a permanent alias of the trial's page."""
    trial = get_object_or_404(Trial.objects.live().only("slug"), nct_id=nct_id)
    shows(request, trial)
    return HttpResponsePermanentRedirect(trial.get_absolute_url())


@public_page(params=("page",), depends=(Risk, Therapy))
def risk_list(request: HttpRequest) -> HttpResponse:
    live_links = TherapyRisk.objects.live().select_related("therapy").order_by("therapy__name")
    risks = (
        Risk.objects.live()
        .annotate(therapy_count=Count("therapy_risks", filter=live_q("therapy_risks__therapy__")))
        .prefetch_related(Prefetch("therapy_risks", queryset=live_links, to_attr="live_links"))
        .order_by("name")  # Meta.ordering does not apply to aggregated queries
    )
    page, page_notice = page_of(request, risks, RISKS_PER_PAGE)
    shown = list(page.object_list)
    context = {
        "risks": shown,
        "has_boxed_warning": any(risk.boxed_warning for risk in shown),
        "page_obj": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number)),
        "page_notice": page_notice,
    }
    return render(request, "therapies/risk_list.html", context)


def risk_detail_context(risk: Risk, *, therapy_risks: list, history) -> dict:
    therapy_risks = Frequency.most_frequent_first(therapy_risks, then=lambda link: link.therapy.name)
    return {"risk": risk, "therapy_risks": therapy_risks, "page": risk, "history": history}


@public_page
def risk_detail(request: HttpRequest, slug: str) -> HttpResponse:
    risk = get_object_or_404(Risk.objects.live().prefetch_related(live_references()), slug=slug)
    links = TherapyRisk.objects.live().filter(risk=risk).select_related("therapy", "risk")
    context = risk_detail_context(risk, therapy_risks=list(links), history=page_history(risk))
    # The therapies with this risk and how often (links_key): their own keys cover their names and frequencies.
    shows(request, risk, links_key(risk), [link.therapy for link in context["therapy_risks"]], risk.references.all())
    return render(request, SITE.of(Risk).template, context)


@public_page(depends=(EditorialText,))
def about(request: HttpRequest) -> HttpResponse:
    """The About page and editorial policy: reviewed editorial text, in its sections' order."""
    texts = EditorialText.objects.live().by_place()
    sections = [texts[place] for place in EditorialPlace.about_sections() if place in texts]
    return render(request, "therapies/about.html", {"intro": texts.get(EditorialPlace.ABOUT), "sections": sections})


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when the database answers, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database is not answering")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@public_page
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page names no icon (the admin, the feed, the API's JSON)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database: this must render even when they are what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
