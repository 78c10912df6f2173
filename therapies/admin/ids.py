"""An id in an admin URL that is not an id is a 404, like any other page that does not exist (issue 15).

Django's admin answers ".../None/change/" with a redirect, and our own change views, which looked the
object up with get_object_or_404, answered it with a 500 (the database was asked for pk "None").
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest


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
