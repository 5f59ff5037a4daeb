"""The database cannot be reached: every public door answers 503 with Retry-After, and nothing is claimed as saved.

The outage is real, not a mock: inside `database_unreachable()` the
connection settings point at a port nothing listens on (PostgreSQL) or at a
file in a directory that does not exist (SQLite), so the driver itself fails
to connect, exactly as against a stopped server, and Django wraps its error
as it would in production. The tests are transactional: the test's own
connection is closed for the outage and opened afresh after it.
(tests/fault/test_database_down.py stops a real PostgreSQL server.)
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import sys
import time
from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from django.db import Error, InterfaceError, OperationalError, ProgrammingError, connection, transaction
from django.test import Client, RequestFactory

from clinic.health import READY_DATABASE_CONNECT_TIMEOUT
from requests_app.database_down import RETRY_AFTER_SECONDS, database_unavailable, database_unavailable_response
from requests_app.emails import better_time_token
from requests_app.models import AppointmentRequest
from tests.factories import ArticleFactory
from tests.support.intake import patient_fields
from tests.support.processes import free_port
from tests.test_request_form import form_data

pytestmark = pytest.mark.django_db(transaction=True)

API_URL = "/api/v1/appointment-requests/"
FORM_URL = "/request-appointment/"
PHONE = django_settings.CLINIC["PHONE"]
postgres_only = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (psycopg's connect timeout); CI's PostgreSQL run has it",
)


@contextlib.contextmanager
def database_unreachable(**postgres_settings):
    """Inside the block every new connection fails for real, as against a stopped server."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict.get(key) for key in ("NAME", "HOST", "PORT", "OPTIONS")}
    connection.close()
    if connection.vendor == "postgresql":
        settings_dict.update({"HOST": "127.0.0.1", "PORT": free_port(), **postgres_settings})
    else:
        settings_dict["NAME"] = "/nonexistent-directory/clinic.sqlite3"
    try:
        yield
    finally:
        connection.close()
        settings_dict.update(saved)


@contextlib.contextmanager
def silent_server():
    """A port that accepts TCP connections (the kernel's backlog) and never says a word: a hung host."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def post_json(client, body, **headers):
    return client.generic("POST", API_URL, json.dumps(body), content_type="application/json", **headers)


def assert_unavailable(response) -> None:
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]


# --- The API ----------------------------------------------------------------


@pytest.mark.parametrize("idempotency_key", [None, "retry-me-4f1c"])
def test_the_api_answers_503_with_retry_after_and_a_plain_json_message_and_stores_nothing(client, idempotency_key):
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    body = patient_fields()
    with database_unreachable():
        response = post_json(client, body, **headers)

    assert_unavailable(response)
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert response.json() == {"detail": detail}
    assert "nothing was saved" in detail
    assert "try again in a minute" in detail
    assert PHONE in detail
    assert AppointmentRequest.objects.count() == 0

    # The very next request, with the database back, is accepted (the same key too: nothing was kept under it).
    retry = post_json(client, body, **headers)
    assert retry.status_code == HTTPStatus.CREATED, retry.content
    assert AppointmentRequest.objects.get().reference == retry.json()["reference"]


@pytest.mark.parametrize("handler", ["ours", "drf default"])
def test_drf_and_the_middleware_give_the_same_answer(client, settings, handler):
    """DRF answers its views' exceptions itself; whichever of the two answers, the client sees the same."""
    if handler == "drf default":
        settings.REST_FRAMEWORK = {
            key: value for key, value in settings.REST_FRAMEWORK.items() if key != "EXCEPTION_HANDLER"
        }
    with database_unreachable():
        response = post_json(client, patient_fields())
        try:
            connection.ensure_connection()
        except OperationalError as error:
            reference = database_unavailable_response(RequestFactory().post(API_URL), error)
    assert_unavailable(response)
    assert response.status_code == reference.status_code
    assert response["Retry-After"] == reference["Retry-After"]
    assert response.json() == json.loads(reference.content)


# --- The form ---------------------------------------------------------------


