"""The answer of /choose/: which live therapies fit the reader's answers, why, and in what order.

The rules, in the words docs/READER_FEATURES.md gives a reviewer to check against IPDAS:

* **Who is listed.** A therapy is listed when one of its approved indications is from a regulator of the
  reader's region (both, for "somewhere else" or no answer) and falls under the reader's type of MS (any,
  for "not sure"). Nothing else removes a therapy: how it is given, visits and pregnancy plans are
  explained for each therapy, never used to hide one. A therapy not listed is shown under "show all" with
  the reason.
* **Order.** Only by the one thing the reader said matters most, from reviewed numbers: the smallest drop in
  relapses (or in disability getting worse) against the comparator across its trials in people with the
  reader's type of MS; the number of serious risks and boxed warnings linked to it; the visits the labels
  set a time for. Therapies with the same figure share a place; those without a figure come last, together.
  With no answer, by name. No therapy is ever called the best.
* **Only reviewed facts.** Every row is read through `.live()`: a draft change never shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import OutcomeKind, Therapy, TherapyRisk, Trial
from . import choose_words as words
from .choose_form import Answers
from .frequencies import natural, percent_change
from .glance import IMPORTANT_SEVERITIES


@dataclass
class FactRow:
    """One line of a trial's fact box: what was counted, with the therapy and with the comparator."""

    label: str
    therapy: str
    comparator: str


@dataclass
class Evidence:
    trial: Trial
    therapy_arm: str
    comparator_arm: str
    rows: list[FactRow] = field(default_factory=list)
    relapse_drop: int | None = None  # % fewer relapses than the comparator
    disability_drop: int | None = None  # % lower risk of disability getting worse


@dataclass
class Candidate:
    therapy: Therapy
    indications: list  # the approvals that make it fit, with their qualifiers
    evidence: list[Evidence]
    evidence_note: str  # why these trials (or that none was in people with the reader's type of MS)
    serious_risks: list
    meanings: list[str]  # what the reader's answers mean for it
    contraception: list[str] = field(default_factory=list)  # "6 months (US)", for the printed shortlist
    pregnancy_notes: list[tuple[str, str]] = field(default_factory=list)  # reviewed text, quoted
    place: int = 0
    tied: bool = False
    order_words: str = ""  # the figure it is ordered by, in words


@dataclass
class NotListed:
    therapy: Therapy
    reason: str


@dataclass
class Answer:
    candidates: list[Candidate]
    not_listed: list[NotListed]
    reviewed_from: object  # the oldest review date of what is shown
    ordered_by: str


def live_therapies() -> list[Therapy]:
    """Every live therapy with what the answer reads of it: fixed queries whatever their number."""
    return list(
        Therapy.objects.live()
        .prefetch_related(
            "routes",
            "approved_indications__courses",
            Prefetch(
                "trials",
                queryset=Trial.objects.live().prefetch_related("outcomes", "population_courses").order_by("name"),
                to_attr="live_trials",
            ),
            Prefetch("therapy_risks", queryset=TherapyRisk.objects.live().select_related("risk"), to_attr="live_risks"),
        )
        .order_by("name")
    )


def fitting_indications(therapy: Therapy, answers: Answers) -> list:
    return [
        indication
        for indication in therapy.approved_indications.all()
        if indication.regulator in answers.regulators
        and (not answers.course or answers.course in {c.code for c in indication.courses.all()})
    ]


def _value(arm: dict) -> float | None:
    value = arm.get("value")
    return float(value) if isinstance(value, int | float) else None


def _drop(therapy_value: float | None, comparator_value: float | None) -> int | None:
    if therapy_value is None or not comparator_value:
        return None
    return percent_change(therapy_value / comparator_value)


def _is_disability(outcome) -> bool:
    return "disabilit" in outcome.label.lower()


def trial_evidence(trial: Trial) -> Evidence | None:
    """A trial's relapse and disability figures against its comparator (first arm: the therapy; last: the
    comparator), or None when it stores neither."""
    outcomes = sorted(trial.outcomes.all(), key=lambda o: (not o.is_primary, o.position))
    arr = next((o for o in outcomes if o.kind == OutcomeKind.ARR and len(o.arms) >= 2), None)
    share = next((o for o in outcomes if o.kind == OutcomeKind.PROPORTION and _is_disability(o)), None)
    ratio = next((o for o in outcomes if o.kind == OutcomeKind.HAZARD_RATIO and _is_disability(o)), None)
    first = arr or share or ratio
    if first is None:
        return None
    found = Evidence(trial, first.arms[0]["label"], first.arms[-1]["label"])
    if arr is not None:
        mine, theirs = _value(arr.arms[0]), _value(arr.arms[-1])
        found.relapse_drop = _drop(mine, theirs)
        found.rows.append(FactRow(words.RELAPSE_ROW, words.per_100(natural(mine)), words.per_100(natural(theirs))))
    if share is not None:
        mine, theirs = _value(share.arms[0]), _value(share.arms[-1])
        found.disability_drop = _drop(mine, theirs)
        label = words.disability_row(share.time_frame)
        found.rows.append(FactRow(label, words.in_group(natural(mine)), words.in_group(natural(theirs))))
    if ratio is not None and ratio.ratio is not None:
        found.disability_drop = percent_change(ratio.ratio)  # the trial's own comparison, where it gives one
    return found


