"""A trial's structured outcomes: the numbers natural frequencies and charts are drawn from (DESIGN.md
"Content model" → Trial).

An outcome is a child row of its trial, like a therapy's risk rows: drafted, snapshotted, diffed and
published with the trial (models/kinds.py). Its arms are kept on the row as a short list,

    [{"label": "Ocrelizumab", "value": 0.16, "n": 410}, {"label": "Interferon beta-1a", "value": 0.29, "n": 411}]

`value` is the arm's annualised relapse rate (relapses per person per year, ≥ 0) or the proportion of
its people who had the event, **as a fraction from 0 to 1** (0.329, never 32.9). `n` is the number of
people in the arm, or null where the sources read do not give it (docs/CONTENT_SOURCES.md says which).
A hazard or rate ratio compares the first arm (the therapy) with the second (the comparator); it is
kept in `ratio` with its confidence interval, and its arms carry no value.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.db import models

from .content import Trial

MAX_ARMS = 6
MAX_ARM_LABEL = 100


class OutcomeKind(models.TextChoices):
    ARR = "arr", "Annualised relapse rate"
    PROPORTION = "proportion", "Proportion of people with an event"
    HAZARD_RATIO = "hazard-ratio", "Hazard ratio"
    RATE_RATIO = "rate-ratio", "Rate ratio"

    @classmethod
    def ratios(cls) -> tuple[str, ...]:
        return (cls.HAZARD_RATIO, cls.RATE_RATIO)


class TrialOutcomeManager(models.Manager):
    def get_by_natural_key(self, trial_slug: str, position: int):
        """Seed and backup rows are matched by (trial slug, outcome number): loading again updates them."""
        return self.get(trial__slug=trial_slug, position=position)


class TrialOutcome(models.Model):
    """One measured outcome of a trial, with the value per arm (or the ratio between two arms)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="outcomes")
    label = models.CharField(
        "outcome",
        max_length=150,
        help_text="What was measured, in words that follow “a lower rate of” or “a lower risk of”, for example "
        "“relapses” or “disability getting worse, confirmed after 12 weeks”.",
    )
    kind = models.CharField(max_length=12, choices=OutcomeKind.choices)
    event = models.CharField(
        max_length=150,
        blank=True,
        help_text="For a proportion: what the people counted had, to complete “about 33 in 100 people …”, "
        "for example “had disability that got worse, confirmed after 12 weeks”.",
    )
    time_frame = models.CharField(max_length=100, help_text="Over what time, for example “96 weeks”.")
    position = models.PositiveSmallIntegerField(
        "outcome number", default=1, help_text="Identifies the outcome within its trial, and its order on the page."
    )
    is_primary = models.BooleanField("primary endpoint", default=False)
    arms = models.JSONField(
        default=list,
        blank=True,
        help_text="Each arm: its label, its value (a rate, or a proportion from 0 to 1) and how many people it had.",
    )
    ratio = models.FloatField(null=True, blank=True, help_text="A hazard or rate ratio: first arm against second.")
    ci_lower = models.FloatField("lower confidence limit", null=True, blank=True)
    ci_upper = models.FloatField("upper confidence limit", null=True, blank=True)
    ci_level = models.PositiveSmallIntegerField("confidence level (%)", default=95)
    source = models.CharField(
        max_length=300, help_text="Where the numbers were read, for example “NEJM 2017 abstract”."
    )

    objects = TrialOutcomeManager()

    class Meta:
        ordering = ["trial__name", "position"]
        constraints = [models.UniqueConstraint(fields=["trial", "position"], name="unique_trial_outcome")]
        verbose_name = "trial outcome"

    def __str__(self) -> str:
        return f"{self.label} ({self.get_kind_display().lower()})"

    def natural_key(self) -> tuple[str, int]:
        return (self.trial.slug, self.position)

    natural_key.dependencies = ["therapies.trial"]

    @property
    def is_ratio(self) -> bool:
        return self.kind in OutcomeKind.ratios()

    def clean(self) -> None:
        # The trial may be the unsaved draft being validated (editorial/snapshots.py assigns it).
        has_trial = self.trial_id is not None or TrialOutcome.trial.is_cached(self)
        randomised = self.trial.number_randomised if has_trial and self.trial is not None else None
        errors = outcome_errors(self, number_randomised=randomised)
        if errors:
            raise ValidationError(errors)


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _arm_errors(outcome: TrialOutcome, number_randomised: int | None) -> list[str]:
    arms = outcome.arms
    if not isinstance(arms, list) or not all(isinstance(arm, dict) for arm in arms):
        return ["List each arm with its label, value and number of people."]
    problems = []
    if not 2 <= len(arms) <= MAX_ARMS:
        problems.append(f"An outcome compares 2 to {MAX_ARMS} arms; this one has {len(arms)}.")
    total = 0
    for index, arm in enumerate(arms, start=1):
        name = str(arm.get("label") or "").strip()
        where = f"Arm {index}" + (f" (“{name}”)" if name else "")
        if not name:
            problems.append(f"{where}: give the arm a label, for example “Placebo”.")
        elif len(name) > MAX_ARM_LABEL:
            problems.append(f"Arm {index}: keep its label to {MAX_ARM_LABEL} characters (it has {len(name)}).")
        n = arm.get("n")
        if n is not None:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                problems.append(f"{where}: the number of people must be a whole number of at least 1.")
            elif number_randomised is not None and n > number_randomised:
                problems.append(f"{where}: {n} people is more than the {number_randomised} randomised.")
            else:
                total += n
        problems += _value_errors(outcome, where, arm.get("value"))
    if number_randomised is not None and total > number_randomised:
        problems.append(f"The arms add up to {total} people, more than the {number_randomised} randomised.")
    return problems


