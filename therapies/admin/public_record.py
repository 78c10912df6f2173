"""The public record in the admin: what readers were told about each publish, unpublish and confirmation, and the
reviewer's screen to correct a wrongly worded public note or reason (workflow.correct_public_note).

The rows are read-only like the audit log; the only change is a correction, in two steps like every action that
changes what readers see (confirm.py): the form, then a confirm page showing the old and the new wording, whose
"Yes" posts a signed token carrying exactly that wording.
"""

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import workflow
from ..models import PublicChange, PublicEvent
from ..workflow import WorkflowError
from .confirm import confirm_token, posted_data
from .content import ReadOnlyMixin
from .forms import ReasonForm, form_refusal
from .ids import StrictIdAdmin

CORRECT = "correct_public"


@admin.register(PublicChange)
class PublicChangeAdmin(ReadOnlyMixin, StrictIdAdmin):
    list_display = ["at", "kind", "object_repr", "significance", "short_note", "corrected_at", "correct_link"]
    list_filter = ["kind", "significance", "at"]
    list_select_related = ["change_request"]
    search_fields = ["object_repr", "note"]
    date_hierarchy = "at"
    readonly_fields = ["at", "kind", "content_type", "object_id", "object_repr", "significance", "note",
                       "change_request", "corrected_at", "corrected_by"]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or workflow.is_editor(request.user)
        )

    @admin.display(description="public note or reason")
    def short_note(self, obj: PublicChange) -> str:
        return Truncator(obj.note).chars(90) or "—"

    @admin.display(description="")
    def correct_link(self, obj: PublicChange) -> str:
        if obj.kind == PublicEvent.CONFIRM:
            return ""
        return format_html('<a href="{}">Correct the wording</a>',
                           reverse("admin:therapies_publicchange_correct", args=[obj.pk]))

    def get_urls(self):
        return [
            path("<path:object_id>/correct/", self.admin_site.admin_view(self.correct_view),
                 name="therapies_publicchange_correct"),
            *super().get_urls(),
        ]

    def correct_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: the form. POST: the confirm page (old and new wording). POST with its token: the correction."""
        change = self.object_or_404(request, object_id)
        back = reverse("admin:therapies_publicchange_change", args=[change.pk])
        refusal = workflow.can_correct(change, request.user)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(back)
        try:
            if request.method != "POST":
                return self._page(request, change, text=change.note)
            if "confirm" not in request.POST:
                return self._page(request, change, text=_new_wording(request, change), confirm=True)
            data = posted_data(request, change, CORRECT)
            workflow.correct_public_note(change=change, user=request.user, note=data.get("text", ""))
        except WorkflowError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("admin:therapies_publicchange_correct", args=[change.pk]))
        messages.success(request, "The corrected wording is now what readers see, marked as corrected.")
        return HttpResponseRedirect(back)

    def _page(self, request: HttpRequest, change: PublicChange, *, text: str, confirm: bool = False):
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "change": change, "text": text,
            "title": f"Correct what readers were told: {change}", "confirm": confirm,
            "back_url": reverse("admin:therapies_publicchange_change", args=[change.pk]),
            "confirm_token": confirm_token(request, change, CORRECT, ("text",)) if confirm else "",
            "shared": (change.kind == PublicEvent.PUBLISH
                       and PublicChange.objects.filter(kind=PublicEvent.PUBLISH,
                                                       change_request=change.change_request_id).count() > 1),
        }
        return TemplateResponse(request, "admin/therapies/public_correct.html", context)


def _new_wording(request: HttpRequest, change: PublicChange) -> str:
    """The wording typed, refused now (before "are you sure?") where the workflow would refuse it."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise WorkflowError(form_refusal(form))
    return workflow.corrected_wording(change, form.cleaned_data["text"])
