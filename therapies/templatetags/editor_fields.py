"""One field of the draft edit form in the GOV.UK pattern (issue 24): label, hint, the error message above the
input ("Error: …"), then the input described by both; a single checkbox with its label beside it."""

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


def error_id(bound: forms.BoundField) -> str:
    return f"{bound.auto_id}_error"


def hint_id(bound: forms.BoundField) -> str:
    return f"{bound.auto_id}_helptext"


@register.filter
def is_checkbox(bound: forms.BoundField) -> bool:
    return isinstance(bound.field.widget, forms.CheckboxInput)


@register.filter
def is_choice_list(bound: forms.BoundField) -> bool:
    return isinstance(bound.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect)


@register.filter
def described_widget(bound: forms.BoundField) -> SafeString:
    """The input, described by its hint and its error message, in that order (what a screen reader reads)."""
    ids = [hint_id(bound)] if bound.help_text else []
    ids += [error_id(bound)] if bound.errors else []
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if isinstance(bound.field.widget, forms.Textarea):
        attrs["class"] = "grow"
    return bound.as_widget(attrs=attrs)
