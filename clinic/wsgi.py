"""WSGI entry point for gunicorn and the development server."""

import os

from django.apps import apps
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

application = get_wsgi_application()

# Work each app wants done before the first request (building the triage
# pipeline takes about a second): asked of every app, named by none here.
for config in apps.get_app_configs():
    getattr(config, "web_started", lambda: None)()
