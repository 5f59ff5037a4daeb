from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Appointment requests"

    def ready(self) -> None:
        from requests_app import checks  # noqa: F401  (registers the system checks)
