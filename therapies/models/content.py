"""Content models: therapies, trials, risks and the sources behind them.

Live rows hold exactly what the public sees. `live` and the review-date fields
are set by publishing (and by the seed fixtures); public code reads them only
through `.live()`, `live_q()` and `is_live` (querysets.py).
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from . import limits
from .limits import BoundedTextField, MarkdownField
from .practical import PracticalFacts
from .querysets import LiveQuerySet, Publishable
from .urls import slug_url

# Re-exported: migrations name validate_not_future by this module's path.
from .validators import (
    validate_doi,
    validate_nct_id,
    validate_not_future,
    validate_pmid,
    validate_slug,
)
from .vocabulary import AdministrationRoute, Indication, MSCourse, by_regulator

T = TypeVar("T")  # a therapy–risk link: a saved TherapyRisk, or an unsaved one in a preview

# --- Choices --------------------------------------------------------------------


class DrugClass(models.TextChoices):
    ANTI_CD20 = "anti-cd20", "Anti-CD20 monoclonal antibody"
    ANTI_CD52 = "anti-cd52", "Anti-CD52 monoclonal antibody"
    S1P = "s1p", "S1P receptor modulator"
    ANTI_INTEGRIN = "anti-integrin", "Anti-α4-integrin monoclonal antibody"
    ANTIMETABOLITE = "antimetabolite", "Purine antimetabolite"
    OTHER = "other", "Other"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Phase(models.TextChoices):
    PHASE_1 = "1", "Phase 1"
    PHASE_1_2 = "1/2", "Phase 1/2"
    PHASE_2 = "2", "Phase 2"
    PHASE_2_3 = "2/3", "Phase 2/3"
    PHASE_3 = "3", "Phase 3"
    PHASE_4 = "4", "Phase 4"


class Severity(models.TextChoices):
    """How serious a risk is when it happens (not how often: see Frequency)."""

    LIFE_THREATENING = "life-threatening", "Potentially life-threatening"
    SERIOUS = "serious", "Serious"
    MODERATE = "moderate", "Moderate"
    MILD = "mild", "Usually mild"


class Frequency(models.TextChoices):
    """CIOMS III categories used in EU product information."""

    VERY_COMMON = "very-common", "Very common (1 in 10 or more)"
    COMMON = "common", "Common (1 in 100 to 1 in 10)"
    UNCOMMON = "uncommon", "Uncommon (1 in 1,000 to 1 in 100)"
    RARE = "rare", "Rare (1 in 10,000 to 1 in 1,000)"
    VERY_RARE = "very-rare", "Very rare (less than 1 in 10,000)"
    NOT_KNOWN = "not-known", "Not known (cannot be estimated from the available data)"

    @classmethod
    def most_frequent_first(cls, links: Iterable[T], *, then: Callable[[T], str]) -> list[T]:
        """Therapy–risk links in the order every page lists them: most frequent first, "not known" last
        (the declaration order above), ties by `then` — the name of the link's other end."""
        rank = {value: position for position, value in enumerate(cls.values)}
        return sorted(links, key=lambda link: (rank[link.frequency], then(link)))


class ReferenceKind(models.TextChoices):
    ARTICLE = "article", "Journal article"
    REGISTRY = "registry", "Trial registry record"
    LABEL = "label", "Product label / prescribing information"
    REGULATORY = "regulatory", "Regulatory notice"
    WEB = "web", "Web page"


# --- Natural-key managers (fixtures load by slug, so loading twice updates, never duplicates)


class SlugManager(models.Manager.from_queryset(LiveQuerySet)):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class ReferenceManager(models.Manager.from_queryset(LiveQuerySet)):
    def get_by_natural_key(self, key: str):
        return self.get(key=key)


# --- Models -----------------------------------------------------------------------


class PublishState(Publishable, models.Model):
    """Publish and review state shared by every content model (Wagtail's DraftStateMixin)."""

    # Every field here is editable=False: only the workflow writes them, so no form, snapshot or diff
    # offers them (a hand-kept exclusion list once let "live" into an edit form).
    live = models.BooleanField(
        default=False, db_index=True, editable=False, help_text="Published and not withdrawn: visible to the public."
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    next_review_due = models.DateField(null=True, blank=True, db_index=True, editable=False)
    unpublish_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="When set, publish_scheduled unpublishes it at this time.",
    )
    # Who asked for the scheduled unpublishing and why: it happens in their name, with their reason.
    unpublish_reason = BoundedTextField(max_length=limits.REASON, blank=True, editable=False)
    unpublish_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Full-text search document, kept current on publish (search.py); GIN-indexed on PostgreSQL.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    live_revision = models.ForeignKey(
        "therapies.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The revision the live row was published from (none for content loaded from the seed).",
    )

    objects = SlugManager()

    class Meta:
        abstract = True

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def review_overdue(self) -> bool:
        """Past its review date, and live: a page off the site, or never published, is due no review (issue 23)."""
        return bool(self.is_live and self.next_review_due and self.next_review_due < timezone.localdate())


