"""Editorial text: the words readers see that are not a therapy, trial or risk (DESIGN.md "Content model").

The home page's introduction and its drug-class descriptions, and the About page (the editorial
policy), were once written into templates, where nobody reviewed them and no history was kept.
Each is now a row of a content kind like the others, drafted, reviewed and published in change
requests. The templates keep only the structure: each `EditorialPlace` is one spot a template
fills, and a place holds at most one text.
"""

from django.db import models

from . import limits
from .content import PublishState
from .limits import MarkdownField
from .querysets import LiveQuerySet


class EditorialPlace(models.TextChoices):
    """Where a text appears. Declaration order is page order: the About page lists its sections in it."""

    HOME = "home", "Home page: title and introduction"
    HOME_IMMUNOTHERAPY = "home-immunotherapy", "Home page: what immunotherapy does in MS"
    HOME_CLASSES = "home-classes", "Home page: types of immunotherapy (introduction)"
    DRUG_CLASS_ANTI_CD20 = "drug-class-anti-cd20", "Home page: anti-CD20 monoclonal antibodies"
    DRUG_CLASS_ANTI_CD52 = "drug-class-anti-cd52", "Home page: anti-CD52 monoclonal antibody"
    DRUG_CLASS_S1P = "drug-class-s1p", "Home page: S1P receptor modulators"
    DRUG_CLASS_ANTI_INTEGRIN = "drug-class-anti-integrin", "Home page: anti-α4-integrin monoclonal antibody"
    DRUG_CLASS_ANTIMETABOLITE = "drug-class-antimetabolite", "Home page: purine antimetabolite"
    DRUG_CLASS_OTHER = "drug-class-other", "Home page: other immunotherapies"
    HOME_COURSES = "home-courses", "Home page: courses of MS (introduction)"
    ABOUT = "about", "About page: title and introduction"
    ABOUT_WHO = "about-who-we-are", "About page: who we are"
    ABOUT_WRITING = "about-writing", "About page: who writes and who checks our pages"
    ABOUT_SOURCES = "about-sources", "About page: where our facts come from"
    ABOUT_REVIEW = "about-review", "About page: how often pages are reviewed"
    ABOUT_CORRECTIONS = "about-corrections", "About page: corrections"
    ABOUT_WHAT_WE_DONT_DO = "about-what-we-dont-do", "About page: what we don't do"

    @classmethod
    def for_drug_class(cls, drug_class: str) -> str:
        """The place of a drug class's description on the home page ("drug-class-s1p")."""
        return f"drug-class-{drug_class}"

    @classmethod
    def about_sections(cls) -> list[str]:
        """The About page's sections after its introduction, in page order."""
        return [place.value for place in cls if place.value.startswith("about-")]


class EditorialTextQuerySet(LiveQuerySet):
    def by_place(self) -> dict[str, "EditorialText"]:
        """The texts as {place: text}: one query fills a page."""
        return {text.place: text for text in self}


class EditorialTextManager(models.Manager.from_queryset(EditorialTextQuerySet)):
    def get_by_natural_key(self, place: str):
        return self.get(place=place)


class EditorialText(PublishState):
    """One editorial text: a heading and its words, in one place on the home or About page."""

    place = models.CharField(
        max_length=40,
        choices=EditorialPlace.choices,
        unique=True,
        help_text="Where readers see it. Each place holds one text.",
        error_messages={"unique": "Another editorial text already fills this place: edit that one instead."},
    )
    title = models.CharField(
        max_length=200, help_text="The heading readers see (for an introduction, the page's title)."
    )
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="Plain text: the page's description in search results (a page introduction only; else empty).",
    )
    body = MarkdownField(
        max_length=limits.SECTION_TEXT, blank=True, help_text="Markdown. For an introduction, the lead paragraph."
    )

    objects = EditorialTextManager()

    class Meta:
        ordering = ["place"]
        verbose_name = "editorial text"

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.place,)
