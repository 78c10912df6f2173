"""Controlled vocabularies content is described with: MS courses, approved indications, routes.

These rows are reference data, not reviewed content: they come from fixtures/ (and, for the four
routes, from a migration), they are read-only in the admin, and a change to them is a change to
the repository, reviewed there. What a therapy page says about them (which indications a therapy
has, by which route it is given) is part of the therapy's snapshot and goes through review.

An **indication** is what one regulator approved a medicine for, with that regulator's
qualifiers kept in its name ("Highly active relapsing-remitting MS …", "Early primary
progressive MS with inflammatory activity on MRI"). Pages list indications, never bare MS
courses, so a qualified approval is never shortened to a course it does not cover. Each
indication also names the MS courses (Lublin 2014) it falls under, which the therapy list's
"MS course" filter uses.
"""

from django.db import models


class Route(models.TextChoices):
    IV = "iv", "IV infusion"
    ORAL = "oral", "Oral"
    SUBCUTANEOUS = "sc", "Subcutaneous injection"
    INTRAMUSCULAR = "im", "Intramuscular injection"


class Regulator(models.TextChoices):
    """The regulators whose approvals pages report, in the order pages list them."""

    FDA = "fda", "United States (FDA)"
    EU = "eu", "European Union"

    @classmethod
    def short(cls, value: str) -> str:
        """"US" or "EU": how a compact list names the regulator."""
        return {cls.FDA: "US", cls.EU: "EU"}.get(value, value)


class CodeManager(models.Manager):
    """Fixtures and snapshots name vocabulary rows by their code (natural key)."""

    def get_by_natural_key(self, code: str):
        return self.get(code=code)


class MSCourse(models.Model):
    """A course of multiple sclerosis (Lublin 2014): CIS, RRMS, SPMS, PPMS."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    objects = CodeManager()

    class Meta:
        ordering = ["position"]
        verbose_name = "MS course"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class AdministrationRoute(models.Model):
    """How a medicine is given. A therapy lists every route it is approved for (Therapy.routes)."""

    code = models.CharField(max_length=4, unique=True, choices=Route.choices)
    position = models.PositiveSmallIntegerField(default=0)

    objects = CodeManager()

    class Meta:
        ordering = ["position"]
        verbose_name = "route"

    def __str__(self) -> str:
        return self.get_code_display()

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Indication(models.Model):
    """One regulator's approved use, with its qualifiers: "EU: Highly active relapsing-remitting MS …"."""

    code = models.SlugField(max_length=40, unique=True, help_text="For example “eu-ppms-early”.")
    regulator = models.CharField(max_length=3, choices=Regulator.choices)
    name = models.CharField(
        max_length=300,
        help_text="As lists show it, with every qualifier the regulator sets (“active”, “highly active”, “early”).",
    )
    wording = models.TextField(help_text="The regulator's own wording, as in the label's indications section.")
    courses = models.ManyToManyField(
        MSCourse, related_name="indications", help_text="The MS courses this approval falls under (for filtering)."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = CodeManager()

    class Meta:
        ordering = ["position"]  # fixtures number the US indications before the EU ones

    def __str__(self) -> str:
        return f"{Regulator.short(self.regulator)}: {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)


def by_regulator(indications) -> list[tuple[str, list[Indication]]]:
    """[(regulator label, its indications)] in Regulator order, regulators without any left out."""
    rows = list(indications)
    grouped = [(label, [i for i in rows if i.regulator == value]) for value, label in Regulator.choices]
    return [(label, items) for label, items in grouped if items]
