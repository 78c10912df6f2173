"""Readers' correction suggestions in the admin, with "Start a change request" for the page.

Registered from admin.py. What a reader wrote stays as they wrote it (read-only);
editors set the status, or start a change request, which links the suggestion to it.
"""

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import workflow
from ..models import CorrectionSuggestion
from .ids import StrictIdAdmin


@admin.register(CorrectionSuggestion)
class CorrectionSuggestionAdmin(StrictIdAdmin):
    list_display = ["created_at", "page", "short_text", "status", "change_request_link"]
    list_filter = ["status", ("content_type", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["change_request", "content_type"]
    search_fields = ["what_is_wrong", "source", "page_title", "page_path", "email"]
    date_hierarchy = "created_at"
    actions = ["start_change_request"]
    fields = ["page_title", "page_path", "content_type", "object_id", "created_at", "what_is_wrong", "source",
              "email", "status", "change_request"]
    readonly_fields = ["page_title", "page_path", "content_type", "object_id", "created_at", "what_is_wrong",
                       "source", "email", "change_request"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # suggestions come from readers only

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # dismiss instead, so the record of what readers reported stays

    @admin.display(description="page", ordering="page_title")
    def page(self, obj: CorrectionSuggestion) -> str:
        return format_html('<a href="{}">{}</a>', obj.page_path, obj.page_title or obj.page_path)

    @admin.display(description="what is wrong")
    def short_text(self, obj: CorrectionSuggestion) -> str:
        return Truncator(obj.what_is_wrong).chars(90)

    @admin.display(description="change request", ordering="change_request")
    def change_request_link(self, obj: CorrectionSuggestion) -> str:
        if not obj.change_request_id:
            return "—"
        url = reverse("admin:therapies_changerequest_change", args=[obj.change_request_id])
        return format_html('<a href="{}">#{}</a>', url, obj.change_request_id)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if not workflow.is_editor(request.user):
            actions.pop("start_change_request", None)
        return actions

    @admin.action(description="Start a change request for the page of the selected suggestion(s)")
    def start_change_request(self, request: HttpRequest, queryset):
        suggestions = list(queryset.select_related("content_type"))
        try:
            revision = workflow.start_change_request_for(suggestions=suggestions, user=request.user)
        except workflow.WorkflowError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        change_request = revision.change_request
        self.message_user(
            request,
            f"Change request #{change_request.pk} started for “{revision.object_repr}”, linked to "
            f"{len(suggestions)} suggestion{'s' if len(suggestions) != 1 else ''}. Make the correction below.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:therapies_revision_edit", kwargs={"pk": change_request.pk, "revision_id": revision.pk})
        )
