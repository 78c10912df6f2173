"""Forms: editing a content object's draft (a snapshot), and the review actions.

The draft form is an ordinary ModelForm over the live row, so Django validates
fields, choices and uniqueness as usual — but it is never saved to the row:
`to_snapshot()` turns its cleaned data into the JSON a Revision stores.
"""

import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db import models
from django.forms.formsets import TOTAL_FORM_COUNT
from django.utils.text import capfirst

from ..editorial.snapshots import child_rows, editable_fields, m2m_fields, markdown_problems, normalise_text
from ..models import Frequency, Risk, Significance, TherapyRisk, Trial, figure_errors, limits
from ..models.risk_figures import FIGURE_FIELDS
from .citations import use_citation_widgets
from .ids import IdChoiceField, IdMultipleChoiceField
from .kind_parts import ADMIN


def _json_value(value):
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# Labels in words where a field's name is jargon (issue 24: "Url").
FORM_LABELS = {
    "slug": "Page address (slug)",
    "key": "Citation key",
    "population_courses": "MS courses in the population",
}
# Messages for a required field left empty that say what to do, beyond "Enter the <label>".
REQUIRED_MESSAGES = {
    "nct_id": "Enter the trial's ClinicalTrials.gov id, like NCT01247324",
    "number_randomised": "Enter how many people were randomised, as a number, like 1656",
    "slug": "Enter the page address, in lower case with hyphens, like ocrelizumab",
}


def required_message(name: str, field: forms.Field) -> str:
    """What to do about an empty required field, in the GOV.UK style: "Enter …", "Choose …", "Tick …"."""
    if name in REQUIRED_MESSAGES:
        return REQUIRED_MESSAGES[name]
    label = str(field.label or name)
    label = label[0].lower() + label[1:] if label[1:2].islower() else label
    if isinstance(field.widget, forms.CheckboxSelectMultiple):
        return f"Tick at least one of the {label}"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return f"Choose the {label}"
    return f"Enter the {label}"


class DraftForm(forms.ModelForm):
    """Base for the per-model draft forms built by `draft_form_class`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = FORM_LABELS.get(name, field.label)
            field.error_messages["required"] = required_message(name, field)
        if "slug" in self.fields and self.instance.pk and self.instance.first_published_at:
            # Once live, the page's address is fixed: links, bookmarks and search engines use it.
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = "Fixed: the page is live at this address."

    def clean(self) -> dict:
        cleaned = super().clean()
        # Shown on the field, before the workflow refuses the same text (validate_snapshot).
        for name, problem in markdown_problems(self._meta.model, cleaned).items():
            self.add_error(name, problem)
        return cleaned

    def to_snapshot_fields(self) -> tuple[dict, dict]:
        model = self._meta.model
        fields = {f.name: _json_value(self.cleaned_data.get(f.name)) for f in editable_fields(model)}
        m2m = {f.name: sorted(obj.pk for obj in self.cleaned_data.get(f.name, [])) for f in m2m_fields(model)}
        return fields, m2m


def _form_field(field: models.Field, **kwargs) -> forms.Field | None:
    """A source's address typed without a scheme is taken as https:// (Django 6's default, chosen now)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    if isinstance(field, models.ManyToManyField):  # ids checked, and counted, before any query (issue 23)
        kwargs.setdefault("form_class", IdMultipleChoiceField)
    elif isinstance(field, models.ForeignKey):
        kwargs.setdefault("form_class", IdChoiceField)
    return field.formfield(**kwargs)


def draft_form_class(model: type[models.Model]) -> type[DraftForm]:
    names = [f.name for f in editable_fields(model)] + [f.name for f in m2m_fields(model)]
    widgets = {f.name: forms.CheckboxSelectMultiple for f in m2m_fields(model)}
    return forms.modelform_factory(
        model,
        form=DraftForm,
        fields=names,
        widgets=widgets,
        formfield_callback=_form_field,
    )


