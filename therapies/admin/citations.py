"""Choosing the sources a draft cites: Django's admin autocomplete (select2, from the admin's own static
files), answered per change request so that it offers only what the draft may cite.

A page may cite a live source, or one drafted in the same change request, which goes live with it
(rule 4); anything else (another editor's new source, a source taken off the site) would stop the change
request at publishing, so it is never offered. A source the draft already cites stays selectable: the
editor sees it and may remove it, and publishing names it if it is no longer live.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .. import workflow
from ..models import ChangeRequest, is_content, kind_for, live_q


def citation_fields(model: type[models.Model]) -> list[str]:
    """The many-to-manys of a kind that cite sources (its `citation` links in models/kinds.py)."""
    if not is_content(model):
        return []
    return [
        link.field for link in kind_for(model).links
        if link.citation and not link.child and model._meta.get_field(link.field).many_to_many
    ]


def citable(model: type[models.Model], change_request: ChangeRequest, *, keep=()) -> models.QuerySet:
    """Rows of `model` a draft in `change_request` may cite: live ones, those it drafts, and `keep` (the ids
    the draft cites already)."""
    drafted = change_request.revisions.filter(content_type=kind_for(model).content_type()).values("object_id")
    return model.objects.filter(live_q() | models.Q(pk__in=drafted) | models.Q(pk__in=list(keep)))


class CitationWidget(AutocompleteSelectMultiple):
    """The admin's autocomplete, asking this change request's endpoint instead of the admin-wide one."""

    def __init__(self, field: models.ManyToManyField, *, change_request: ChangeRequest, attrs=None) -> None:
        super().__init__(field, admin.site, attrs=attrs)
        self.change_request = change_request

    def get_url(self) -> str:
        return reverse("admin:therapies_changerequest_autocomplete", args=[self.change_request.pk])

    def build_attrs(self, base_attrs, extra_attrs=None) -> dict:
        # No "clear all" cross: each chosen source has its own, and select2 puts that one inside its <ul> of
        # choices, where a list may hold only list items (axe, WCAG 1.3.1).
        return {**super().build_attrs(base_attrs, extra_attrs), "data-allow-clear": "false"}


def use_citation_widgets(form, change_request: ChangeRequest | None) -> None:
    """Give a draft form's citation fields the search widget and the choices this change request allows."""
    if change_request is None:
        return
    model = form._meta.model
    for name in citation_fields(model):
        field: ModelMultipleChoiceField = form.fields[name]
        keep = form.initial.get(name) or []
        field.widget = CitationWidget(
            model._meta.get_field(name), change_request=change_request, attrs={"data-width": "100%"}
        )
        field.queryset = citable(field.queryset.model, change_request, keep=keep)  # also the widget's choices
        field.help_text = "Type part of a source's title, authors or identifier to find it."


class CitationSearch(AutocompleteJsonView):
    """The autocomplete's answers for one change request: only sources its drafts may cite, only to editors."""

    change_request: ChangeRequest | None = None

    def process_request(self, request: HttpRequest):
        # Only a content kind's citation fields: the admin-wide view would also answer for any related field.
        try:
            model = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
        except (LookupError, ValueError):
            raise PermissionDenied from None
        if request.GET.get("field_name") not in citation_fields(model):
            raise PermissionDenied
        return super().process_request(request)

    def has_perm(self, request: HttpRequest, obj=None) -> bool:
        return workflow.is_editor(request.user)

    def get_queryset(self):
        allowed = citable(self.model_admin.model, self.change_request).values("pk")
        return super().get_queryset().filter(pk__in=allowed)


def citation_search(request: HttpRequest, pk: int) -> HttpResponse:
    """GET …/changerequest/<pk>/autocomplete/?term=…&app_label=…&model_name=…&field_name=…"""
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    if not change_request.is_open:
        raise PermissionDenied("This change request is closed: nothing in it can be edited.")
    return CitationSearch.as_view(admin_site=admin.site, change_request=change_request)(request)
