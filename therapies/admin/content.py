"""The admin: content (read-only: every change goes through a change request), change requests, audit log.

The editorial views themselves (edit a draft, review a diff, act) live in review.py
and are mounted on the ChangeRequest admin's URLs.
"""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import workflow
from ..editorial.history import published_history
from ..models import (
    KINDS,
    AdministrationRoute,
    AuditEvent,
    ChangeRequest,
    EditorialText,
    Indication,
    MSCourse,
    Reference,
    Risk,
    Significance,
    State,
    Therapy,
    TherapyRisk,
    Trial,
    TrialOutcome,
)
from . import review
from .forms import SignInForm, StartChangeRequestForm
from .ids import StrictIdAdmin
from .kind_parts import ADMIN
from .status import StatusFilter, status_html, with_status

# Publish state a person can read nothing useful from (a revision id, a search document): not shown.
INTERNAL_STATE = frozenset({"live_revision", "search_vector"})


def publish_state_shown(model: type[models.Model]) -> list[str]:
    """The publish state shown read-only under "Publishing and review": the fields only the workflow sets.

    Read from the model (editable=False), so a field added to PublishState is shown without a list to update.
    """
    return [f.name for f in model._meta.concrete_fields if not f.editable and f.name not in INTERNAL_STATE]


class ReadOnlyMixin:
    """Nobody edits these rows directly, not even a superuser: changes go through review."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LiveFilter(admin.SimpleListFilter):
    """Published or not, through `.live()` / `.not_live()`: the admin filters on the one definition of published."""

    title = "published"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Not published")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.live()
        if self.value() == "no":
            return queryset.not_live()
        return queryset


class PublishStateAdmin(ReadOnlyMixin, StrictIdAdmin):
    """A content model: its live row is read-only and offers "Edit in a change request"."""

    change_form_template = "admin/therapies/content_change_form.html"
    change_list_template = "admin/therapies/content_change_list.html"
    list_select_related = ("last_reviewed_by",)
    list_per_page = 50
    date_hierarchy = "last_published_at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return publish_state_shown(self.model)  # set by the workflow only (editable=False)

    def get_fieldsets(self, request, obj=None):
        """The kind's sections in its public page's order (admin/kinds.py), the first open, the rest collapsible
        (so the published versions below are not 6,000 px away), then the publish state."""
        sections = [
            (section.heading, {"fields": list(section.fields), "classes": [] if position == 0 else ["collapse"]})
            for position, section in enumerate(ADMIN.of(self.model).form_sections)
            if section.fields
        ]
        return [*sections, ("Publishing and review", {"fields": publish_state_shown(self.model)})]

    def get_queryset(self, request):
        return with_status(super().get_queryset(request))  # the status column and filter (status.py)

    def get_list_filter(self, request):
        return [StatusFilter, *super().get_list_filter(request)]

    @admin.display(description="status")
    def status(self, obj) -> str:
        return status_html(obj)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        obj = self.object_or_404(request, object_id)
        history = published_history(obj)
        extra_context = {
            **(extra_context or {}),
            "history": history,
            "holder": workflow.open_change_request_for(obj),
            "can_edit": workflow.is_editor(request.user),
            "can_review": workflow.is_reviewer(request.user),
            "model_name": self.model._meta.model_name,
            "content_obj": obj,
            "significance_choices": Significance.choices,
        }
        return super().change_view(request, object_id, form_url, extra_context)


class TherapyRiskInline(ReadOnlyMixin, admin.TabularInline):
    model = TherapyRisk
    extra = 0
    fields = ["risk", "frequency", "category_counts", "figure", "measure", "comparator", "comparator_figure",
              "comparator_trial", "boxed_warning", "notes"]


class RiskTherapyInline(ReadOnlyMixin, admin.TabularInline):
    """On a risk's page the first column is the therapy."""

    model = TherapyRisk
    extra = 0
    fields = ["therapy", "frequency", "category_counts", "figure", "measure", "comparator", "comparator_figure",
              "comparator_trial", "boxed_warning", "notes"]


class TrialOutcomeInline(ReadOnlyMixin, admin.TabularInline):
    """A trial's outcomes, read-only like the trial: they change only in a change request."""

    model = TrialOutcome
    extra = 0
    fields = ["position", "label", "kind", "time_frame", "is_primary", "arms", "ratio", "ci_lower", "ci_upper",
              "source"]


class TrialInline(ReadOnlyMixin, admin.TabularInline):
    model = Trial
    extra = 0
    fields = ["name", "nct_id", "phase", "number_randomised", "live"]
    readonly_fields = ["live"]
    show_change_link = True


@admin.register(Therapy)
class TherapyAdmin(PublishStateAdmin):
    list_display = ["name", "status", "brand_names", "drug_class", "last_reviewed_at", "next_review_due"]
    list_filter = [LiveFilter, "drug_class", "routes", "approved_indications", "next_review_due"]
    search_fields = ["name", "slug", "brand_names", "molecular_target", "class_description", "summary"]
    inlines = [TherapyRiskInline, TrialInline]


@admin.register(Trial)
class TrialAdmin(PublishStateAdmin):
    list_display = ["name", "status", "nct_id", "therapy", "phase", "number_randomised", "next_review_due"]
    list_filter = [LiveFilter, "phase", "therapy", "population_courses"]
    list_select_related = ["therapy", "last_reviewed_by"]
    search_fields = ["name", "slug", "nct_id", "therapy__name", "comparator", "headline_result"]
    inlines = [TrialOutcomeInline]


