"""The API's exception handler: DRF's, plus the 503 for a database that cannot be reached."""

from __future__ import annotations

from django.http import HttpResponse
from rest_framework.views import exception_handler as drf_exception_handler

from requests_app.database_down import database_unavailable, database_unavailable_response


def exception_handler(exc: Exception, context: dict) -> HttpResponse | None:
    """DRF's handler, except that an unreachable database is answered as everywhere else.

    DRF sees an APIView's exceptions before any middleware does. Left alone,
    it re-raises them and DatabaseUnavailableMiddleware answers; answering
    here with the middleware's own response keeps the two from ever
    disagreeing, whatever this handler is later taught.
    """
    if database_unavailable(exc):
        return database_unavailable_response(context["request"], exc)
    return drf_exception_handler(exc, context)
