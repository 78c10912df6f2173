"""What the API answers, one schema per shape. The OpenAPI description is generated from these
classes, and the same classes serialise every response, so the description cannot drift from
what is sent.

The views hand these schemas live rows only (prefetched through `.live()`); a schema never
follows a relation on its own, so it can neither reach a draft nor add a query per row.
"""

import datetime

from django.db.models import ManyToManyField
from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema
from pydantic import Field, create_model

from ...editorial.rendering import render_markdown
from ...models import (
    KINDS,
    ContentKind,
    DatePrecision,
    DrugClass,
    Frequency,
    OutcomeKind,
    Phase,
    Reference,
    ReferenceKind,
    Regulator,
    Route,
    Severity,
    Significance,
    kind_for,
)
from ..frequencies import outcome_summary
from .practical import PracticalFactsOut, practical_facts

API_NAMESPACE = "api_v1"


def absolute(context: dict, path: str) -> str:
    """An absolute address on the host the client asked, so a consumer can follow it as it is."""
    request: HttpRequest = context["request"]
    return request.build_absolute_uri(path)


def api_path(url_name: str, *args: str) -> str:
    return reverse(f"{API_NAMESPACE}:{url_name}", args=args)


def page_url_of(obj, context: dict) -> str:
    return absolute(context, kind_for(obj).public_url(obj))


def api_url_of(obj, context: dict) -> str:
    """Each kind's detail operation is named after the kind ("therapy"), like its admin URLs."""
    return absolute(context, api_path(kind_for(obj).name, obj.slug))


def citing_kinds() -> list[tuple[ContentKind, ManyToManyField]]:
    """(kind, its many-to-many to Reference) for every kind whose pages cite sources."""
    return [
        (kind, field)
        for kind in KINDS
        for field in kind.model._meta.many_to_many
        if field.related_model is Reference
    ]


def citations_attribute(kind: ContentKind, field: ManyToManyField) -> str:
    """Where the view prefetches the live rows of `kind` that cite a source through `field`."""
    return f"live_{kind.name}_{field.name}_citations"


def label_of(field_name: str) -> staticmethod:
    """A resolver giving a choice field's label, the words the site shows for its code."""
    return staticmethod(lambda obj: getattr(obj, f"get_{field_name}_display")())


def markdown_of(field_name: str) -> staticmethod:
    """A resolver giving a Markdown field both as written and as the site renders it."""

    def resolve(obj) -> MarkdownText:
        text = getattr(obj, field_name)
        return MarkdownText(markdown=text, html=str(render_markdown(text)))

    return staticmethod(resolve)


def section_of(field_name: str) -> staticmethod:
    """A resolver giving a required section's text and the sources cited for it (prefetched)."""

    def resolve(obj) -> dict:
        text = getattr(obj, field_name)
        return {
            "text": {"markdown": text, "html": str(render_markdown(text))},
            "sources": list(getattr(obj, f"{field_name}_references").all()),
        }

    return staticmethod(resolve)


class MarkdownText(Schema):
    """Long text as the editors wrote it, and as the site shows it."""

    markdown: str = Field(description="The Markdown source.")
    html: str = Field(description="Rendered to HTML and sanitised with the site's allow-list: safe to embed.")


class Problem(Schema):
    """Why a request was not answered, in words a person can act on."""

    detail: str
    errors: list[str] = Field(default_factory=list, description="One line per invalid parameter.")


class ContentLink(Schema):
    """A live therapy, trial or risk referred to from another object."""

    kind: str = Field(description="The content kind: therapy, trial or risk.")
    slug: str
    name: str
    page_url: str = Field(description="The public page.")
    api_url: str = Field(description="This object in the API.")

    resolve_page_url = staticmethod(page_url_of)
    resolve_api_url = staticmethod(api_url_of)

    @staticmethod
    def resolve_kind(obj) -> str:
        return kind_for(obj).name