def _value_errors(outcome: TrialOutcome, where: str, raw) -> list[str]:
    value = _number(raw)
    if outcome.is_ratio:
        return [] if raw is None else [f"{where}: a ratio's arms carry no value; put the ratio in “Ratio”."]
    if value is None:
        return [f"{where}: give the arm's value as a number."]
    if outcome.kind == OutcomeKind.ARR and value < 0:
        return [f"{where}: an annualised relapse rate cannot be negative ({raw})."]
    if outcome.kind == OutcomeKind.PROPORTION and not 0 <= value <= 1:
        return [f"{where}: give a proportion as a fraction from 0 to 1 (32.9% is 0.329), not {raw}."]
    return []


def _ratio_errors(outcome: TrialOutcome) -> dict[str, str]:
    ratio, lower, upper = outcome.ratio, outcome.ci_lower, outcome.ci_upper
    if not outcome.is_ratio:
        given = [name for name in ("ratio", "ci_lower", "ci_upper") if getattr(outcome, name) is not None]
        return {name: "Only a hazard or rate ratio has a ratio and confidence limits." for name in given}
    if ratio is None or ratio <= 0:
        return {"ratio": "Give the ratio, a number above 0 (0.76 means 24% lower)."}
    if lower is None or upper is None:
        return {"ci_lower": "A ratio needs its confidence interval: give the lower and upper limits."}
    if not 0 < lower <= ratio <= upper:
        return {"ratio": f"The confidence interval must hold the ratio: {lower} ≤ {ratio} ≤ {upper} is not true."}
    if not 50 <= outcome.ci_level < 100:
        return {"ci_level": "Give the confidence level as a percentage below 100, for example 95."}
    return {}


def outcome_errors(outcome: TrialOutcome, *, number_randomised: int | None) -> dict[str, str]:
    """What is wrong with an outcome, by field, in the editor's words."""
    errors = _ratio_errors(outcome)
    if outcome.kind == OutcomeKind.PROPORTION and not (outcome.event or "").strip():
        errors["event"] = "Say what the people counted had, to complete “about 33 in 100 people …”."
    arm_problems = _arm_errors(outcome, number_randomised)
    if arm_problems:
        errors["arms"] = " ".join(arm_problems)
    if outcome.is_ratio and not errors.get("arms") and len(outcome.arms) != 2:
        errors["arms"] = "A ratio compares exactly two arms: the therapy first, then the comparator."
    return errors
