"""PostgreSQL stops while patients submit: 503 with Retry-After, never a 500, never a 201 for a row that is not there.

The real server is stopped and started again by the shell commands in
CLINIC_PG_STOP and CLINIC_PG_START (CI's PostgreSQL run sets them:
`pg_ctlcluster <version> main stop -m fast` / `start`, as root). `-m fast`
is what a restart or a failover does to the sessions: they are terminated
mid-query, and new connections are refused while the server is down.

The web is pytest-django's live server (real HTTP, one thread per request,
each with a connection of its own, closed after the request). The API is
sent ten submissions a second, from a thread of their own, while the main
thread stops the server, posts the HTML form once during the outage, and
starts the server again. A second test serves requests as a gunicorn
worker does (one thread keeping its connection, CONN_MAX_AGE=60) and
restarts the server between two requests: the kept connection is dead, and
the next request must notice it before using it (CONN_HEALTH_CHECKS).

Whatever happens, the server is started again (finally), or the rest of
the suite would fail.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIServer
from django.core.wsgi import get_wsgi_application
from django.db import OperationalError, connection, connections
from django.test.testcases import QuietWSGIRequestHandler

from requests_app.database_down import RETRY_AFTER_SECONDS
from requests_app.forms import MIN_FILL_SECONDS
from requests_app.models import AppointmentRequest
from tests.support.intake import patient_fields
from tests.support.matching import must_search
from tests.test_request_form import form_data

PG_STOP = os.environ.get("CLINIC_PG_STOP", "")
PG_START = os.environ.get("CLINIC_PG_START", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.fault,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="stops a real PostgreSQL server: runs in CI's PostgreSQL run (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.skipif(
        not (PG_STOP and PG_START),
        reason="set CLINIC_PG_STOP and CLINIC_PG_START to shell commands that stop and start PostgreSQL "
        "(.ci/run does: pg_ctlcluster <version> main stop -m fast / start)",
    ),
]

INTERVAL = 0.1  # ten submissions a second
SUBMISSIONS = 100
STOP_AFTER = 2.0  # seconds into the submissions
DOWN_FOR = 4.0  # seconds between the end of the stop and the start command
PHONE = django_settings.CLINIC["PHONE"]


@dataclass
class Answer:
    sent_at: float
    status: int
    body: dict
    retry_after: str | None
    seconds: float


def send(request: urllib.request.Request, opener=None, timeout: float = 30) -> tuple[int, bytes, dict, float]:
    started = time.monotonic()
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            status, raw, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, headers = error.code, error.read(), error.headers
    return status, raw, headers, time.monotonic() - started


def post_json(url: str, body: dict) -> Answer:
    request = urllib.request.Request(  # noqa: S310 (the test server's http:// URL)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    sent_at = time.monotonic()
    status, raw, headers, seconds = send(request)
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        parsed = {"not json": raw[:300].decode(errors="replace")}
    return Answer(sent_at, status, parsed, headers.get("Retry-After"), seconds)


def post_form(url: str, opener, data: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data, doseq=True).encode(), method="POST")  # noqa: S310
    status, raw, _, _ = send(request, opener)
    return status, raw.decode(errors="replace")


def hidden(html: str, name: str) -> str:
    return must_search(rf'name="{name}" value="([^"]+)"', html).group(1)


def stop_postgresql() -> None:
    connection.close()  # the test's own session would die with the server
    subprocess.run(PG_STOP, shell=True, check=True, timeout=120)  # noqa: S602 (CI's own command, from its environment)


def start_postgresql() -> None:
    """Run CLINIC_PG_START and return once PostgreSQL accepts connections again (or fail, saying why)."""
    result = subprocess.run(PG_START, shell=True, timeout=120, capture_output=True, text=True)  # noqa: S602
    deadline = time.monotonic() + 60
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            connection.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL is not back: {PG_START!r} said {result.stderr!r}") from None
            time.sleep(0.1)


def submit_for_a_while(url: str, answers: list[Answer]) -> None:
    """Ten API submissions a second, each answer recorded; no exception ends the run early."""
    started = time.monotonic()
    for n in range(SUBMISSIONS):
        time.sleep(max(0.0, started + n * INTERVAL - time.monotonic()))
        try:
            answers.append(post_json(url, patient_fields()))
        except Exception as error:  # noqa: BLE001 (on a thread: a refused or dropped connection, or any other error, recorded)
            answers.append(Answer(time.monotonic(), 0, {"error": repr(error)}, None, 0.0))


@pytest.fixture
def unthrottled(settings):
    """All submissions come from one address; the per-address limit is not what is tested here."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "appointment_request": "100000/minute"},
    }


