"""Admin registrations for the content models."""

from django.contrib import admin

from .models import MSCourse, Reference, Risk, Therapy, TherapyRisk, Trial

PUBLISH_STATE_FIELDS = (
    "live",
    "first_published_at",
    "last_published_at",
    "last_reviewed_at",
    "last_reviewed_by",
    "next_review_due",
)


class PublishStateAdmin(admin.ModelAdmin):
    """Shared set-up: publish state is shown, never typed in (publishing sets it)."""

    readonly_fields = PUBLISH_STATE_FIELDS
    list_select_related = ("last_reviewed_by",)
    list_per_page = 50
    date_hierarchy = "last_published_at"

    def get_fieldsets(self, request, obj=None):
        content = [f for f in self.get_fields(request, obj) if f not in PUBLISH_STATE_FIELDS]
        return [
            (None, {"fields": content}),
            ("Publishing and review", {"fields": PUBLISH_STATE_FIELDS, "classes": ["collapse"]}),
        ]


class TherapyRiskInline(admin.TabularInline):
    model = TherapyRisk
    extra = 0
    autocomplete_fields = ["risk"]
    fields = ["risk", "frequency", "figure", "notes"]


class RiskTherapyInline(admin.TabularInline):
    """On a risk's page the first column is the therapy."""

    model = TherapyRisk
    extra = 0
    autocomplete_fields = ["therapy"]
    fields = ["therapy", "frequency", "figure", "notes"]


class TrialInline(admin.TabularInline):
    model = Trial
    extra = 0
    fields = ["name", "nct_id", "phase", "number_randomised", "live"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Therapy)
class TherapyAdmin(PublishStateAdmin):
    list_display = ["name", "brand_names", "drug_class", "route", "live", "last_reviewed_at", "next_review_due"]
    list_filter = ["live", "drug_class", "route", "indications", "next_review_due"]
    search_fields = ["name", "slug", "brand_names", "molecular_target", "class_description", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["indications", "references"]
    inlines = [TherapyRiskInline, TrialInline]


@admin.register(Trial)
class TrialAdmin(PublishStateAdmin):
    list_display = ["name", "nct_id", "therapy", "phase", "number_randomised", "live", "next_review_due"]
    list_filter = ["live", "phase", "therapy", "population_courses"]
    list_select_related = ["therapy", "last_reviewed_by"]
    search_fields = ["name", "slug", "nct_id", "therapy__name", "comparator", "headline_result"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["therapy"]
    filter_horizontal = ["population_courses", "references"]


@admin.register(Risk)
class RiskAdmin(PublishStateAdmin):
    list_display = ["name", "severity", "boxed_warning", "live", "next_review_due"]
    list_filter = ["live", "severity", "boxed_warning"]
    search_fields = ["name", "slug", "summary", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["references"]
    inlines = [RiskTherapyInline]


@admin.register(TherapyRisk)
class TherapyRiskAdmin(admin.ModelAdmin):
    list_display = ["therapy", "risk", "frequency", "figure"]
    list_filter = ["frequency", "therapy", "risk"]
    list_select_related = ["therapy", "risk"]
    search_fields = ["therapy__name", "risk__name", "figure", "notes"]
    autocomplete_fields = ["therapy", "risk"]


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "title", "source", "year", "pmid", "doi", "nct_id"]
    list_filter = ["kind", "year"]
    search_fields = ["key", "title", "source", "authors", "pmid", "doi", "nct_id", "url"]


@admin.register(MSCourse)
class MSCourseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "position"]
    search_fields = ["code", "name", "description"]
    list_filter = ["code"]
    ordering = ["position"]


admin.site.site_header = "msinfo editorial"
admin.site.site_title = "msinfo editorial"
admin.site.index_title = "Content and review"
