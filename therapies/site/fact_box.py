"""Fact boxes (DESIGN.md "Reader understanding"; the Harding Center's model): what happened to 100 people on
the drug and 100 people on its comparator, in one trial, over the trial's time.

Every number is computed from stored, reviewed numbers, never typed a second time: the benefits from the
trial's outcomes (models/outcomes.py), the harms from the therapy's risk links whose comparator figure comes
from this trial (models/therapy_risk.py). A harm stated for this trial without a comparator figure says
that the sources give none, rather than leaving a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import OutcomeKind
from ..models.risk_figures import stated_range
from . import frequencies

NO_COMPARATOR = "None known: the sources give no figure for this group"


@dataclass(frozen=True)
class FactRow:
    label: str  # "Relapses a year" / "Infections"
    drug: str  # "16" or "20 to 25" or "fewer than 1"
    comparator: str  # the same, or NO_COMPARATOR
    counts: str = ""  # what the number counts, behind "What this number counts"
    words: str = ""  # a ratio's result in words, where the arms carry no numbers

    @property
    def has_comparator(self) -> bool:
        return self.comparator != NO_COMPARATOR


@dataclass
class FactBox:
    trial: object
    drug_arm: str
    comparator_arm: str
    benefits: list[FactRow] = field(default_factory=list)
    harms: list[FactRow] = field(default_factory=list)

    @property
    def time(self) -> str:
        """The trial's time frame for the header: "96 weeks" ("at least 120 weeks", without the notes)."""
        duration = re.sub(r"\s*\([^)]*\)", "", self.trial.duration).strip()
        return duration[:1].lower() + duration[1:]

    @property
    def active_comparator(self) -> bool:
        return not self.trial.comparator.lower().startswith("placebo")

    @property
    def comparator_note(self) -> str:
        """"Compared with interferon beta-1a, not with no treatment." for an active comparator."""
        if not self.active_comparator:
            return "Compared with a placebo (a dummy treatment)."
        return f"Compared with {self.comparator_arm[:1].lower() + self.comparator_arm[1:]}, not with no treatment."


def per_100(fraction: float | Decimal) -> str:
    """A fraction as a count out of 100 people: 0.16 → "16", 0.008 → "fewer than 1", 0 → "0"."""
    count = frequencies._round(Decimal(str(fraction)) * 100)
    if count == 0 and fraction > 0:
        return "fewer than 1"
    return f"{count:,}"


def percent_per_100(text: str) -> str | None:
    """The first percentage a figure states, out of 100 people: "20–25%" → "20 to 25"; None if it states none."""
    found = stated_range(text or "") if "%" in (text or "") else None
    if found is None:
        return None
    low, high = (per_100(Decimal(str(value)) / 100) for value in found)
    return low if low == high else f"{low} to {high}"


def _benefit_rows(outcomes) -> list[FactRow]:
    rows = []
    for outcome in sorted(outcomes, key=lambda o: (not o.is_primary, o.position)):
        if outcome.is_ratio:
            rows.append(FactRow(outcome.label[:1].upper() + outcome.label[1:], "", "",
                                counts=f"{outcome.source}; {outcome.time_frame}",
                                words=frequencies.outcome_summary(outcome)))
            continue
        valued = [arm for arm in outcome.arms if arm.get("value") is not None]
        if len(valued) < 2:
            continue
        first, last = valued[0], valued[-1]
        if outcome.kind == OutcomeKind.ARR:
            label = "Relapses a year"
            counts = "Relapses a year for every 100 people (the annualised relapse rate × 100)"
        else:
            label = f"People who {outcome.event}"
            counts = f"People who {outcome.event}, out of 100"
        rows.append(FactRow(label, per_100(first["value"]), per_100(last["value"]),
                            counts=f"{counts}; {outcome.time_frame}; {outcome.source}"))
    return rows


_FIRST_PERCENT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*(?:[–-]\s*\d+(?:\.\d+)?\s*)?%")


def row_label(link) -> str:
    """What the figure counts, as its text names it before the number ("Infections 58% …" → "Infections"),
    else the risk's name."""
    found = _FIRST_PERCENT.search(link.figure)
    text = link.figure[: found.start()].strip(" :;,(") if found else ""
    return text[:1].upper() + text[1:] if text else link.risk.name


def harm_row(link) -> FactRow | None:
    """A risk link's figure and its comparator's, out of 100; None when the figure states no percentage."""
    drug = percent_per_100(link.figure)
    if drug is None:
        return None
    comparator = percent_per_100(link.comparator_figure) if link.comparator_figure else None
    return FactRow(row_label(link), drug, comparator or NO_COMPARATOR, counts=link.measure)


def _names_trial(link, trial) -> bool:
    """The link's measure names the trial: "ULTIMATE I", or a pair pooled as "OPERA I and II"."""
    names = [trial.name]
    base, _, number = trial.name.rpartition(" ")
    if base and number in ("I", "II"):
        names.append(f"{base} I and II")
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", link.measure or "") for name in names)


def links_in_box(trial, links) -> list:
    """The risk links a trial's box reports: those compared in it, and those whose measure names it (alone, or
    pooled with its twin trial: the same pooled figures then stand in both boxes)."""
    return [link for link in links if link.comparator_trial_id == trial.pk or _names_trial(link, trial)]


def harms_for(trial, links) -> list[FactRow]:
    """The harm rows of a trial's box, one per link it reports that has a figure to show."""
    return [row for link in links_in_box(trial, links) if (row := harm_row(link))]


def fact_box(trial, outcomes, links, *, therapy_name: str = "") -> FactBox | None:
    """The trial's fact box, or None where it stores neither a benefit nor a harm to put in one. `therapy_name`
    saves reading the trial's therapy where the caller has it (a therapy page)."""
    benefits, harms = _benefit_rows(outcomes), harms_for(trial, links)
    if not (benefits or harms):
        return None
    if outcomes and len(outcomes[0].arms) >= 2:
        drug, comparator = outcomes[0].arms[0]["label"], outcomes[0].arms[-1]["label"]
    else:  # no outcome stored: the groups as the risk links name them
        compared = [link.comparator for link in links if link.comparator_trial_id == trial.pk and link.comparator]
        drug, comparator = therapy_name or trial.therapy.name, (compared or ["the comparison group"])[0]
    return FactBox(trial, drug, comparator[:1].upper() + comparator[1:], benefits, harms)


def fact_boxes(trials, links, *, therapy_name: str = "") -> list[FactBox]:
    """A therapy's fact boxes: one per trial with something to put in it, in the trials' order."""
    links = list(links)
    found = (fact_box(trial, list(trial.outcomes.all()), links, therapy_name=therapy_name) for trial in trials)
    return [box for box in found if box is not None]
