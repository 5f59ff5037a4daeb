"""The admin site: the front desk's main screen all day.

Named by `default_site` in clinic/apps.py. Django builds it while the apps'
admin modules register their models, so this module imports none of them at
import time (requests_app.admin's pages are imported when the URLs are built).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path

from requests_app.policy import is_front_desk, is_supervisor
from requests_app.selectors import queue_summary, staff_on_shift


class ClinicAdminSite(admin.AdminSite):
    site_header = "Harbourview front desk"
    site_title = "Front desk"
    index_title = "Front desk"
    # The queue needs the page's width for its columns; the home page lists the same few models.
    enable_nav_sidebar = False

    def get_urls(self):
        from requests_app.admin.dashboard import dashboard_view
        from requests_app.admin.home import on_shift_view

        return [
            path("dashboard/", self.admin_view(dashboard_view), name="requests_app_dashboard"),
            path("on-shift/", self.admin_view(on_shift_view), name="requests_app_on_shift"),
            *super().get_urls(),
        ]

    def index(self, request: HttpRequest, extra_context=None):
        extra_context = dict(extra_context or {})
        if is_front_desk(request.user) or is_supervisor(request.user):
            extra_context["queue_summary"] = queue_summary(user=request.user)
        if is_front_desk(request.user):
            # The signed-in member's own switch; a staff user without a profile is off shift until they flip it.
            extra_context["on_shift"] = staff_on_shift(user=request.user)
        extra_context["can_see_dashboard"] = is_supervisor(request.user)
        return super().index(request, extra_context)