class Reviewed(Schema):
    """What every content object carries: its addresses and its publish and review dates."""

    slug: str
    name: str
    page_url: str = Field(description="The canonical public page.")
    api_url: str = Field(description="This object in the API.")
    last_updated: datetime.datetime = Field(
        validation_alias="last_published_at", description="When a change to it was last published."
    )
    last_reviewed: datetime.datetime | None = Field(
        validation_alias="last_reviewed_at",
        description="When a medical reviewer last checked the whole page against its sources.",
    )
    next_review_due: datetime.date | None

    resolve_page_url = staticmethod(page_url_of)
    resolve_api_url = staticmethod(api_url_of)


class Source(Schema):
    """A source cited by a page."""

    key: str = Field(description="Stable short name of the source.")
    kind: ReferenceKind
    kind_label: str
    title: str
    authors: str
    source: str = Field(description="Journal with volume and pages, registry or agency.")
    year: int | None
    pmid: str = Field(description="PubMed id, or empty.")
    doi: str = Field(description="DOI, or empty.")
    nct_id: str = Field(description="ClinicalTrials.gov id, or empty.")
    url: str = Field(description="Address given for the source, or empty.")
    link: str = Field(description="The best public address of the source (DOI, PubMed, registry or URL).")
    citation: str

    resolve_kind_label = label_of("kind")


class ReferenceOut(Source):
    """A source with the live pages that cite it."""

    api_url: str
    cited_by: list[ContentLink] = Field(description="Live therapies, trials and risks that cite it.")

    @staticmethod
    def resolve_api_url(obj, context) -> str:
        return absolute(context, api_path("reference", obj.key))

    @staticmethod
    def resolve_cited_by(obj) -> list:
        # A therapy can cite one source both in its references and in a section: list each page once.
        pages = [page for kind, field in citing_kinds() for page in getattr(obj, citations_attribute(kind, field))]
        return list({(type(page), page.pk): page for page in pages}.values())


class Course(Schema):
    """A course of multiple sclerosis (Lublin 2014)."""

    code: str
    name: str


class IndicationOut(Schema):
    """What one regulator approved a therapy for, named with every qualifier the regulator sets."""

    code: str
    regulator: Regulator
    regulator_label: str
    name: str = Field(description="As the site lists it, qualifiers included (“active”, “highly active”, “early”).")
    wording: str = Field(description="The regulator's own wording, from the label's indications section.")
    courses: list[str] = Field(description="Codes of the MS courses the approval falls under (the list's filter).")

    resolve_regulator_label = label_of("regulator")

    @staticmethod
    def resolve_courses(obj) -> list[str]:
        return [course.code for course in obj.courses.all()]


class SourcedSection(Schema):
    """A section every live therapy has (pregnancy, who should not take it, urgent help), with its sources."""

    text: MarkdownText
    sources: list[Source]


class Approval(Schema):
    date: datetime.date
    precision: DatePrecision = Field(description="Whether the date is known to the day, month or year.")
    note: str


class Approvals(Schema):
    fda: Approval | None = Field(description="First approval by the US FDA.")
    eu: Approval | None = Field(description="First approval in the European Union.")


class Occurrence(Schema):
    """How often a risk occurs with a therapy, with the sourced figure (a therapy-risk link)."""

    frequency: Frequency = Field(description="CIOMS frequency category.")
    frequency_label: str = Field(description="The category in words, with its range.")
    figure: str = Field(description="The sourced figure, as the source gives it; empty when the label gives none.")
    measure: str = Field(description="What the figure counts: in whom, over what time, and from which source.")
    category_counts: str = Field(
        description="What the label's frequency category counts, where that is not the figure's measure; else empty."
    )
    comparator: str = Field(
        description="The comparison group of the comparator's figure (placebo, or an active drug by name); empty "
        "when the sources give no comparator figure."
    )
    comparator_figure: str = Field(description="The same measure in the comparison group, from the same source.")
    comparator_trial: ContentLink | None = Field(description="The live trial both figures come from, if stored.")
    boxed_warning: bool = Field(description="This therapy's US label has a boxed warning about this risk.")
    notes: str

    resolve_frequency_label = label_of("frequency")

    @staticmethod
    def resolve_comparator_trial(obj):
        trial = obj.comparator_trial
        return trial if trial is not None and trial.is_live else None