@admin.register(Risk)
class RiskAdmin(PublishStateAdmin):
    list_display = ["name", "status", "severity", "boxed_warning", "next_review_due"]
    list_filter = [LiveFilter, "severity", "boxed_warning"]
    search_fields = ["name", "slug", "summary", "description"]
    inlines = [RiskTherapyInline]


@admin.register(TherapyRisk)
class TherapyRiskAdmin(ReadOnlyMixin, StrictIdAdmin):
    list_display = ["therapy", "risk", "frequency", "figure", "measure", "boxed_warning"]
    list_filter = ["frequency", "boxed_warning", "therapy", "risk"]
    list_select_related = ["therapy", "risk"]
    search_fields = ["therapy__name", "risk__name", "figure", "measure", "notes"]


@admin.register(Reference)
class ReferenceAdmin(PublishStateAdmin):
    """Sources: read-only like every kind; added and changed in change requests, where the reviewer sees the
    title, the identifiers and the address side by side with the old ones."""

    list_display = ["key", "status", "kind", "title", "source", "year", "next_review_due"]
    list_filter = [LiveFilter, "kind", "year"]
    search_fields = ["key", "title", "source", "authors", "pmid", "doi", "nct_id", "url"]


@admin.register(EditorialText)
class EditorialTextAdmin(PublishStateAdmin):
    """The words of the home and About pages: read-only like every kind, changed in change requests."""

    list_display = ["title", "status", "place", "last_published_at", "next_review_due"]
    list_filter = [LiveFilter, "place"]
    search_fields = ["title", "summary", "body"]


def register_default_admins(site: admin.AdminSite, kinds=KINDS) -> None:
    """A content kind with no ModelAdmin of its own above is read-only like every kind all the same, with its
    "Edit in a change request" (docs/ADDING_A_CONTENT_KIND.md: a new kind needs no edit here)."""
    for kind in kinds:
        if not site.is_registered(kind.model):
            site.register(kind.model, PublishStateAdmin)


register_default_admins(admin.site)


@admin.register(MSCourse)
class MSCourseAdmin(ReadOnlyMixin, StrictIdAdmin):
    list_display = ["code", "name", "position"]
    search_fields = ["code", "name", "description"]
    list_filter = ["code"]
    ordering = ["position"]


@admin.register(Indication)
class IndicationAdmin(ReadOnlyMixin, StrictIdAdmin):
    """Approved uses with their qualifiers: reference data from fixtures/, changed in the repository."""

    list_display = ["code", "regulator", "name", "position"]
    list_filter = ["regulator", "courses"]
    search_fields = ["code", "name", "wording"]


@admin.register(AdministrationRoute)
class AdministrationRouteAdmin(ReadOnlyMixin, StrictIdAdmin):
    list_display = ["code", "position"]


# --- Change requests ---------------------------------------------------------------------------------------


class MineFilter(admin.SimpleListFilter):
    title = "mine"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Change requests I wrote")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(authors=request.user)
        return queryset


class AwaitingMyReviewFilter(admin.SimpleListFilter):
    title = "awaiting my review"
    parameter_name = "awaiting"

    def lookups(self, request, model_admin):
        return [("yes", "Awaiting review")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            # In review, and not written by me (four eyes: I could not approve those).
            return queryset.filter(state=State.IN_REVIEW).exclude(authors=request.user)
        return queryset


@admin.register(ChangeRequest)
class ChangeRequestAdmin(StrictIdAdmin):
    list_display = ["number", "title", "state", "significance", "created_by", "object_count", "updated_at"]
    list_display_links = ["number", "title"]
    list_filter = ["state", MineFilter, AwaitingMyReviewFilter, "significance"]
    list_select_related = ["created_by"]
    search_fields = ["title", "change_note", "revisions__object_repr"]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(revision_count=Count("revisions", distinct=True))

    @admin.display(description="#", ordering="pk")
    def number(self, obj: ChangeRequest) -> str:
        return f"#{obj.pk}"

    @admin.display(description="objects", ordering="revision_count")
    def object_count(self, obj: ChangeRequest) -> int:
        return obj.revision_count

    def has_add_permission(self, request) -> bool:
        return workflow.is_editor(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # The "change" page is the review page; what can be done there is decided by workflow.py.
        return request.user.is_active and request.user.is_staff and (
            workflow.is_editor(request.user) or request.user.has_perm("therapies.view_changerequest")
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return review.urls(self.admin_site.admin_view) + super().get_urls()

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        if not workflow.is_editor(request.user):
            return super().add_view(request, form_url, extra_context)  # the admin's own permission refusal
        form = StartChangeRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                change_request = workflow.start_change_request(
                    user=request.user, title=form.cleaned_data["title"], significance=form.cleaned_data["significance"]
                )
            except workflow.WorkflowError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "Change request started. Add the content it changes.")
                return HttpResponseRedirect(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Start a change request",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/therapies/changerequest/start.html", context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        change_request = self.object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, change_request):
            return super().change_view(request, object_id, form_url, extra_context)
        return review.change_request_page(request, change_request)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, StrictIdAdmin):
    """The append-only audit log: readable by the editorial team, changeable by nobody."""

    list_display = ["created_at", "actor", "action", "object_repr", "change_request"]
    list_filter = ["action", "created_at"]
    list_select_related = ["actor", "change_request"]
    search_fields = ["object_repr", "actor__username", "change_request__title"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor", "action", "content_type", "object_id", "object_repr",
                       "change_request", "details"]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or workflow.is_editor(request.user)
        )


admin.site.login_form = SignInForm
admin.site.site_header = "msinfo editorial"
admin.site.site_title = "msinfo editorial"
admin.site.index_title = "Content and review"
