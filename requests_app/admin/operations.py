"""The outboxes, staff shifts, closures and retention runs: what supervisors keep an eye on."""

from __future__ import annotations

from django.contrib import admin, messages
from typing_extensions import override

from requests_app.admin.clock import clock_field
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
    @override
    def has_add_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created", "event", "status", "attempts", "sent", "last_error"]
    list_filter = ["status", "event"]
    search_fields = ["key"]
    ordering = ["-created_at"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["retry_failed"]
    # The recipient and the key name a patient's address: shown only on the detail page.
    readonly_fields = ["key", "event", "recipient", "request", "status", "attempts", "last_error", "created",
                       "next_attempt", "sending_since_at", "sent"]  # fmt: skip
    exclude = ["context", "created_at", "next_attempt_at", "sending_since", "sent_at"]
    # Every time on the clinic's clock, with its abbreviation.
    created = clock_field("created_at", "created")
    sent = clock_field("sent_at", "sent")
    next_attempt = clock_field("next_attempt_at", "next attempt", ordering=False)
    sending_since_at = clock_field("sending_since", "sending since", ordering=False)

    @admin.action(description="Retry the selected failed emails", permissions=["change"])
    def retry_failed(self, request, queryset):
        retried = sum(notification_retry(notification_id=pk) for pk in queryset.filter(
            status=NotificationStatus.FAILED).values_list("pk", flat=True))  # fmt: skip
        self.message_user(request, f"{retried} email(s) queued again.", messages.SUCCESS)


@admin.register(PipelineRecord)
class PipelineRecordAdmin(ReadOnlyAdmin):
    list_display = ["pk", "request", "status", "attempts", "created", "published", "processed", "last_error"]
    list_filter = ["status"]
    list_select_related = ["request"]
    ordering = ["-created_at"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    readonly_fields = ["request", "status", "attempts", "last_error", "created", "published", "processed"]
    actions = ["retry_failed"]
    created = clock_field("created_at", "created")
    published = clock_field("published_at", "published")
    processed = clock_field("processed_at", "processed")

    @admin.action(description="Retry the selected failed requests", permissions=["change"])
    def retry_failed(self, request, queryset):
        retried = sum(pipeline_retry(record_id=pk) for pk in queryset.filter(
            status=PipelineStatus.FAILED).values_list("pk", flat=True))  # fmt: skip
        self.message_user(request, f"{retried} request(s) queued again.", messages.SUCCESS)


@admin.register(StaffProfile)
class StaffProfileAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "on_shift", "last_assigned"]
    list_editable = ["on_shift"]
    list_select_related = ["user"]
    readonly_fields = ["last_assigned"]
    exclude = ["last_assigned_at"]
    last_assigned = clock_field("last_assigned_at", "last given a callback")

    @override
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClinicClosure)
class ClinicClosureAdmin(ReadOnlyHistoryAdmin):
    list_display = ["date", "reason"]
    date_hierarchy = "date"


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["ran", "cut_off", "anonymized_count"]
    ran = clock_field("ran_at", "ran")
    cut_off = clock_field("cutoff", "closed before")

    @override
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "beat"]
    beat = clock_field("beat_at", "last beat")

    @override
    def has_change_permission(self, request, obj=None):
        return False