def _evidence(therapy: Therapy, answers: Answers) -> tuple[list[Evidence], str]:
    trials = therapy.live_trials
    if answers.course:
        matching = [t for t in trials if answers.course in {c.code for c in t.population_courses.all()}]
        note = "" if matching else words.NO_TRIAL_IN_COURSE
        trials = matching or trials
    else:
        note = ""
    found = [e for e in (trial_evidence(t) for t in trials) if e is not None]
    return found, note


def _serious_risks(therapy: Therapy) -> list:
    return sorted(
        (link for link in therapy.live_risks if link.boxed_warning or link.risk.severity in IMPORTANT_SEVERITIES),
        key=lambda link: link.risk.name,
    )


def meanings(therapy: Therapy, answers: Answers) -> list[str]:
    """What the reader's answers mean for this therapy, one short sentence each."""
    said = []
    if answers.way:
        said.append(words.way_meaning(answers.way, therapy))
    if answers.visits:
        said.append(words.visits_meaning(answers.visits, therapy))
    if answers.pregnancy in ("yes", "unsure"):
        said += words.pregnancy_meanings(therapy, answers.regulators)
    return said


# --- Order: by the one factor the reader chose ----------------------------------------------------------


def _smallest(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


ORDER_KEYS: dict[str, Callable[[Candidate], int | None]] = {
    # Larger drops first, so the key is negated; None (no figure stored) goes last.
    "relapses": lambda c: None if (d := _smallest([e.relapse_drop for e in c.evidence])) is None else -d,
    "disability": lambda c: None if (d := _smallest([e.disability_drop for e in c.evidence])) is None else -d,
    "risks": lambda c: len(c.serious_risks),
    "visits": lambda c: None
    if c.therapy.visits_first_year is None
    else c.therapy.visits_first_year + (c.therapy.visits_later_years or 0),
}


def put_in_order(candidates: list[Candidate], priority: str) -> list[Candidate]:
    """Sorted by the chosen factor only, equal figures sharing a place (ties shown as ties); by name otherwise."""
    key = ORDER_KEYS.get(priority)
    if key is None:
        return sorted(candidates, key=lambda c: c.therapy.name)
    keyed = sorted(candidates, key=lambda c: (key(c) is None, key(c) or 0, c.therapy.name))
    place, previous = 0, object()
    for index, candidate in enumerate(keyed):
        value = key(candidate)
        if value != previous:
            place, previous = index + 1, value
        candidate.place = place
        candidate.order_words = words.order_words(priority, candidate, value)
    for candidate in keyed:
        candidate.tied = sum(1 for other in keyed if other.place == candidate.place) > 1
    return keyed


def build_answer(answers: Answers, therapies: list[Therapy], course_name: str = "") -> Answer:
    candidates, not_listed = [], []
    for therapy in therapies:
        indications = fitting_indications(therapy, answers)
        if not indications:
            not_listed.append(NotListed(therapy, words.not_listed_reason(answers, course_name)))
            continue
        evidence, note = _evidence(therapy, answers)
        candidate = Candidate(therapy, indications, evidence, note, _serious_risks(therapy), meanings(therapy, answers))
        if answers.pregnancy in ("yes", "unsure"):
            candidate.contraception = words.contraception_lines(therapy, answers.regulators)
            candidate.pregnancy_notes = words.pregnancy_notes(therapy, answers.regulators)
        candidates.append(candidate)
    dates = [c.therapy.last_reviewed_at for c in candidates if c.therapy.last_reviewed_at]
    dates += [e.trial.last_reviewed_at for c in candidates for e in c.evidence if e.trial.last_reviewed_at]
    return Answer(
        candidates=put_in_order(candidates, answers.priority),
        not_listed=not_listed,
        reviewed_from=min(dates) if dates else None,
        ordered_by=words.ordered_by(answers.priority),
    )

