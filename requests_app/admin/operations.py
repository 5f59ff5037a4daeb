"""The outboxes, staff shifts, closures and retention runs: what supervisors keep an eye on."""

from __future__ import annotations

from django.contrib import admin, messages

from requests_app.admin.history import ReadOnlyHistoryAdmin
from requests_app.admin.pagination import CappedCountPaginator
from requests_app.models import (
    ClinicClosure,
    Heartbeat,
    Notification,
    NotificationStatus,
    PipelineRecord,
    PipelineStatus,
    RetentionRun,
    StaffProfile,
)
from requests_app.services.notifications import notification_retry
from requests_app.services.pipeline import pipeline_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "event"]
    search_fields = ["key"]
    ordering = ["-created_at"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["retry_failed"]
    # The recipient and the key name a patient's address: shown only on the detail page.
    readonly_fields = ["key", "event", "recipient", "request", "status", "attempts", "last_error", "created_at",
                       "next_attempt_at", "sending_since", "sent_at"]  # fmt: skip
    exclude = ["context"]

    @admin.action(description="Retry the selected failed emails", permissions=["change"])
    def retry_failed(self, request, queryset):
        retried = sum(notification_retry(notification_id=pk) for pk in queryset.filter(
            status=NotificationStatus.FAILED).values_list("pk", flat=True))  # fmt: skip
        self.message_user(request, f"{retried} email(s) queued again.", messages.SUCCESS)


@admin.register(PipelineRecord)
class PipelineRecordAdmin(ReadOnlyAdmin):
    list_display = ["pk", "request", "status", "attempts", "created_at", "published_at", "processed_at", "last_error"]
    list_filter = ["status"]
    list_select_related = ["request"]
    ordering = ["-created_at"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    readonly_fields = ["request", "status", "attempts", "last_error", "created_at", "published_at", "processed_at"]
    actions = ["retry_failed"]

    @admin.action(description="Retry the selected failed requests", permissions=["change"])
    def retry_failed(self, request, queryset):
        retried = sum(pipeline_retry(record_id=pk) for pk in queryset.filter(
            status=PipelineStatus.FAILED).values_list("pk", flat=True))  # fmt: skip
        self.message_user(request, f"{retried} request(s) queued again.", messages.SUCCESS)


@admin.register(StaffProfile)
class StaffProfileAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "on_shift", "last_assigned_at"]
    list_editable = ["on_shift"]
    list_select_related = ["user"]
    readonly_fields = ["last_assigned_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClinicClosure)
class ClinicClosureAdmin(ReadOnlyHistoryAdmin):
    list_display = ["date", "reason"]
    date_hierarchy = "date"


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "cutoff", "anonymized_count"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "beat_at"]

    def has_change_permission(self, request, obj=None):
        return False
