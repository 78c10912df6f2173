"""The practical facts of a therapy, structured: how it is given, the checks it needs, pregnancy planning.

The therapy page's Markdown sections (dosing, monitoring, pregnancy) say all of this in prose, with
every detail. These fields hold the few facts a reader weighs when choosing with their MS team — where
a dose is given, how often, how long it takes, how many visits the labels set, how long to keep using
contraception after the last dose — in a form pages can compare and the decision aid (/choose/) can
read. They are fields of Therapy (this abstract model is one of its bases), so they are drafted,
reviewed, diffed, previewed, exported and published exactly like every other therapy field.

Counts are what the label's schedule sets for everyone, in a year: a dose is a day on which medicine is
taken or given (a day of tablets in a course counts as one); a visit is a trip to a clinic or hospital
that the label sets a time for (a dose given there, first-dose watching, a test at a fixed time). The
"first year" is the first 12 months (a dose due at month 12 counts in the second); "later years" give
the most any later year has. Checks for some people only, and tests the label asks for "regularly",
are named in the text but not counted. docs/CONTENT_SOURCES.md ("Practical facts") says where each
value was read.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from . import limits
from .limits import BoundedTextField
from .vocabulary import Regulator, Route

DAYS_IN_YEAR = 366

# "10 days", "1 week", "6 months": a contraception period as the labels give it.
PERIOD_PATTERN = r"^([1-9][0-9]?) (day|days|week|weeks|month|months)$"
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
validate_period = RegexValidator(
    PERIOD_PATTERN, message="Write the time as the label gives it: a number and days, weeks or months, like “6 months”."
)


class Setting(models.TextChoices):
    """Where a dose is taken or given (after any first dose with a professional)."""

    HOME = "home", "At home"
    CLINIC = "clinic", "At a clinic or infusion centre"
    HOSPITAL = "hospital", "In hospital"


# How the plain description names each route, and each setting.
ROUTE_WORDS = {
    Route.IV: "a drip into a vein",
    Route.ORAL: "a tablet or capsule by mouth",
    Route.SUBCUTANEOUS: "an injection under the skin",
    Route.INTRAMUSCULAR: "an injection into a muscle",
}
SETTING_WORDS = {Setting.HOME: "at home", Setting.CLINIC: "at a clinic", Setting.HOSPITAL: "in hospital"}


def _count(verbose_name: str, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MaxValueValidator(DAYS_IN_YEAR, message="A year has at most 366 days: give a count for one year.")],
        help_text=help_text,
    )


def _short_text(verbose_name: str, help_text: str) -> BoundedTextField:
    return BoundedTextField(verbose_name, max_length=limits.PLAIN_PARAGRAPH, blank=True, help_text=help_text)


def period_days(period: str) -> int | None:
    """"6 months" → 180: a contraception period in days, for ordering (None when none is given)."""
    found = re.match(PERIOD_PATTERN, period or "")
    if not found:
        return None
    unit = found.group(2).rstrip("s")
    return int(found.group(1)) * PERIOD_DAYS[unit]


class PracticalFacts(models.Model):
    """Abstract base of Therapy: its structured practical facts (see the module's docstring)."""

    # --- How it is given
    setting = models.CharField(
        "where it is given",
        max_length=8,
        choices=Setting.choices,
        blank=True,
        help_text="Where the usual dose is taken or given, after any first dose with a professional.",
    )
    schedule = models.CharField(
        "how often",
        max_length=150,
        blank=True,
        help_text="Plain words that follow the route, for example “every 6 months” or “once a day”.",
    )
    doses_first_year = _count(
        "doses in the first year", "Dose days in the first 12 months, as the label's schedule sets them."
    )
    doses_second_year = _count("doses in the second year", "Dose days in the second year.")
    doses_later_years = _count(
        "doses a year after that", "Dose days a year from the third year on, as planned (0: none are planned)."
    )
    dose_time = models.CharField(
        "how long a dose takes",
        max_length=200,
        blank=True,
        help_text="For example “about 1 hour, then 1 hour of watching”.",
    )

    # --- Monitoring
    checks_before = _short_text("checks before starting", "The tests and visits before the first dose, plainly.")
    checks_first_year = _short_text("checks in the first year", "The tests and visits in the first year, and when.")
    checks_later = _short_text("checks in later years", "The tests and visits after the first year, and when.")
    visits_first_year = _count(
        "visits in the first year",
        "Trips to a clinic or hospital the labels set a time for in the first 12 months: doses given there, "
        "first-dose watching, tests at a set time.",
    )
    visits_later_years = _count(
        "visits a year after that", "The same count for a later year (the most, if years differ)."
    )

    # --- Pregnancy planning
    contraception_us = models.CharField(
        "contraception after the last dose (US)",
        max_length=12,
        blank=True,
        validators=[validate_period],
        help_text="As the US label gives it, like “6 months”; empty if the label read gives no time.",
    )
    contraception_eu = models.CharField(
        "contraception after the last dose (EU)",
        max_length=12,
        blank=True,
        validators=[validate_period],
        help_text="As the EU label gives it, like “4 months”; empty if the label read gives no time.",
    )
    contraception_note = _short_text(
        "more on contraception", "What else the labels say: after each course, for men too, a barrier method."
    )
    washout = _short_text(
        "stopping before a pregnancy",
        "What the labels say about stopping before trying for a baby, and any way to clear the medicine faster.",
    )
    breastfeeding_us = _short_text("breastfeeding (US)", "What the US label says; empty if it was not read.")
    breastfeeding_eu = _short_text("breastfeeding (EU)", "What the EU label says; empty if it was not read.")

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        given = [self.setting, self.schedule, self.doses_first_year, self.dose_time]
        if any(value not in ("", None) for value in given) and not (self.setting and self.schedule):
            raise ValidationError(
                {
                    ("schedule" if self.setting else "setting"): "Give both where it is given and how often: "
                    "the plain description readers see needs both."
                }
            )

    def plain_description(self, routes=None) -> str:
        """"A drip into a vein every 6 months, at a clinic.": how it is given, in one plain sentence.

        `routes` are route codes (a preview passes its draft's); by default the saved, prefetched `routes`.
        Empty when the facts are not entered yet."""
        if not (self.setting and self.schedule):
            return ""
        codes = list(routes) if routes is not None else [route.code for route in self.routes.all()]
        ways = [ROUTE_WORDS[code] for code in codes if code in ROUTE_WORDS] or ["it"]
        sentence = f"{' or '.join(ways)} {self.schedule}, {SETTING_WORDS[self.setting]}."
        return sentence[0].upper() + sentence[1:]

    def contraception_period(self, regulator: str) -> str:
        """The contraception period after the last dose as one regulator's label gives it ("" if none)."""
        return self.contraception_us if regulator == Regulator.FDA else self.contraception_eu


PRACTICAL_FIELDS = ("setting", "schedule", "doses_first_year", "doses_second_year", "doses_later_years", "dose_time")
MONITORING_FIELDS = ("checks_before", "checks_first_year", "checks_later", "visits_first_year", "visits_later_years")
PREGNANCY_FIELDS = (
    "contraception_us", "contraception_eu", "contraception_note", "washout", "breastfeeding_us", "breastfeeding_eu"
)