class RiskOfTherapy(Occurrence):
    risk: ContentLink


class TherapyOfRisk(Occurrence):
    therapy: ContentLink


class TherapySummary(Reviewed):
    brand_names: list[str]
    drug_class: DrugClass
    drug_class_label: str
    routes: list[Route] = Field(description="Every route it is approved for, by any regulator.")
    route_labels: list[str]
    summary: str = Field(description="Plain text, one or two sentences.")

    resolve_drug_class_label = label_of("drug_class")

    @staticmethod
    def resolve_routes(obj) -> list[str]:
        return [route.code for route in obj.routes.all()]

    @staticmethod
    def resolve_route_labels(obj) -> list[str]:
        return [str(route) for route in obj.routes.all()]

    @staticmethod
    def resolve_brand_names(obj) -> list[str]:
        return obj.brand_list


def _approval(date: datetime.date | None, precision: str, note: str) -> Approval | None:
    return Approval(date=date, precision=precision, note=note) if date else None


class TherapyOut(TherapySummary):
    class_description: str
    molecular_target: str
    mechanism: MarkdownText
    formulations: MarkdownText = Field(description="Every approved formulation, with the regulators that approved it.")
    dosing: MarkdownText
    approved_indications: list[IndicationOut] = Field(
        description="What each regulator approved it for, US first, with the regulator's qualifiers."
    )
    indication_notes: MarkdownText = Field(description="Who exactly it is approved for, by regulator.")
    practical: PracticalFactsOut = Field(description="How it is given, the checks it needs, pregnancy planning.")
    approvals: Approvals
    body: MarkdownText
    monitoring: MarkdownText
    pregnancy: SourcedSection = Field(description="Pregnancy and breastfeeding, with contraception durations.")
    contraindications: SourcedSection = Field(description="Who should not take it.")
    urgent_help: SourcedSection = Field(description="When to get urgent help.")
    trials: list[ContentLink] = Field(description="Live trials of this therapy.", validation_alias="live_trials")
    risks: list[RiskOfTherapy] = Field(description="Live risks, most frequent first (as on the page).")
    references: list[Source]

    @staticmethod
    def resolve_risks(obj) -> list:
        return Frequency.most_frequent_first(obj.live_risks, then=lambda link: link.risk.name)

    @staticmethod
    def resolve_approvals(obj) -> Approvals:
        return Approvals(
            fda=_approval(obj.fda_approval_date, obj.fda_approval_precision, obj.fda_approval_note),
            eu=_approval(obj.eu_approval_date, obj.eu_approval_precision, obj.eu_approval_note),
        )

    @staticmethod
    def resolve_approved_indications(obj) -> list:
        return [indication for _, indications in obj.indications_by_regulator for indication in indications]

    resolve_practical = staticmethod(practical_facts)
    resolve_mechanism = markdown_of("mechanism")
    resolve_formulations = markdown_of("formulations")
    resolve_pregnancy = section_of("pregnancy")
    resolve_contraindications = section_of("contraindications")
    resolve_urgent_help = section_of("urgent_help")
    resolve_dosing = markdown_of("dosing")
    resolve_indication_notes = markdown_of("indication_notes")
    resolve_body = markdown_of("body")
    resolve_monitoring = markdown_of("monitoring")


class TrialSummary(Reviewed):
    nct_id: str = Field(description="ClinicalTrials.gov id.")
    phase: Phase
    phase_label: str
    therapy: ContentLink | None = Field(
        description="The therapy studied; null while that therapy is off the site (never a link to a hidden page)."
    )
    summary: str

    resolve_phase_label = label_of("phase")

    @staticmethod
    def resolve_therapy(obj) -> object | None:
        return obj.therapy if obj.therapy.is_live else None


