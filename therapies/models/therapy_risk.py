"""A therapy–risk link: how often a risk occurs with one therapy, with the sourced figure and, where the
sources give one, the comparison group's figure from the same trial (DESIGN.md "Medical content")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from . import limits
from .content import Frequency, Risk, Therapy, Trial
from .limits import BoundedTextField
from .querysets import TherapyRiskQuerySet
from .risk_figures import figure_errors


class TherapyRiskManager(models.Manager.from_queryset(TherapyRiskQuerySet)):
    def get_by_natural_key(self, therapy_slug: str, risk_slug: str):
        return self.get(therapy__slug=therapy_slug, risk__slug=risk_slug)


class TherapyRisk(models.Model):
    """How often a risk occurs with one therapy, with the sourced figure."""

    therapy = models.ForeignKey(Therapy, on_delete=models.CASCADE, related_name="therapy_risks")
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="therapy_risks")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    figure = models.CharField(
        max_length=300, blank=True, help_text="The sourced figure, as text, for example “92% (3% serious)”."
    )
    measure = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the figure counts, in which people and over what time, with its source, for example "
        "“ALT ≥3× upper limit of normal, 2-year placebo-controlled trials (EU SmPC)”.",
    )
    category_counts = models.CharField(
        "what the category counts",
        max_length=150,
        blank=True,
        help_text="Only where the label's frequency category counts something other than the figure, for "
        "example “ALT increased (any degree)” beside a figure for ALT ≥3× the upper limit of normal.",
    )
    comparator = models.CharField(
        "comparison group",
        max_length=100,
        blank=True,
        help_text="The group the comparator's figure is from, as in the trial: “placebo”, or the active drug "
        "by name (“interferon beta-1a”). Empty where the sources give no comparator figure.",
    )
    comparator_figure = models.CharField(
        "comparator's figure",
        max_length=100,
        blank=True,
        help_text="The same measure in the comparison group, from the same source, for example “52.7%”.",
    )
    comparator_trial = models.ForeignKey(
        Trial,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="compared_risks",
        verbose_name="trial compared in",
        help_text="The trial both figures come from (the first one where the source pooled two).",
    )
    boxed_warning = models.BooleanField(
        default=False, help_text="This therapy's US prescribing information has a boxed warning about this risk."
    )
    notes = BoundedTextField(max_length=limits.PLAIN_PARAGRAPH, blank=True)

    objects = TherapyRiskManager()

    class Meta:
        ordering = ["therapy__name", "risk__name"]
        constraints = [
            models.UniqueConstraint(fields=["therapy", "risk"], name="unique_therapy_risk"),
        ]
        verbose_name = "therapy risk"

    def __str__(self) -> str:
        return f"{self.therapy} — {self.risk}: {self.get_frequency_display()}"

    @property
    def figure_states_a_number(self) -> bool:
        """Its figure gives a number, which a reader then needs beside the comparison group's (or told there is
        none); a figure in words ("Must not be used in pregnancy (EU)") compares with nothing."""
        return any(ch.isdigit() for ch in self.figure)

    def natural_key(self) -> tuple[str, str]:
        return (self.therapy.slug, self.risk.slug)

    natural_key.dependencies = ["therapies.therapy", "therapies.risk"]

    def clean(self) -> None:
        errors = figure_errors(
            frequency=self.frequency, figure=self.figure, measure=self.measure, comparator=self.comparator,
            comparator_figure=self.comparator_figure, category_counts=self.category_counts,
        )
        if self.comparator_trial_id and self.therapy_id:
            trial = Trial._base_manager.filter(pk=self.comparator_trial_id).first()
            if trial is None or trial.therapy_id != self.therapy_id:
                errors["comparator_trial"] = (
                    f"{trial or 'That trial'} is not a trial of {self.therapy}: choose one of its own."
                )
        if errors:
            raise ValidationError(errors)

