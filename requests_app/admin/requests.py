"""Appointment requests in the admin: read-only; the desk works them through their callbacks."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from typing_extensions import override

from requests_app.admin.clock import clock_field
from requests_app.admin.history import ReadOnlyHistoryAdmin
from requests_app.admin.pagination import CappedCountPaginator
from requests_app.models import AppointmentRequest, RequestNote


class RequestNoteInline(admin.TabularInline):
    model = RequestNote
    extra = 0
    can_delete = False
    fields = readonly_fields = ("written", "kind", "body", "author")
    written = clock_field("created_at", "written", ordering=False)

    @override
    def has_add_permission(self, request, obj=None):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ["reference", "received", "priority", "status", "channel", "source_article", "callback_link"]
    list_filter = ["priority", "status", "channel", "source_article"]
    list_select_related = ["source_article", "callback"]
    search_fields = ["reference", "last_name", "phone", "=email"]
    ordering = ["-created_at"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    inlines = [RequestNoteInline]
    exclude = ["ip_hash"]
    # On the clinic's clock with its abbreviation, like every time the staff see.
    received = clock_field("created_at", "received")
    updated = clock_field("updated_at", "updated", ordering=False)
    anonymized = clock_field("anonymized_at", "anonymized", ordering=False)
    CLOCK_FIELDS = {"created_at": "received", "updated_at": "updated", "anonymized_at": "anonymized"}

    @admin.display(description="callback")
    def callback_link(self, obj: AppointmentRequest) -> str:
        if obj.merged_into_id is not None:
            # A repeat has no callback of its own: the desk works the request it was merged into.
            url = reverse("admin:requests_app_appointmentrequest_change", args=[obj.merged_into_id])
            return format_html('merged into <a href="{}">request {}</a>', url, obj.merged_into_id)
        callback = getattr(obj, "callback", None)
        if callback is None:
            return "not yet created"
        url = reverse("admin:requests_app_callback_change", args=[callback.pk])
        return format_html('<a href="{}">{}</a>', url, callback.get_status_display())

    @override
    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in self.model._meta.fields if f.name != "ip_hash"] + ["callback_link"]
        return [self.CLOCK_FIELDS.get(name, name) for name in fields]

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False
