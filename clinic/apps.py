from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """The admin, with the clinic's own site: queue counts on the index and the supervisor dashboard."""

    default_site = "requests_app.admin_site.ClinicAdminSite"