def _model_field(name: str) -> forms.CharField:
    """A text field of a risk row, with the model's label, length and help."""
    field = TherapyRisk._meta.get_field(name)
    return forms.CharField(max_length=field.max_length, required=False, label=capfirst(field.verbose_name),
                           help_text=field.help_text)


class TherapyRiskRowForm(forms.Form):
    """One risk of a therapy in a draft: which risk, how often, the sourced figure and what it counts."""

    risk = IdChoiceField(queryset=Risk.objects.all(), error_messages={"required": "Choose the risk"})
    frequency = forms.ChoiceField(choices=[("", "---------"), *Frequency.choices],
                                  error_messages={"required": "Choose how often it happens"})
    figure = forms.CharField(max_length=300, required=False)
    measure = forms.CharField(
        max_length=300,
        required=False,
        label="What the figure counts",
        help_text=TherapyRisk._meta.get_field("measure").help_text,
    )
    category_counts = _model_field("category_counts")
    comparator = _model_field("comparator")
    comparator_figure = _model_field("comparator_figure")
    comparator_trial = forms.ModelChoiceField(
        queryset=Trial.objects.order_by("name"),
        required=False,
        label="Trial compared in",
        help_text=TherapyRisk._meta.get_field("comparator_trial").help_text,
    )
    boxed_warning = forms.BooleanField(required=False, label="Boxed warning")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self) -> dict:
        data = super().clean()
        errors = figure_errors(**{name: data.get(name, "") for name in FIGURE_FIELDS})
        for name, message in errors.items():
            self.add_error(name, message)
        return data


class ChildRowFormSet(forms.BaseFormSet):
    """The child rows of a draft (a therapy's risk links, a trial's outcomes), one form each.

    At most `limits.CHILD_ROWS` rows (`child_row_formset`): a post saying it has more builds no row at all and
    is refused with a message (security finding N2: TOTAL_FORMS=99999999 built 2,000 forms in 58 s)."""

    key_field = ""  # the field a row must have to be kept
    default_error_messages = {
        "too_many_forms": "A draft has at most %(num)d rows here. Remove some rows, then save again.",
    }

    def total_form_count(self) -> int:
        if self.is_bound and self.management_form.cleaned_data.get(TOTAL_FORM_COUNT, 0) > self.absolute_max:
            return 0  # refused by full_clean (too_many_forms) without building a form
        return super().total_form_count()

    def kept_forms(self) -> list[forms.Form]:
        """Rows to keep: existing rows not marked for deletion, and extra rows that were filled in."""
        return [
            form
            for index, form in enumerate(self.forms)
            if not self._should_delete_form(form)
            and (index < self.initial_form_count() or form.has_changed())
            and form.cleaned_data.get(self.key_field)
        ]


def child_row_formset(form: type[forms.Form], formset: type[ChildRowFormSet]) -> type[ChildRowFormSet]:
    """A formset class of child rows, limited to `limits.CHILD_ROWS` rows, the limit checked before any form."""
    return forms.formset_factory(form, formset=formset, extra=1, can_delete=True, max_num=limits.CHILD_ROWS,
                                 absolute_max=limits.CHILD_ROWS, validate_max=True)


class BaseTherapyRiskFormSet(ChildRowFormSet):
    heading = "Risks of this therapy"
    help = "One row per risk. Tick “Delete” to remove a risk; fill the empty row to add one."
    key_field = "risk"

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: dict = {}  # risk -> the row number it is first in
        for form in self.kept_forms():
            risk = form.cleaned_data.get("risk")
            row = self.forms.index(form) + 1
            if risk in seen:
                # On the row's own field, where the error summary links (issue 14): not 4,000 px away.
                form.add_error("risk", f"“{risk}” is already listed in row {seen[risk]}; keep one row per risk.")
            seen.setdefault(risk, row)

    def to_rows(self) -> list[dict]:
        rows = []
        for form in self.kept_forms():
            data = form.cleaned_data
            rows.append(
                {
                    "risk": data["risk"].pk,
                    "frequency": data["frequency"],
                    "figure": normalise_text(data["figure"]),
                    "measure": normalise_text(data["measure"]),
                    "category_counts": normalise_text(data["category_counts"]),
                    "comparator": normalise_text(data["comparator"]),
                    "comparator_figure": normalise_text(data["comparator_figure"]),
                    "comparator_trial": data["comparator_trial"].pk if data["comparator_trial"] else None,
                    "boxed_warning": data["boxed_warning"],
                    "notes": normalise_text(data["notes"]),
                }
            )
        return sorted(rows, key=lambda row: row["risk"])


