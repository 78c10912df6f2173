"""The admin formset that edits a trial's structured outcomes in a draft (models/outcomes.py).

Each arm is one line of a text box, "label | value | number of people", so an editor types the numbers
as the source prints them; a blank number of people means the sources read do not give it.
"""

from django import forms

from ..editorial.snapshots import normalise_text
from ..models import OutcomeKind, TrialOutcome, outcome_errors
from .forms import ChildRowFormSet, child_row_formset

ARMS_HELP = (
    "One arm a line: label | value | number of people, for example “Ocrelizumab | 0.16 | 410”. A proportion "
    "is a fraction from 0 to 1 (32.9% is 0.329). For a hazard or rate ratio give two arms, the therapy first, "
    "with no value (“Ocrelizumab | | 488”). Leave the number of people blank if the source does not give it."
)


def parse_arms(text: str) -> list[dict]:
    """The arms typed in the box, as the snapshot keeps them; ValidationError naming the bad line."""
    arms = []
    for number, line in enumerate(normalise_text(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3:
            raise forms.ValidationError(f"Line {number}: write “label | value | number of people” (two “|”).")
        label, value, n = parts
        try:
            arms.append({"label": label, "value": float(value) if value else None, "n": int(n) if n else None})
        except ValueError:
            raise forms.ValidationError(
                f"Line {number}: the value must be a number (0.16) and the number of people a whole number (410)."
            ) from None
    return arms


def arms_text(arms: list[dict]) -> str:
    def shown(value) -> str:
        return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    return "\n".join(f"{arm.get('label', '')} | {shown(arm.get('value'))} | {shown(arm.get('n'))}" for arm in arms)


def _model_field(name: str):
    return TrialOutcome._meta.get_field(name).formfield()


class TrialOutcomeRowForm(forms.Form):
    label = _model_field("label")
    kind = forms.ChoiceField(choices=[("", "---------"), *OutcomeKind.choices])
    event = _model_field("event")
    time_frame = _model_field("time_frame")
    position = _model_field("position")
    is_primary = _model_field("is_primary")
    arms = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=ARMS_HELP)
    ratio = _model_field("ratio")
    ci_lower = _model_field("ci_lower")
    ci_upper = _model_field("ci_upper")
    ci_level = _model_field("ci_level")
    source = _model_field("source")

    def __init__(self, *args, initial=None, **kwargs):
        if initial and isinstance(initial.get("arms"), list):
            initial = {**initial, "arms": arms_text(initial["arms"])}
        super().__init__(*args, initial=initial, **kwargs)

    def clean_arms(self) -> list[dict]:
        return parse_arms(self.cleaned_data.get("arms", ""))

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        row = TrialOutcome(**{name: data.get(name) for name in self.base_fields})  # not the formset's DELETE
        for name, message in outcome_errors(row, number_randomised=None).items():
            self.add_error(name, message)
        return data

    def to_row(self) -> dict:
        data = self.cleaned_data
        row = {name: data.get(name) for name in self.base_fields}
        for name in ("label", "event", "time_frame", "source"):
            row[name] = normalise_text(row[name] or "")
        return row


class BaseTrialOutcomeFormSet(ChildRowFormSet):
    heading = "Outcomes of this trial"
    help = "One row per outcome, with the value per arm. Tick “Delete” to remove one; fill the empty row to add one."
    key_field = "label"

    def clean(self) -> None:
        if any(self.errors):
            return
        numbers = [form.cleaned_data["position"] for form in self.kept_forms()]
        for number in sorted({number for number in numbers if numbers.count(number) > 1}):
            raise forms.ValidationError(f"Two outcomes have the number {number}; give each outcome its own number.")

    def to_rows(self) -> list[dict]:
        return sorted((form.to_row() for form in self.kept_forms()), key=lambda row: row["position"])


# Edits the trial kind's child rows (registered in admin/kinds.py).
TrialOutcomeFormSet = child_row_formset(TrialOutcomeRowForm, BaseTrialOutcomeFormSet)
