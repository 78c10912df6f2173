"""Every sentence /choose/ writes itself, kept short and plain (reading grade 8 or below, tests/test_choose.py).

Names (of therapies, trials, comparators, approvals) and the reviewed facts it quotes are not written here:
they come from reviewed content as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Regulator, Route
from ..models.practical import Setting
from .choose_form import VISITS_THAT_FIT, Answers
from .frequencies import Natural

if TYPE_CHECKING:
    from ..models import Therapy

RELAPSE_ROW = "Relapses each year"
NO_TRIAL_IN_COURSE = "None of its trials here was just in your type of MS. These are its other trials."
NO_FIGURE = "No figure for this is stored, so it comes last."


def per_100(n: Natural) -> str:
    """An annual relapse rate as a natural frequency: "about 16 for every 100 people"."""
    return f"about {n.count:,} for every {n.out_of_text} people"


def in_group(n: Natural) -> str:
    return f"about {n}"


def disability_row(time_frame: str) -> str:
    return f"People whose disability got worse ({time_frame})"


def _short(regulator: str) -> str:
    return Regulator.short(regulator)


def way_meaning(way: str, therapy: Therapy) -> str:
    routes = {route.code for route in therapy.routes.all()}
    if way == "tablet":
        return "It fits your wish: you take it by mouth." if Route.ORAL in routes else "It is not a tablet."
    if way == "injection":
        at_home = Route.SUBCUTANEOUS in routes and therapy.setting == Setting.HOME
        return "It fits your wish: you inject it at home." if at_home else "It is not an injection you give at home."
    return "It fits your wish: it is a drip." if Route.IV in routes else "It is not a drip."


VISITS_FIT_WORDS = {"monthly": "once a month", "few": "a few times a year"}


def visits_meaning(visits: str, therapy: Therapy) -> str:
    first, later = therapy.visits_first_year, therapy.visits_later_years
    if first is None:
        return "The visits it needs are not entered yet."
    if first == 0 and not later:
        counted = "The labels set no fixed visits once you have started."
    else:
        counted = f"The labels set about {first} visits in the first year, and up to {later or 0} a year after."
    most = VISITS_THAT_FIT.get(visits)
    if most is None:
        return counted
    if max(first, later or 0) > most:
        return f"{counted} That is more than {VISITS_FIT_WORDS[visits]}."
    return f"{counted} That fits {VISITS_FIT_WORDS[visits]}."


def pregnancy_meanings(therapy: Therapy, regulators: tuple[str, ...]) -> list[str]:
    said = []
    for regulator in regulators:
        period = therapy.contraception_period(regulator)
        if period:
            said.append(f"It needs contraception for {period} after the last dose ({_short(regulator)} label).")
        else:
            said.append(f"The {_short(regulator)} label we read gives no time for contraception after the last dose.")
    return said


def contraception_lines(therapy: Therapy, regulators: tuple[str, ...]) -> list[str]:
    """"6 months (US)", or "no time given (EU)", for each regulator: the printed shortlist's column."""
    return [f"{therapy.contraception_period(r) or 'no time given'} ({_short(r)})" for r in regulators]


def pregnancy_notes(therapy: Therapy, regulators: tuple[str, ...]) -> list[tuple[str, str]]:
    """The reviewed pregnancy facts beyond the period, as (label, text): quoted, not written here."""
    notes = [("More on contraception", therapy.contraception_note), ("Before a pregnancy", therapy.washout)]
    for regulator in regulators:
        text = therapy.breastfeeding_us if regulator == Regulator.FDA else therapy.breastfeeding_eu
        notes.append((f"Breastfeeding ({_short(regulator)} label)", text or "not in the label we read"))
    return [(label, text) for label, text in notes if text]


def summary(form, answers: Answers) -> list[tuple[str, str]]:
    """The reader's answers as (question, answer) for the page and the printed sheet."""
    rows = []
    for name in ("course", "region", "way", "visits", "pregnancy", "priority"):
        field = form.fields[name]
        value = getattr(answers, name)
        chosen = dict(field.choices).get(value, "") if value else ""
        rows.append((field.label, chosen or "No answer"))
    return rows


def order_words(priority: str, candidate, value: int | None) -> str:
    if value is None:
        return NO_FIGURE
    if priority in ("relapses", "disability"):
        attribute = "relapse_drop" if priority == "relapses" else "disability_drop"
        shown = next(e for e in candidate.evidence if getattr(e, attribute) == -value)
        what = "fewer relapses" if priority == "relapses" else "lower chance that disability got worse"
        return f"{-value}% {what} than with {shown.comparator_arm} in {shown.trial.name}."
    if priority == "risks":
        return f"{value} serious risks or boxed warnings are linked to it."
    return f"About {value} set visits in the first year and one year after."


ORDERED_BY = {
    "relapses": (
        "In order of the drop in relapses in its trials, the biggest first. We use the smallest drop of its "
        "trials. Each trial tested a drug against a different one. A drug tested against a dummy drug (placebo) "
        "tends to show a bigger drop, so a gap may mean little."
    ),
    "disability": (
        "In order of the drop in the chance that disability got worse in its trials, the biggest first. Each "
        "trial tested a drug against a different one. A drug tested against a dummy drug (placebo) tends to "
        "show a bigger drop, so a gap may mean little."
    ),
    "risks": "In order of how many serious risks and boxed warnings are linked to it, the fewest first.",
    "visits": "In order of how many visits the labels set, the fewest first.",
}


def ordered_by(priority: str) -> str:
    return ORDERED_BY.get(priority, "In order of name. Tell us what matters most to you to change the order.")


def _where(answers: Answers) -> str:
    return {"eu": "in the EU", "us": "in the US"}.get(answers.region, "in the US or the EU")


def not_listed_reason(answers: Answers, course_name: str) -> str:
    if course_name:
        return f"It is not approved for {course_name[:1].lower()}{course_name[1:]} {_where(answers)}."
    return f"It is not approved {_where(answers)}."