# Edits the therapy kind's child rows (registered in admin/kinds.py).
TherapyRiskFormSet = child_row_formset(TherapyRiskRowForm, BaseTherapyRiskFormSet)


def draft_forms(model, *, snapshot: dict | None, instance=None, data=None, change_request=None):
    """The draft form and child formsets for `model`, filled from `snapshot` (or blank for a new object).

    With the change request, its sources are chosen through a search that offers only what it may cite."""
    initial = None
    if snapshot is not None:
        initial = {**snapshot["fields"], **snapshot["m2m"]}
    form = draft_form_class(model)(data=data, instance=instance, initial=initial, prefix="content")
    use_citation_widgets(form, change_request)
    formsets = {}
    formset_classes = ADMIN.of(model).formsets
    for spec in child_rows(model):
        rows = snapshot["children"].get(spec.relation, []) if snapshot else []
        formsets[spec.relation] = formset_classes[spec.relation](data=data, initial=rows, prefix=spec.relation)
    return form, formsets


def snapshot_from_forms(form: DraftForm, formsets: dict) -> dict:
    fields, m2m = form.to_snapshot_fields()
    children = {name: formset.to_rows() for name, formset in formsets.items()}
    return {"fields": fields, "m2m": m2m, "children": children}


class SignInForm(AdminAuthenticationForm):
    """The admin sign-in, with the username's length checked before anything is looked up.

    An overlong username is a form error here. Before, it went on to authentication, where django-axes
    recorded the failed attempt in a 255-character column: a 500 on PostgreSQL, for anyone.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(
            limits.USERNAME, message=f"A username has at most {limits.USERNAME} characters. Check it and try again."
        ))


# --- Review forms ------------------------------------------------------------------------------------


class StartChangeRequestForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text="For the review team, e.g. “Update ocrelizumab dosing after the 2024 label change”.",
        error_messages={"required": "Enter a title for the change request"},
    )
    significance = forms.ChoiceField(choices=Significance.choices, initial=Significance.MINOR)

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        if "\n" in title or "\r" in title:  # only a crafted post: the input is one line
            raise forms.ValidationError("Keep the title on one line: it becomes the subject of every email about it.")
        return title


class ChangeNoteForm(forms.Form):
    change_note = forms.CharField(
        label="Change note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Public: readers see it in the page history and the change log.",
    )


NUL_REFUSED = "The text contains a NUL character, which cannot be saved; remove it and try again."


class ReasonForm(forms.Form):
    """A reason or note; whether one is needed is the workflow's call (unpublish needs one, a schedule not)."""

    text = forms.CharField(
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"null_characters_not_allowed": NUL_REFUSED},
    )


def form_refusal(form: forms.Form) -> str:
    """A refused form's errors as one message, for views that report through messages."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "The comment is empty.", "null_characters_not_allowed": NUL_REFUSED},
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_name = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)



class ScheduleForm(forms.Form):
    """A date and time in the site's time zone (UTC), from a datetime-local input."""

    when = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Give the date and time.",
            "invalid": "Give the date and time as a date and a 24-hour time, for example 2026-05-12 09:30.",
        },
    )


def parse_schedule_time(data) -> tuple[datetime.datetime | None, str | None]:
    """(time, None) from a posted schedule form, or (None, the error in the user's words)."""
    form = ScheduleForm(data)
    if not form.is_valid():
        return None, " ".join(form.errors.get("when", [])) or "Give the date and time."
    return form.cleaned_data["when"], None