def everything_typed(**overrides) -> dict:
    return form_data(
        article="why-running-hurts-your-back",
        campaign="spring-5k",
        best_time_slots=["morning", "evening"],
        symptoms=["lower_back_pain"],
        pain_duration="1_6_weeks",
        insurance_note="Harbour Mutual",
        screening_leg_nerves="not_sure",
        **overrides,
    )


def test_the_form_comes_back_with_everything_typed_and_says_nothing_was_saved(client):
    data = everything_typed()
    with database_unreachable():
        response = client.post(FORM_URL, data)

    assert_unavailable(response)
    html = response.content.decode()
    top = html.index('id="not-saved"')
    assert top < html.index("<form")
    assert "Your request was not saved" in html
    assert "nothing was saved" in html
    assert PHONE in html
    assert "<title>Not saved: Request an appointment" in html
    # Everything the patient typed, ticked and chose, and the hidden fields that go with it.
    for name in ("first_name", "last_name", "phone", "email", "insurance_note", "article", "campaign", "form_token"):
        assert re.search(rf'name="{name}" value="{re.escape(data[name])}"', html), name
    assert data["reason"] in html
    ticked = [("best_time_slots", "morning"), ("best_time_slots", "evening"), ("symptoms", "lower_back_pain")]
    for name, value in ticked:
        assert re.search(rf'name="{name}" value="{value}"[^>]*checked', html), (name, value)
    assert re.search(r'name="screening_leg_nerves" value="not_sure"[^>]*checked', html)
    assert re.search(r'name="consent"[^>]*checked', html)
    assert re.search(r'<option value="1_6_weeks" selected>', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'class="error-summary" role="alert" tabindex="-1" id="error-summary"' not in html  # nothing is wrong
    assert "OperationalError" not in html
    assert AppointmentRequest.objects.count() == 0


def test_the_page_sent_again_once_the_database_is_back_is_accepted_once():
    """The patient's path: the form, a failed send, the same page sent again a minute later (CSRF enforced)."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(FORM_URL).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    csrf = match.group(1)
    data = everything_typed(csrfmiddlewaretoken=csrf)
    with database_unreachable():
        failed = browser.post(FORM_URL, data)
    assert_unavailable(failed)

    again = failed.content.decode()
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"', again))
    assert fields["form_token"] == data["form_token"]  # the same submission, if it went through after all
    response = browser.post(FORM_URL, {**data, **fields})
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert browser.post(FORM_URL, {**data, **fields}).status_code == HTTPStatus.SEE_OTHER
    assert AppointmentRequest.objects.count() == 1


def test_csrf_and_the_rate_limit_work_as_usual_while_the_database_is_down(client, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "appointment_request": "2/hour"},
    }
    with database_unreachable():
        assert Client(enforce_csrf_checks=True).post(FORM_URL, form_data()).status_code == HTTPStatus.FORBIDDEN
        statuses = [client.post(FORM_URL, form_data()).status_code for _ in range(3)]
    assert statuses == [503, 503, 429]


def test_the_form_page_from_an_article_link_still_shows_the_form(client):
    """The link under every (cached) article names the article: looking it up needs the database."""
    with database_unreachable():
        response = client.get(f"{FORM_URL}?article=why-running-hurts-your-back")
    assert_unavailable(response)
    html = response.content.decode()
    assert "We cannot take requests online for a moment" in html
    assert PHONE in html
    assert 'name="article" value="why-running-hurts-your-back"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "csrftoken" in response.cookies


# --- Other pages -------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/articles/", "article"])
def test_other_public_pages_answer_a_plain_503_page_with_the_phone_number(client, path):
    if path == "article":
        path = ArticleFactory.create().get_absolute_url()
    with database_unreachable():
        response = client.get(path)
    assert_unavailable(response)
    html = response.content.decode()
    assert "briefly unavailable" in html
    assert "not saved" not in html  # nothing was being sent
    assert PHONE in html
    assert 'href="/static/css/site.css"' in html  # the site's look
    assert "OperationalError" not in html
    # Nothing was cached: once the database is back the page is there.
    assert client.get(path).status_code == HTTPStatus.OK


def test_a_confirmation_that_cannot_be_shown_does_not_tell_the_patient_the_request_is_lost(client):
    location = client.post(FORM_URL, form_data())["Location"]
    with database_unreachable():
        response = client.get(location)
    assert_unavailable(response)
    html = response.content.decode()
    assert "briefly unavailable" in html
    assert "not saved" not in html
    assert PHONE in html
    assert AppointmentRequest.objects.count() == 1


def test_another_form_sent_while_the_database_is_down_is_told_it_was_not_saved(client):
    """The "we could not reach you" email's page: a POST without a page of its own gets the plain one."""
    client.post(FORM_URL, form_data())
    token = better_time_token(AppointmentRequest.objects.get().pk)
    with database_unreachable():
        response = client.post(f"/request-appointment/better-time/{token}/", {"best_time_slots": ["morning"]})
    assert_unavailable(response)
    html = response.content.decode()
    assert "what you sent was not saved" in html
    assert PHONE in html


# --- /readyz and the connect timeout ------------------------------------------


@pytest.mark.usefixtures("broker")
def test_readyz_names_the_database_at_once_when_it_refuses_connections(client):
    with database_unreachable():
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["failing"] == ["database"]
    assert elapsed < 1.0
    assert client.get("/readyz").status_code == HTTPStatus.OK


@pytest.mark.usefixtures("broker")
@postgres_only
def test_readyz_gives_up_on_a_host_that_does_not_answer_within_its_short_timeout(client):
    with silent_server() as port, database_unreachable(PORT=port):
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert response.json()["failing"] == ["database"]
    assert elapsed < READY_DATABASE_CONNECT_TIMEOUT + 1.5, elapsed


@postgres_only
def test_a_request_waits_for_a_silent_database_host_only_for_the_connect_timeout(client):
    options = {**connection.settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    with silent_server() as port, database_unreachable(PORT=port, OPTIONS=options):
        started = time.monotonic()
        response = post_json(client, patient_fields())
        elapsed = time.monotonic() - started
    assert_unavailable(response)
    assert elapsed < 2 + 1.5, elapsed


def test_production_settings_give_postgresql_a_connect_timeout_and_check_kept_connections():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['OPTIONS']['connect_timeout'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "appointments.example.org",
        "SITE_URL": "https://appointments.example.org",
        "DATABASE_URL": "postgres://clinic:secret@db.example.org:5432/clinic",
        "REDIS_URL": "redis://redis.example.org:6379/0",
        "EMAIL_HOST": "smtp.example.org",
        "DEFAULT_FROM_EMAIL": "Clinic <appointments@example.org>",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
    )
    assert result.stdout.split() == ["5", "60", "True"], result.stderr


# --- Which errors count as an outage ------------------------------------------


def test_a_refused_connection_counts_as_the_database_being_unavailable():
    with database_unreachable(), pytest.raises(OperationalError) as refused:
        connection.ensure_connection()
    assert database_unavailable(refused.value)


def test_errors_from_a_database_that_answers_are_not_an_outage_but_bugs():
    """A 503 would hide them: they stay 500s."""
    errors: list[Error] = []
    for sql in ("SELECT * FROM no_such_table", "SELECT no_such_column FROM requests_app_appointmentrequest"):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        except (OperationalError, ProgrammingError) as error:  # SQLite: Operational; PostgreSQL: Programming
            errors.append(error)
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 10")
                cursor.execute("SELECT pg_sleep(1)")
        except OperationalError as error:  # QueryCanceled: the database is there
            errors.append(error)
        cursor = connection.cursor()
        cursor.close()
        try:
            cursor.execute("SELECT 1")
        except InterfaceError as error:  # "the cursor is closed": misuse, on a connection that is fine
            errors.append(error)
    assert len(errors) == (4 if connection.vendor == "postgresql" else 2)
    assert not any(database_unavailable(error) for error in errors)
    assert not database_unavailable(OperationalError("raised by hand, no driver error behind it"))
