"""The database cannot be reached: every page and the API answer 503 with Retry-After, never a 500.

The answer renders the clinic's own pages (the request form again, or a
short page with the phone number and opening hours), from settings alone.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from requests_app.context_processors import clinic_hours_text

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait: a restarted or failed-over PostgreSQL is
# usually back within that, and a patient can wait that long.
RETRY_AFTER_SECONDS = 30

# PostgreSQL error codes that mean "not now" rather than "wrong query": class
# 08 (connection exception), the server shutting down or crashed (57P01,
# 57P02), starting up or shutting down (57P03), out of connection slots (53300).
_POSTGRES_UNAVAILABLE_CLASSES = ("08",)
_POSTGRES_UNAVAILABLE_CODES = frozenset({"57P01", "57P02", "57P03", "53300"})
# SQLite (development): the file cannot be opened or read, or stays locked past the timeout.
_SQLITE_UNAVAILABLE_CODES = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now, as opposed to a bug in a query.

    Django wraps every driver error in its own class (django.db.OperationalError
    and so on) and keeps the driver's as `__cause__`; that is what is read here.

    Why these classes, and why not all of them. On PostgreSQL (psycopg 3) a
    stopped server refuses the connection: OperationalError at connect, with no
    SQLSTATE (libpq's own error). A server stopped or killed under an open
    connection gives OperationalError on the next query: "terminating
    connection due to administrator command" (57P01), or "server closed the
    connection unexpectedly" and then "the connection is closed" (no
    SQLSTATE). A server starting up refuses with 57P03. But OperationalError
    is also the class of a deadlock (40P01), a serialization failure (40001),
    a statement or lock timeout (57014, 55P03) and, on SQLite, of "no such
    table": those are answers from a database that is there, and a 503 would
    hide a bug, so they stay 500s. InterfaceError (psycopg 2's "connection
    already closed") is psycopg 3's class for misuse ("the cursor is closed"),
    so it counts only when the connection is in fact gone. Anything else,
    including an OperationalError without a driver error behind it, is not
    known to be an outage and is left alone.
    """
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    cause = error.__cause__
    if isinstance(error, InterfaceError):
        return isinstance(cause, psycopg.Error | sqlite3.Error) and _connection_gone()
    if isinstance(cause, psycopg.Error):
        code = cause.sqlstate
        return code is None or code.startswith(_POSTGRES_UNAVAILABLE_CLASSES) or code in _POSTGRES_UNAVAILABLE_CODES
    if isinstance(cause, sqlite3.Error):
        # The primary result code is the low byte of an extended one (SQLITE_IOERR_READ is 266).
        return (getattr(cause, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_UNAVAILABLE_CODES
    return False


def _connection_gone() -> bool:
    raw = connections[DEFAULT_DB_ALIAS].connection
    return raw is None or bool(getattr(raw, "closed", False))


def database_unavailable_detail() -> str:
    """What the API says: nothing was saved, when to try again, and the phone number."""
    return (
        "We cannot reach our database right now, so nothing was saved. "
        f"Please try again in a minute, or call the clinic on {settings.CLINIC['PHONE']}."
    )


def database_unavailable_page(page: Callable[[HttpRequest], HttpResponse]):
    """Give a view its own page for when the database cannot be reached (the request form re-shows itself).

    `page(request)` must not touch the database; the middleware sets the
    status, Retry-After and the no-cache headers on what it returns.
    """

    def decorate(view):
        view.database_unavailable_page = page
        return view

    return decorate


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The one answer to "the database cannot be reached": 503 with Retry-After, nothing claimed as saved.

    JSON `{"detail": ...}` under /api/; the view's own page if it has one
    (see `database_unavailable_page`); otherwise the plain 503 page. Used by
    DatabaseUnavailableMiddleware and by the API's exception handler
    (requests_app/api/errors.py), so both always answer alike.
    """
    # The driver's class and code only, never its message (nothing a patient typed can get into the log).
    cause = error.__cause__ or error
    code = getattr(cause, "sqlstate", None) or getattr(cause, "sqlite_errorname", None)
    logger.warning(
        "database unavailable (%s%s): %s %s answered 503",
        type(cause).__name__,
        f" {code}" if code else "",
        request.method,
        request.path,
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": database_unavailable_detail()})
    else:
        match = getattr(request, "resolver_match", None)
        page = getattr(match.func, "database_unavailable_page", None) if match else None
        response = page(request) if page else _plain_page(request)
    response.status_code = 503
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _plain_page(request: HttpRequest) -> HttpResponse:
    # From settings alone, like the 500 page: no request context, so no context processor can query.
    context = {
        "clinic": settings.CLINIC,
        "site_url": settings.SITE_URL,
        "clinic_hours_text": clinic_hours_text(settings.CLINIC["OPENING_HOURS"]),
        # Only a page that was sending something says it was not saved: a confirmation page that
        # cannot be shown must not tell a patient whose request is stored that it is lost.
        "sent": request.method not in ("GET", "HEAD", "OPTIONS"),
    }
    return HttpResponse(loader.render_to_string("503.html", context))


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with Retry-After, not a 500 (or the debug page).

    Views under /api/ that DRF runs are answered by DRF's exception handler
    (requests_app/api/errors.py), with the same response; every other view's
    exception comes here. An error that does not mean an outage (see
    `database_unavailable`) goes on to Django's 500 handling as before.

    Django itself closes a connection that failed once the request ends
    (CONN_HEALTH_CHECKS checks a kept one before reuse), so the next request
    connects afresh: nothing here needs to repair the connection.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        return database_unavailable_response(request, exception)
