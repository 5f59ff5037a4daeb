from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Appointment requests"

    def ready(self) -> None:
        from requests_app import checks  # noqa: F401  (registers the system checks)

    def web_started(self) -> None:
        """Called by clinic/wsgi.py in each web process: build triage's text pipeline before any patient waits."""
        from requests_app.triage import warm_up

        warm_up()