class OutcomeArm(Schema):
    label: str
    value: float | None = Field(
        description="The arm's annualised relapse rate, or the proportion of its people with the event (0 to 1); "
        "null for a ratio's arms."
    )
    n: int | None = Field(description="People in the arm; null where the sources read do not give it.")


class TrialOutcomeOut(Schema):
    position: int = Field(description="Identifies the outcome within its trial, and its order on the page.")
    label: str = Field(description="What was measured.")
    kind: OutcomeKind
    kind_label: str
    event: str = Field(description="For a proportion: what the people counted had.")
    time_frame: str
    is_primary: bool = Field(description="The trial's primary endpoint.")
    arms: list[OutcomeArm] = Field(description="For a hazard or rate ratio: the therapy's arm, then the comparator.")
    ratio: float | None = Field(description="A hazard or rate ratio, first arm against second.")
    ci_lower: float | None
    ci_upper: float | None
    ci_level: int = Field(description="The confidence level of the interval, in percent.")
    source: str
    in_words: str = Field(description="The outcome in natural frequencies, as the trial's page says it.")

    resolve_kind_label = label_of("kind")

    @staticmethod
    def resolve_in_words(obj) -> str:
        return outcome_summary(obj)


class TrialOut(TrialSummary):
    registry_url: str
    comparator: str
    population: str
    population_courses: list[Course]
    number_randomised: int = Field(description="People randomised (not those analysed).")
    duration: str
    primary_endpoint: str
    headline_result: str
    publication: str = Field(description="Citation of the main publication.")
    body: MarkdownText = Field(description="What the trial means for patients.")
    references: list[Source]
    outcomes: list[TrialOutcomeOut] = Field(description="Its structured outcomes, in the page's order.")

    resolve_body = markdown_of("body")

    @staticmethod
    def resolve_outcomes(obj) -> list:
        return sorted(obj.outcomes.all(), key=lambda outcome: outcome.position)


class RiskSummary(Reviewed):
    summary: str
    severity: Severity
    severity_label: str
    boxed_warning: bool = Field(description="Carries a boxed warning in the US prescribing information.")
    therapies: list[TherapyOfRisk] = Field(
        description="Live therapies with this risk and how often it occurs, most frequent first (as on the page)."
    )

    resolve_severity_label = label_of("severity")

    @staticmethod
    def resolve_therapies(obj) -> list:
        return Frequency.most_frequent_first(obj.live_links, then=lambda link: link.therapy.name)


class RiskOut(RiskSummary):
    description: MarkdownText
    monitoring: MarkdownText = Field(description="Monitoring and mitigation.")
    references: list[Source]

    resolve_description = markdown_of("description")
    resolve_monitoring = markdown_of("monitoring")


class ChangeOut(Schema):
    """One published change from the public change log."""

    id: int = Field(validation_alias="pk", description="The change request's number.")
    significance: Significance
    significance_label: str = Field(description="What the change log calls it, for example “Safety update”.")
    change_note: str = Field(
        validation_alias="note", description="The public note the reviewer published with the change, as corrected."
    )
    published_at: datetime.datetime = Field(validation_alias="at")
    corrected_at: datetime.datetime | None = Field(
        description="When a reviewer corrected the note after it was published; null if never."
    )
    pages: list[ContentLink] = Field(
        validation_alias="live_pages", description="The pages it changed that are live now."
    )

    @staticmethod
    def resolve_significance_label(obj) -> str:
        return Significance.heading_of(obj.significance)


def api_index_schema(collections: list[str]) -> type[Schema]:
    """The index's schema: a link to each kind's list the API serves (site/kinds.py), the change log, the
    OpenAPI description, its viewer and the notice."""
    fields = {name: (str, ...) for name in [*collections, "changes", "openapi", "docs", "notice"]}
    return create_model("ApiIndex", __base__=Schema, __doc__="Where everything is.", **fields)