class Reference(PublishState):
    """A source a page cites. Which identifier is required depends on the kind.

    A content kind like the others (models/kinds.py): created and changed only in change requests,
    so a source's title or address can never change under a page without a second person seeing it
    (a source edited in place once put "Stop your MS treatment now" on a live page, issue 11).
    It has no page of its own; pages show the live ones they cite.
    """

    key = models.SlugField(
        max_length=80,
        unique=True,
        validators=[validate_slug],
        help_text="Short stable name, for example “hauser-2017-nejm”.",
    )
    kind = models.CharField(max_length=12, choices=ReferenceKind.choices)
    title = models.CharField(max_length=400)
    source = models.CharField(
        max_length=200, help_text="Journal with volume and pages, registry or agency."
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    authors = models.CharField(max_length=200, blank=True, help_text="For example “Hauser SL, et al.”")
    pmid = models.CharField("PubMed id", max_length=9, blank=True, validators=[validate_pmid])
    doi = models.CharField("DOI", max_length=200, blank=True, validators=[validate_doi])
    nct_id = models.CharField(
        "ClinicalTrials.gov id", max_length=11, blank=True, validators=[validate_nct_id]
    )
    url = models.URLField("Web address", max_length=500, blank=True)

    objects = ReferenceManager()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.citation

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    @property
    def review_label(self) -> str:
        """How a reviewer's diff names a cited source: its citation and where its link goes."""
        return f"{self.citation} <{self.link}>" if self.link else self.citation

    def clean(self) -> None:
        errors = {}
        if self.kind == ReferenceKind.ARTICLE and not (self.pmid or self.doi):
            errors["pmid"] = "A journal article needs a PubMed id or a DOI."
        if self.kind == ReferenceKind.REGISTRY and not self.nct_id:
            errors["nct_id"] = "A trial registry record needs its ClinicalTrials.gov id."
        if self.kind in (ReferenceKind.LABEL, ReferenceKind.REGULATORY, ReferenceKind.WEB) and not self.url:
            errors["url"] = "This kind of source needs the address (URL) where it can be read."
        if self.year and not 1900 <= self.year <= timezone.localdate().year:
            errors["year"] = "Give the year of publication, between 1900 and this year."
        if errors:
            raise ValidationError(errors)

    @property
    def link(self) -> str:
        """The best public address of the source."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.nct_id:
            return f"https://clinicaltrials.gov/study/{self.nct_id}"
        return self.url

    @property
    def citation(self) -> str:
        parts = [p for p in (self.authors, self.title, self.source) if p]
        text = ". ".join(p.rstrip(".") for p in parts)
        if self.year and str(self.year) not in self.source:
            text += f" ({self.year})"
        return text


class Therapy(PracticalFacts, PublishState):
    name = models.CharField("generic name", max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, validators=[validate_slug], help_text="Lower-case INN, for example “ocrelizumab”."
    )
    brand_names = models.CharField(max_length=200, help_text="Comma-separated, for example “Ocrevus”.")
    drug_class = models.CharField(max_length=20, choices=DrugClass.choices, db_index=True)
    class_description = models.CharField(
        max_length=200, help_text="For example “humanised anti-CD20 monoclonal antibody”."
    )
    molecular_target = models.CharField(max_length=100)
    mechanism = MarkdownField("how it works", max_length=limits.SECTION_TEXT, help_text="Markdown.")
    routes = models.ManyToManyField(
        AdministrationRoute, related_name="therapies", help_text="Every route it is approved for, by any regulator."
    )
    formulations = MarkdownField(
        max_length=limits.SECTION_TEXT,
        blank=True, help_text="Every approved formulation, with the regulators that approved it. Markdown."
    )
    dosing = MarkdownField(max_length=limits.SECTION_TEXT, help_text="Markdown.")
    # Not "indications": revisions saved before 0016 hold MS course ids under that name, which must never
    # be read as ids of these rows (a revert of such a revision drafts no indications instead).
    approved_indications = models.ManyToManyField(
        Indication,
        related_name="therapies",
        help_text="What each regulator approved it for, with the regulator's qualifiers.",
    )
    indication_notes = MarkdownField(
        max_length=limits.SECTION_TEXT, blank=True, help_text="Who exactly it is approved for, by regulator. Markdown."
    )
    fda_approval_date = models.DateField(
        "first FDA approval", null=True, blank=True, validators=[validate_not_future]
    )
    fda_approval_precision = models.CharField(
        "FDA approval date precision",
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    fda_approval_note = models.CharField("FDA approval note", max_length=200, blank=True)
    eu_approval_date = models.DateField(
        "first EU approval", null=True, blank=True, validators=[validate_not_future]
    )
    eu_approval_precision = models.CharField(
        "EU approval date precision",
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    eu_approval_note = models.CharField("EU approval note", max_length=200, blank=True)
    summary = models.CharField(
        max_length=300, help_text="Plain text, one or two sentences: used in lists and the meta description."
    )
    body = MarkdownField(max_length=limits.MAIN_TEXT, help_text="Markdown.")
    monitoring = MarkdownField(max_length=limits.SECTION_TEXT, help_text="Markdown.")
    # The three sections every live therapy must have (DESIGN.md "Content model"; publishing checks them
    # through the therapy kind's required_sections, kinds.py). Blank is allowed in a draft, written in steps.
    pregnancy = MarkdownField(
        "pregnancy and breastfeeding",
        max_length=limits.SECTION_TEXT,
        blank=True,
        help_text="Pregnancy, breastfeeding, and contraception with how long after stopping, by regulator. Markdown.",
    )
    pregnancy_references = models.ManyToManyField(
        Reference, blank=True, related_name="therapies_pregnancy", verbose_name="pregnancy and breastfeeding sources"
    )
    contraindications = MarkdownField(
        "who should not take it",
        max_length=limits.SECTION_TEXT,
        blank=True,
        help_text="Contraindications, by regulator. Markdown.",
    )
    contraindications_references = models.ManyToManyField(
        Reference, blank=True, related_name="therapies_contraindications", verbose_name="who should not take it sources"
    )
    urgent_help = MarkdownField(
        "when to get urgent help",
        max_length=limits.SECTION_TEXT,
        blank=True,
        help_text="Warning symptoms and what to do. Markdown.",
    )
    urgent_help_references = models.ManyToManyField(
        Reference, blank=True, related_name="therapies_urgent_help", verbose_name="when to get urgent help sources"
    )
    references = models.ManyToManyField(Reference, blank=True, related_name="therapies")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "therapies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("therapy_detail", self.slug)

    @property
    def brand_list(self) -> list[str]:
        return [b.strip() for b in self.brand_names.split(",") if b.strip()]

    # A list page prefetches these into plain lists (`Prefetch(..., to_attr=...)`): prefetching into the managers
    # makes a queryset for every row, which was most of the time of a list of 50 (issue 27).
    LISTED_ROUTES, LISTED_INDICATIONS = "listed_routes", "listed_indications"

    @property
    def indications_by_regulator(self) -> list[tuple[str, list[Indication]]]:
        """Its approved indications grouped by regulator, US first (reads a prefetched `approved_indications`)."""
        listed = getattr(self, self.LISTED_INDICATIONS, None)
        return by_regulator(self.approved_indications.all() if listed is None else listed)

    @property
    def route_names(self) -> str:
        """"IV infusion and Subcutaneous injection" (reads a prefetched `routes`)."""
        listed = getattr(self, self.LISTED_ROUTES, None)
        names = [str(route) for route in (self.routes.all() if listed is None else listed)]
        return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""


class Trial(PublishState):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug])
    nct_id = models.CharField(
        "ClinicalTrials.gov id",
        max_length=11,
        unique=True,
        validators=[validate_nct_id],
        error_messages={"unique": "Another trial already has this ClinicalTrials.gov id."},
    )
    phase = models.CharField(max_length=3, choices=Phase.choices)
    therapy = models.ForeignKey(
        Therapy, on_delete=models.PROTECT, related_name="trials", help_text="The therapy studied."
    )
    comparator = models.CharField(max_length=200)
    population = BoundedTextField(max_length=limits.PLAIN_PARAGRAPH, help_text="Who took part. Plain text.")
    population_courses = models.ManyToManyField(MSCourse, related_name="trials", blank=True)
    number_randomised = models.PositiveIntegerField(
        validators=[MinValueValidator(1, "The number randomised must be at least 1.")]
    )
    duration = models.CharField(max_length=100)
    primary_endpoint = BoundedTextField(max_length=limits.PLAIN_PARAGRAPH)
    headline_result = BoundedTextField(max_length=limits.PLAIN_PARAGRAPH, help_text="Plain text, with the figures.")
    publication = models.CharField(max_length=300, help_text="Citation of the main publication.")
    summary = models.CharField(max_length=300, help_text="Plain text for lists and the meta description.")
    body = MarkdownField(
        max_length=limits.MAIN_TEXT, blank=True, help_text="What the trial means for patients. Markdown."
    )
    references = models.ManyToManyField(Reference, blank=True, related_name="trials")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("trial_detail", self.slug)

    @property
    def registry_url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"


class Risk(PublishState):
    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug])
    summary = models.CharField(max_length=300, help_text="Plain text for lists and the meta description.")
    description = MarkdownField(max_length=limits.MAIN_TEXT, help_text="Markdown.")
    severity = models.CharField(max_length=20, choices=Severity.choices)
    boxed_warning = models.BooleanField(
        default=False, help_text="Carries a boxed warning in the US prescribing information."
    )
    monitoring = MarkdownField("monitoring and mitigation", max_length=limits.SECTION_TEXT, help_text="Markdown.")
    references = models.ManyToManyField(Reference, blank=True, related_name="risks")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("risk_detail", self.slug)