@pytest.mark.usefixtures("broker", "unthrottled")
def test_while_postgresql_is_stopped_every_answer_is_201_or_503_and_every_201_is_stored(live_server):
    api = f"{live_server.url}/api/v1/appointment-requests/"
    form_url = f"{live_server.url}/request-appointment/"
    # A first request loads what a running server has long since loaded (views, phone metadata).
    # Invalid, so nothing is stored.
    assert post_json(api, {"phone": "+16035550142"}).status == 400
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form_page = send(urllib.request.Request(form_url), browser)[1].decode()  # noqa: S310
    shown_at = time.monotonic()

    answers: list[Answer] = []
    submitter = threading.Thread(target=submit_for_a_while, args=(api, answers), daemon=True)
    submitter.start()
    time.sleep(STOP_AFTER)
    stop_began = time.monotonic()
    try:
        stop_postgresql()
        stopped_at = time.monotonic()
        time.sleep(max(0.0, MIN_FILL_SECONDS + 0.5 - (time.monotonic() - shown_at)))
        typed = form_data(
            csrfmiddlewaretoken=hidden(form_page, "csrfmiddlewaretoken"), form_token=hidden(form_page, "form_token")
        )
        form_status, form_html = post_form(form_url, browser, typed)
        time.sleep(max(0.0, DOWN_FOR - (time.monotonic() - stopped_at)))
    finally:
        start_began = time.monotonic()
        start_postgresql()
        started_at = time.monotonic()
    submitter.join(SUBMISSIONS * INTERVAL + 60)
    assert not submitter.is_alive()

    statuses = Counter(answer.status for answer in answers)
    slowest = max(answers, key=lambda answer: answer.seconds)
    slowest_refusal = max((a.seconds for a in answers if a.status == 503), default=0.0)
    print(
        f"{len(answers)} submissions: {dict(statuses)}; PostgreSQL stopping {stop_began - answers[0].sent_at:.1f} s "
        f"in, stopped {stopped_at - stop_began:.1f} s later, started {started_at - start_began:.1f} s after its "
        f"start command; slowest answer {slowest.seconds:.3f} s ({slowest.status}), slowest 503 {slowest_refusal:.3f} s"
    )
    assert len(answers) == SUBMISSIONS
    assert set(statuses) <= {201, 503}, [a for a in answers if a.status not in (201, 503)][:5]
    assert statuses[503] > 0, "no submission met the outage: the test proved nothing"
    assert slowest.seconds < 5, slowest  # refused at once, never held for a connect timeout or longer

    for answer in answers:
        if answer.status == 503:
            assert answer.retry_after == str(RETRY_AFTER_SECONDS), answer
            assert "nothing was saved" in answer.body["detail"] and PHONE in answer.body["detail"], answer
    # Before the stop and after the start, everything is accepted: recovery needs no restart of the web.
    before = [a.status for a in answers if a.sent_at + a.seconds < stop_began]
    after = [a.status for a in answers if a.sent_at > started_at]
    assert before and set(before) == {201}
    assert after and set(after) == {201}, after

    # Every 201 names a request that is in the database.
    references = [answer.body["reference"] for answer in answers if answer.status == 201]
    stored = set(AppointmentRequest.objects.filter(reference__in=references).values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert stored == set(references)
    print(f"requests stored: {AppointmentRequest.objects.count()}, answered 201: {len(references)}")

    # The form sent during the outage came back with what was typed; sent again now, it is accepted.
    assert form_status == 503, form_html[:500]
    assert "Your request was not saved" in form_html and PHONE in form_html
    assert 'value="Riley"' in form_html and typed["reason"] in form_html
    resend = {**typed, "csrfmiddlewaretoken": hidden(form_html, "csrfmiddlewaretoken")}
    status, confirmation = post_form(form_url, browser, resend)  # follows the 303 to the confirmation
    assert status == 200 and "we have your request" in confirmation
    assert AppointmentRequest.objects.filter(email=typed["email"]).count() == 1


class KeptConnectionServer:
    """One thread serving requests one at a time and keeping its database connection, as a gunicorn worker does."""

    def __init__(self) -> None:
        self.server = WSGIServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)
        self.server.set_app(get_wsgi_application())
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def _serve(self) -> None:
        try:
            self.server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's kept connection

    def __enter__(self) -> KeptConnectionServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.mark.usefixtures("broker")
@pytest.mark.parametrize("health_checks", [True, False], ids=["health checks", "without (control)"])
def test_a_connection_kept_across_a_restart_is_replaced_before_the_next_request_uses_it(health_checks):
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=health_checks)
    try:
        with KeptConnectionServer() as server:
            api = f"{server.url}/api/v1/appointment-requests/"
            assert post_json(api, patient_fields()).status == 201  # the server thread now holds a connection
            try:
                stop_postgresql()
            finally:
                start_postgresql()
            first, second = post_json(api, patient_fields()), post_json(api, patient_fields())
    finally:
        settings_dict.update(saved)
        connection.close()
    print(f"health checks {health_checks}: after the restart {first.status}, then {second.status}")
    if health_checks:
        assert (first.status, second.status) == (201, 201), first
    else:
        # Django's default: the dead connection is used once; the 503 says nothing was saved, and the
        # connection is dropped at the end of that request. (The control: it shows what the checks prevent.)
        assert (first.status, second.status) == (503, 201), first
        assert first.retry_after == str(RETRY_AFTER_SECONDS)
    assert AppointmentRequest.objects.count() == 1 + [first.status, second.status].count(201)
