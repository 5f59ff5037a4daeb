"""The admin site: the front desk's main screen all day."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path


class ClinicAdminSite(admin.AdminSite):
    site_header = "Harbourview front desk"
    site_title = "Front desk"
    index_title = "Callback queue"

    def get_urls(self):
        from requests_app.admin.dashboard import dashboard_view

        return [
            path("dashboard/", self.admin_view(dashboard_view), name="requests_app_dashboard"),
            *super().get_urls(),
        ]

    def index(self, request: HttpRequest, extra_context=None):
        from requests_app.roles import is_front_desk, is_supervisor
        from requests_app.selectors import queue_summary

        extra_context = dict(extra_context or {})
        if is_front_desk(request.user) or is_supervisor(request.user):
            extra_context["queue_summary"] = queue_summary()
        extra_context["can_see_dashboard"] = is_supervisor(request.user)
        return super().index(request, extra_context)
