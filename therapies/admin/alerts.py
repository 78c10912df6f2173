"""Safety alerts in the admin (issue 26): how many readers follow each therapy, for editors and reviewers;
their addresses only for support (the see_alert_addresses permission), every look recorded in the audit log.

Editors plan with the counts ("how many people will a change to ocrelizumab reach?"); nobody on the
editorial side needs to know who they are. Support needs an address to answer "please delete me" or a
bounce: they get a read-only list (search by exact address), and each page of it they open, and each
deletion, is an audit event naming what they looked at.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .. import workflow
from ..models import AlertFrequency, AlertLevel, AlertSubscriber, AlertSubscription
from ..workflow.alert_access import (
    SEE_ADDRESSES,
    can_see_alert_addresses,
    delete_alert_addresses,
    record_addresses_seen,
)
from .ids import StrictIdAdmin


def _counts() -> list[dict]:
    """Confirmed followers per therapy (every therapy last), by level and frequency. One query."""
    confirmed = AlertSubscription.objects.filter(subscriber__confirmed_at__isnull=False)
    rows = confirmed.values("therapy__name").annotate(
        safety_now=Count("pk", filter=Q(level=AlertLevel.SAFETY, subscriber__frequency=AlertFrequency.IMMEDIATE)),
        safety_weekly=Count("pk", filter=Q(level=AlertLevel.SAFETY, subscriber__frequency=AlertFrequency.WEEKLY)),
        all_now=Count("pk", filter=Q(level=AlertLevel.ALL, subscriber__frequency=AlertFrequency.IMMEDIATE)),
        all_weekly=Count("pk", filter=Q(level=AlertLevel.ALL, subscriber__frequency=AlertFrequency.WEEKLY)),
        total=Count("pk"),
    ).order_by("therapy__name")
    rows = list(rows)
    return sorted(rows, key=lambda row: (row["therapy__name"] is None, row["therapy__name"] or ""))


@admin.register(AlertSubscription)
class AlertCountsAdmin(StrictIdAdmin):
    """"Email alerts": the counts page, and nothing else (no row, no address)."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        user = request.user
        return obj is None and user.is_active and user.is_staff and (
            workflow.is_editor(user) or workflow.is_reviewer(user) or user.has_perm(SEE_ADDRESSES))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # readers subscribe themselves, and confirm by email

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None) -> HttpResponse:
        raise Http404("Email alerts have no page per subscription: the counts are on the list.")

    def history_view(self, request: HttpRequest, object_id, extra_context=None) -> HttpResponse:
        raise Http404("Email alerts have no page per subscription: the counts are on the list.")

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise admin.sites.PermissionDenied
        context = {
            **self.admin_site.each_context(request), "title": "Email alerts: followers per therapy",
            "opts": self.model._meta, "rows": _counts(),
            "confirmed": AlertSubscriber.objects.filter(confirmed_at__isnull=False).count(),
            "unconfirmed": AlertSubscriber.objects.filter(confirmed_at__isnull=True).count(),
            "can_see_addresses": request.user.has_perm(SEE_ADDRESSES),
        }
        return TemplateResponse(request, "admin/therapies/alert_counts.html", context)


@admin.register(AlertSubscriber)
class AlertSubscriberAdmin(StrictIdAdmin):
    """Support's read-only view of the addresses: every page opened is an audit event."""

    list_display = ["email", "frequency", "created_at", "confirmed_at", "follows"]
    search_fields = ["=email"]  # an exact address: support answers one reader, it does not browse
    fields = ["email", "frequency", "created_at", "confirmed_at", "digest_due_at"]
    readonly_fields = fields
    list_per_page = 50

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_see_alert_addresses(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_view_permission(request) and request.user.has_perm("therapies.delete_alertsubscriber")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(n_follows=Count("subscriptions"))

    @admin.display(description="alerts", ordering="n_follows")
    def follows(self, obj: AlertSubscriber) -> int:
        return obj.n_follows

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        shown = getattr(getattr(response, "context_data", {}).get("cl"), "result_list", None)
        if shown is not None and request.method == "GET":
            record_addresses_seen(user=request.user, subscriber_ids=[s.pk for s in shown],
                                  search=request.GET.get("q", ""))
        return response

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and request.method == "GET":
            record_addresses_seen(user=request.user, subscriber_ids=[int(object_id)])
        return response

    def get_deleted_objects(self, objs, request: HttpRequest):
        """An address goes with its own alerts and emails: deleting it needs no permission on those."""
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def delete_model(self, request: HttpRequest, obj: AlertSubscriber) -> None:
        delete_alert_addresses(user=request.user, subscribers=AlertSubscriber.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        delete_alert_addresses(user=request.user, subscribers=queryset)
