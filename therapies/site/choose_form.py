"""The questions of /choose/ ("What matters to you", issue 25): every one optional, each a small closed set.

The answers come in the query string (a GET form), so a reader can bookmark or share the result and nothing
is stored; the page cache keys on exactly these parameters (`CHOOSE_PARAMS`), and a value outside its set is
reported in the reader's words and left out, never kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from ..models import MSCourse, Regulator

# Where the reader lives: which regulator's approvals apply. "Other": both are shown.
REGION_CHOICES = [("eu", "European Union"), ("us", "United States"), ("other", "Somewhere else")]
REGION_REGULATORS = {"eu": (Regulator.EU,), "us": (Regulator.FDA,), "other": (Regulator.FDA, Regulator.EU)}

WAY_CHOICES = [
    ("tablet", "Tablets or capsules"),
    ("injection", "An injection at home"),
    ("drip", "A drip in a clinic or hospital"),
]
VISIT_CHOICES = [
    ("monthly", "About once a month is fine"),
    ("few", "A few times a year"),
    ("fewest", "As few as possible"),
]
PREGNANCY_CHOICES = [("yes", "Yes, it may"), ("no", "No"), ("unsure", "I am not sure")]
PRIORITY_CHOICES = [
    ("relapses", "Fewer relapses"),
    ("disability", "Slowing disability"),
    ("risks", "Fewer serious risks"),
    ("visits", "Fewer tests and visits"),
]
SHOW_ALL = "all"

# The page's parameters: the page cache keys on these and no others (site/caching.py).
CHOOSE_PARAMS = ("course", "region", "way", "visits", "pregnancy", "priority", SHOW_ALL)

# Site search offers /choose/ for a query with one of these words (site search reads content, and this page has none
# of its own).
SEARCH_WORDS = frozenset({
    "choose", "choosing", "choice", "decide", "deciding", "decision", "matters", "which", "best", "right",
    "pregnancy", "pregnant", "baby", "visits", "compare", "options", "shortlist",
})


def offered_by_search(query: str) -> bool:
    return any(word.strip("?.,!").lower() in SEARCH_WORDS for word in query.split())


# The most visits a year each answer to "how often could you manage visits" fits.
VISITS_THAT_FIT = {"monthly": 13, "few": 4}


def _question(label: str, choices, no_answer: str, help_text: str = "") -> forms.ChoiceField:
    """One optional question of the form, its answers as radio buttons, the last one "no answer" (value "")."""
    return forms.ChoiceField(label=label, required=False, widget=forms.RadioSelect, help_text=help_text,
                             choices=[*choices, ("", no_answer)])


class ChooseForm(forms.Form):
    course = forms.ChoiceField(label="What type of MS do you have?", required=False, widget=forms.RadioSelect)
    region = _question("Where do you live?", REGION_CHOICES, "I would rather not say",
                       "Approvals differ between the US and the EU.")
    way = _question("How would you rather take it?", WAY_CHOICES, "No preference")
    visits = _question("How often could you go to a clinic?", VISIT_CHOICES, "No answer")
    pregnancy = _question("Could a pregnancy come up in the next few years?", PREGNANCY_CHOICES, "No answer",
                          "For you or your partner.")
    priority = _question("What matters most to you?", PRIORITY_CHOICES, "No answer",
                         "The list is put in order by this one thing only.")
    all = forms.ChoiceField(
        label="Also list the therapies that do not fit", required=False, choices=[("", "No"), ("1", "Yes")]
    )

    def __init__(self, *args, courses: list[MSCourse], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [(c.code, c.name) for c in courses] + [("", "I am not sure")]


@dataclass(frozen=True)
class Answers:
    """The valid answers ("" where none was given or the value was not one of the choices)."""

    course: str = ""
    region: str = ""
    way: str = ""
    visits: str = ""
    pregnancy: str = ""
    priority: str = ""
    show_all: bool = False

    @property
    def regulators(self) -> tuple[str, ...]:
        return REGION_REGULATORS.get(self.region, (Regulator.FDA, Regulator.EU))

    @property
    def given(self) -> bool:
        return any((self.course, self.region, self.way, self.visits, self.pregnancy, self.priority))


def read_answers(data, courses: list[MSCourse]) -> tuple[ChooseForm, Answers, list[str]]:
    """The form, the valid answers, and a message for each answer that is not one of its choices."""
    form = ChooseForm(data or None, courses=courses)
    if not form.is_bound:
        return form, Answers(), []
    form.is_valid()
    problems = [
        f"We did not understand the answer to “{form.fields[name].label}”, so it was left out. "
        "Please choose again."
        for name in form.errors
    ]
    values = {name: form.cleaned_data.get(name, "") or "" for name in form.fields}
    answers = Answers(
        course=values["course"],
        region=values["region"],
        way=values["way"],
        visits=values["visits"],
        pregnancy=values["pregnancy"],
        priority=values["priority"],
        show_all=values["all"] == "1",
    )
    return form, answers, problems
