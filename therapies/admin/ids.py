"""An id in an admin URL that is not an id is a 404, like any other page that does not exist (issue 15);
an id in a form that is not an id is an error on its field (issue 23, N5).

Django's admin answers ".../None/change/" with a redirect, and our own change views, which looked the
object up with get_object_or_404, answered it with a 500 (the database was asked for pk "None"). Django's
choice fields pass what was posted to the database: "abc" raised a ValueError while the citable sources
were read, and 99999999999999999999 an OverflowError on SQLite, both 500s. The fields below accept only
whole numbers of at most 18 digits, and at most `limits.CHOSEN` of them, before any query is made.
"""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest

from ..models import limits

_ID = re.compile(r"\d{1,18}")  # a positive id of a BigAutoField has at most 19 digits; 18 always fits


def is_id(value) -> bool:
    return isinstance(value, models.Model) or _ID.fullmatch(str(value).strip()) is not None


def check_id(value) -> None:
    """ValidationError in the user's words unless `value` is empty or could be the id of a row."""
    if value in (None, "") or is_id(value):
        return
    shown = str(value).replace("\x00", "")[:40]
    raise forms.ValidationError(f"“{shown}” is not one of the choices. Choose from the list.", code="invalid_choice")


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses a posted value that is not an id before looking it up."""

    def to_python(self, value):
        check_id(value)
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses more than `limits.CHOSEN` values, or one that is not an id, before
    any query."""

    def clean(self, value):
        if isinstance(value, list | tuple) and len(value) > limits.CHOSEN:
            raise forms.ValidationError(f"Choose at most {limits.CHOSEN} here (this form sent {len(value):,}).",
                                        code="too_many")
        for item in value if isinstance(value, list | tuple) else ():
            check_id(item)
        return super().clean(value)

    def prepare_value(self, value):
        # What the form shows again after an error: the search widget looks the chosen ids up, so only ids, and
        # no more than the limit.
        if isinstance(value, list | tuple):
            value = [item for item in value if is_id(item)][: limits.CHOSEN]
        return super().prepare_value(value)


class StrictIdAdmin(admin.ModelAdmin):
    """Base of every ModelAdmin of ours: change, history and delete pages of a malformed id are 404."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        try:
            field.to_python(object_id)
        except ValidationError:
            raise Http404(f"“{object_id}” is not the id of any {self.model._meta.verbose_name}.") from None
        return super().get_object(request, object_id, from_field)

    def object_or_404(self, request: HttpRequest, object_id: str) -> models.Model:
        """The object of a change page's URL, or 404 (for change views of our own)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"There is no {self.model._meta.verbose_name} with the id “{object_id}”.")
        return obj
