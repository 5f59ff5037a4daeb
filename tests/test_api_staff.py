"""/api/v1/staff/: the desk's queue as JSON, on the same services as the admin."""

import base64
import json
from datetime import UTC, date, datetime, time, timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import CallAttempt, Callback, CallbackStatus, Notification, RequestStatus, StaffProfile
from requests_app.services.callbacks import callback_claim, callback_close, callback_log_attempt
from requests_app.services.pipeline import request_process
from tests.support.appointments import bookable_day
from tests.support.bulk import bulk_callbacks
from tests.support.intake import submit

pytestmark = pytest.mark.django_db

# A date the schedule accepts whenever the tests run (at most a year ahead).
NEXT_MONTH = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
BASE = "/api/v1/staff/callbacks/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every test here creates staff users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(callback_or_id, action: str = "") -> str:
    pk = getattr(callback_or_id, "pk", callback_or_id)
    return f"{BASE}{pk}/" + (f"{action}/" if action else "")


def post(client, path: str, body: dict | None = None, **extra):
    data = json.dumps(body) if body is not None else ""
    return client.post(path, data, content_type="application/json", **extra)


def new_callback(**fields) -> Callback:
    """A request through the real intake and pipeline, with nobody on shift: it lands unassigned."""
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit(**fields).request.pk)
    assert callback is not None
    return callback


def future_day() -> date:
    return bookable_day(time(10, 30), after=3)


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


@pytest.fixture
def callback(db):  # noqa: ARG001 (requested for its effect: database access)
    return new_callback(first_name="Quinn")


# --- the queue -------------------------------------------------------------------------


def test_the_queue_lists_open_callbacks_urgent_first_then_by_due_time_with_what_a_call_needs(desk, front_desk):
    later = new_callback(first_name="Later", best_time_slots=["evening"], best_days=["fri"])
    sooner = new_callback(first_name="Sooner")
    urgent = new_callback(first_name="Urgent", symptoms=["leg_weakness"])
    closed = new_callback(first_name="Closed")
    callback_close(callback_id=closed.pk, user=front_desk, reason="declined")
    now = timezone.now()
    Callback.objects.filter(pk=sooner.pk).update(due_at=now - timedelta(hours=2))
    Callback.objects.filter(pk=later.pk).update(due_at=now + timedelta(hours=5))
    Callback.objects.filter(pk=urgent.pk).update(due_at=now + timedelta(hours=9))

    response = desk.get(BASE)

    assert response.status_code == HTTPStatus.OK
    results = response.json()["results"]
    assert [item["id"] for item in results] == [urgent.pk, sooner.pk, later.pk]
    first = results[1]
    request = sooner.request
    assert first == {
        "id": sooner.pk,
        "reference": request.reference,
        "first_name": "Sooner",
        "last_name": request.last_name,
        "phone": request.phone.as_e164,
        "priority": "routine",
        "status": "new",
        "due_at": first["due_at"],  # checked below: the same moment, on the clinic's clock
        "overdue": True,
        "attempt_count": 0,
        "assigned_to": None,
        "best_time": "any time we are open",
        "best_time_slots": [],
        "best_days": [],
    }
    due_at = datetime.fromisoformat(first["due_at"])
    assert due_at == now - timedelta(hours=2)
    assert due_at.utcoffset() == timezone.localtime(due_at).utcoffset()
    assert first["phone"].startswith("+1")
    assert results[2]["overdue"] is False
    # As the admin says it: the hours the clinic is open in the slot (it closes at 6 pm).
    assert results[2]["best_time"] == "Evening (5 pm to 6 pm) on Friday"
    assert results[0]["priority"] == "urgent"
    assert response.json()["next"] is None


def test_the_queue_filters_mine_unassigned_overdue_and_status(desk, front_desk, other_front_desk):
    mine = new_callback(first_name="Mine")
    theirs = new_callback(first_name="Theirs")
    nobody = new_callback(first_name="Nobody")
    done = new_callback(first_name="Done")
    callback_claim(callback_id=mine.pk, user=front_desk)
    callback_claim(callback_id=theirs.pk, user=other_front_desk)
    callback_close(callback_id=done.pk, user=front_desk, reason="duplicate")
    Callback.objects.filter(pk=nobody.pk).update(due_at=timezone.now() - timedelta(minutes=5))

    def ids(query: str) -> set[int]:
        response = desk.get(BASE + query)
        assert response.status_code == HTTPStatus.OK, response.content
        return {item["id"] for item in response.json()["results"]}

    assert ids("") == {mine.pk, theirs.pk, nobody.pk}
    assert ids("?mine=true") == {mine.pk}
    assert ids("?unassigned=true") == {nobody.pk}
    assert ids("?overdue=true") == {nobody.pk}
    assert ids("?status=closed") == {done.pk}
    assert ids("?status=in_progress") == {mine.pk, theirs.pk}
    assert ids("?status=all") == {mine.pk, theirs.pk, nobody.pk, done.pk}
    assert desk.get(BASE + "?mine=true").json()["results"][0]["assigned_to"] == front_desk.username


def test_an_unknown_status_filter_is_refused_with_the_choices(desk):
    response = desk.get(BASE + "?status=everything")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    choices = "open, all, new, in_progress, scheduled, unreachable, closed"
    assert response.json() == {"status": [f"Choose one of: {choices}."]}


@pytest.mark.usefixtures("callback")
@pytest.mark.parametrize(
    ("query", "unknown"),
    [
        ("?overdu=true", ["overdu"]),  # a misspelled filter would otherwise list the whole queue
        ("?status=open&sort=due_at&q=Quinn", ["q", "sort"]),
        ("?format=api", ["format"]),  # not DRF's renderer switch here: JSON only
    ],
)
def test_a_query_parameter_the_queue_does_not_take_is_refused_by_name(desk, query, unknown):
    response = desk.get(BASE + query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()
    assert sorted(errors) == unknown
    assert all("Known: status, mine, unassigned, overdue, cursor, page_size" in errors[name][0] for name in unknown)


def test_every_parameter_the_queue_takes_is_in_the_schema_and_the_other_operations_ignore_query_strings(
    client, desk, callback
):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    listing = schema["paths"][BASE]["get"]
    declared = {parameter["name"]: parameter["schema"] for parameter in listing["parameters"]}
    assert set(declared) == {"status", "mine", "unassigned", "overdue", "cursor", "page_size"}
    assert "any other is refused with 400" in listing["description"]
    assert declared["status"]["enum"] == sorted(["open", "all", *CallbackStatus.values])
    assert {declared[name]["type"] for name in ("mine", "unassigned", "overdue")} == {"boolean"}
    assert (declared["page_size"]["minimum"], declared["page_size"]["maximum"]) == (1, 200)
    query = "?status=open&mine=false&unassigned=false&overdue=false&page_size=5&cursor="
    assert desk.get(BASE + query).status_code == HTTPStatus.OK
    assert desk.get(url(callback) + "?anything=1").status_code == HTTPStatus.OK


def test_following_next_walks_the_whole_queue_in_order_without_gaps_or_repeats(desk):
    bulk_callbacks(130)
    expected = list(Callback.objects.open().order_by("priority_rank", "due_at", "pk").values_list("pk", flat=True))
    seen, link, pages = [], BASE + "?page_size=25", 0
    while link:
        response = desk.get(link)
        assert response.status_code == HTTPStatus.OK
        body = response.json()
        seen += [item["id"] for item in body["results"]]
        link, pages = body["next"], pages + 1
    assert seen == expected
    assert pages == -(-len(expected) // 25)


def test_a_callback_claimed_between_pages_does_not_shift_the_next_page(desk, front_desk):
    bulk_callbacks(40)
    first = desk.get(BASE + "?page_size=10&unassigned=true").json()
    callback_claim(callback_id=first["results"][0]["id"], user=front_desk)
    second = desk.get(first["next"]).json()
    expected_after = list(
        Callback.objects.open()
        .filter(assigned_to__isnull=True)
        .order_by("priority_rank", "due_at", "pk")
        .values_list("pk", flat=True)
    )[9:19]
    assert [item["id"] for item in second["results"]] == expected_after


def test_a_forged_cursor_is_a_404_not_a_server_error(desk):
    for cursor in ("not-base64!!", "bm9wZQ", "MXxub3QgYSBkYXRlfDM", "MXwyMDI2LTAxLTAxVDAwOjAwOjAwfDM"):
        response = desk.get(BASE, {"cursor": cursor})
        assert response.status_code == HTTPStatus.NOT_FOUND, cursor
        assert "Invalid cursor" in response.json()["detail"]


def _list_queries(client, shown: int) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(BASE + "?status=all")
        assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) == shown, "a full first page"
    return [q["sql"] for q in context.captured_queries]


def test_the_queue_makes_the_same_number_of_queries_for_20_and_300_callbacks_and_counts_nothing(desk):
    bulk_callbacks(20)
    small = _list_queries(desk, shown=20)
    bulk_callbacks(280)
    large = _list_queries(desk, shown=50)  # the default page
    assert len(small) == len(large)
    assert not [sql for sql in large if "COUNT(" in sql.upper()]


# --- one callback ----------------------------------------------------------------------


def test_the_detail_has_the_reason_symptom_labels_red_flags_and_every_attempt(desk, front_desk):
    callback = new_callback(
        first_name="Robin",
        reason="My left foot drags since last week.",
        symptoms=["lower_back_pain", "leg_weakness"],
    )
    callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome="no_answer", note="rang at 9")

    response = desk.get(url(callback))

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["reason"] == "My left foot drags since last week."
    assert body["symptoms"] == [
        {"code": "lower_back_pain", "label": "Lower back pain"},
        {"code": "leg_weakness", "label": "Weakness in a leg, or a foot that drags"},
    ]
    assert [flag["code"] for flag in body["red_flags"]] == ["leg_weakness"]
    assert "nerve" in body["red_flags"][0]["reason"]
    assert body["email"] == callback.request.email
    assert body["priority"] == "urgent"
    [attempt] = body["attempts"]
    assert attempt["outcome"] == "no_answer"
    assert attempt["outcome_label"] == "No answer"
    assert attempt["made_by"] == front_desk.username
    assert attempt["note"] == "rang at 9"


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("get", "", None),
        ("post", "claim", None),
        ("post", "release", None),
        ("post", "attempts", {"outcome": "busy"}),
        ("post", "schedule", {"appointment_date": NEXT_MONTH, "appointment_time": "10:00"}),
        ("post", "close", {"reason": "declined"}),
        ("post", "unreachable", None),
    ],
)
def test_a_callback_that_does_not_exist_is_a_404_on_every_endpoint(desk, method, action, body):
    for missing in (987654, 999999999999999999):
        path = url(missing, action)
        response = desk.get(path) if method == "get" else post(desk, path, body)
        assert response.status_code == HTTPStatus.NOT_FOUND, (path, response.content)
    assert desk.get(f"{BASE}abc/").status_code == HTTPStatus.NOT_FOUND


# --- the desk's actions ------------------------------------------------------------------


def test_claiming_gives_me_the_callback(desk, front_desk, callback):
    response = post(desk, url(callback, "claim"))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["assigned_to"] == front_desk.username
    assert response.json()["status"] == CallbackStatus.IN_PROGRESS
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk
    assert callback.claimed_at is not None


def test_a_second_claim_is_a_409_that_names_who_has_it(client, front_desk, other_front_desk, callback):
    client.force_login(front_desk)
    assert post(client, url(callback, "claim")).status_code == HTTPStatus.OK
    client.force_login(other_front_desk)
    response = post(client, url(callback, "claim"))
    assert response.status_code == HTTPStatus.CONFLICT
    detail = response.json()["detail"]
    assert detail.startswith("Dana is already working on this callback (since ")
    assert detail.endswith("Ask them or a supervisor if you need to claim it.")
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk


def test_the_holder_can_release_back_to_the_queue(desk, front_desk, callback):
    callback_claim(callback_id=callback.pk, user=front_desk)
    response = post(desk, url(callback, "release"))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["assigned_to"] is None
    assert response.json()["status"] == CallbackStatus.NEW


def test_releasing_someone_elses_callback_is_a_409_that_names_who_has_it(
    client, front_desk, other_front_desk, callback
):
    callback_claim(callback_id=callback.pk, user=other_front_desk)
    client.force_login(front_desk)
    response = post(client, url(callback, "release"))
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["detail"].startswith("Eli is already working on this callback (since ")
    callback.refresh_from_db()
    assert callback.assigned_to == other_front_desk


def test_logging_an_attempt_records_who_made_it(desk, front_desk, callback):
    response = post(desk, url(callback, "attempts"), {"outcome": "voicemail", "note": "left a message"})
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["made_by"] == front_desk.username
    assert body["outcome"] == "voicemail"
    attempt = CallAttempt.objects.get(pk=body["id"])
    assert attempt.made_by == front_desk
    assert attempt.note == "left a message"
    callback.refresh_from_db()
    assert callback.attempt_count == 1
    assert callback.status == CallbackStatus.IN_PROGRESS
    assert callback.assigned_to == front_desk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "hung_up"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "busy", "note": "x" * 1001}, "note"),
    ],
)
def test_an_attempt_with_a_bad_body_is_a_400_and_logs_nothing(desk, callback, body, field):
    response = post(desk, url(callback, "attempts"), body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()
    assert not CallAttempt.objects.exists()


def test_a_body_that_is_not_a_json_object_is_a_400(desk, callback):
    response = desk.post(url(callback, "attempts"), "[1, 2]", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    response = desk.post(url(callback, "attempts"), "{not json", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_scheduling_books_the_appointment_and_queues_the_confirmation_email(desk, front_desk, callback, settings):
    settings.CLINIC_LOCATIONS = ["Room 1", "Room 2"]
    day = future_day()
    response = post(
        desk,
        url(callback, "schedule"),
        {"appointment_date": day.isoformat(), "appointment_time": "10:30", "location": "Room 2", "note": "Wear shorts"},
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["status"] == CallbackStatus.SCHEDULED
    callback.refresh_from_db()
    assert (callback.appointment_date, callback.appointment_time) == (day, time(10, 30))
    assert callback.appointment_location == "Room 2"
    assert callback.assigned_to == front_desk
    assert callback.request.status == RequestStatus.CLOSED
    notification = Notification.objects.get(event="appointment_scheduled")
    assert notification.recipient == callback.request.email
    assert notification.request_id == callback.request_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"appointment_date": "2020-01-01", "appointment_time": "10:00"}, "appointment_date"),
        ({"appointment_date": "2099-01-01", "appointment_time": "25:00"}, "appointment_time"),
        ({"appointment_date": "2099-01-01", "appointment_time": "10:00", "location": "   "}, "location"),
        ({"appointment_date": "tomorrow", "appointment_time": "10:00"}, "appointment_date"),
        # What the schema's pattern refuses, although Python's parsers read it:
        (
            {"appointment_date": NEXT_MONTH.replace("-", ""), "appointment_time": "10:00"},
            "appointment_date",
        ),
        ({"appointment_date": NEXT_MONTH + "\n", "appointment_time": "10:00"}, "appointment_date"),
        # An offset was dropped without a word: 10:00+02:00 was booked at 10:00 in the clinic's zone.
        ({"appointment_date": NEXT_MONTH, "appointment_time": "10:00+02:00"}, "appointment_time"),
        ({"appointment_date": NEXT_MONTH, "appointment_time": "10:00Z"}, "appointment_time"),
        ({"appointment_date": NEXT_MONTH, "appointment_time": "10"}, "appointment_time"),
        ({"appointment_date": NEXT_MONTH, "appointment_time": "10:00", "location": "Room\n1"}, "location"),
        ({"appointment_date": NEXT_MONTH, "appointment_time": "10:00", "location": 12}, "location"),
        ({"appointment_date": NEXT_MONTH, "appointment_time": "10:00", "note": " " * 1001}, "note"),
        ({"appointment_date": NEXT_MONTH, "appointment_time": "10:00", "note": "a\x07b"}, "note"),
    ],
)
def test_a_bad_schedule_is_a_400_and_books_nothing(desk, callback, body, field):
    response = post(desk, url(callback, "schedule"), body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.NEW
    assert not Notification.objects.filter(event="appointment_scheduled").exists()


def test_closing_records_the_reason_and_closes_the_request(desk, callback):
    response = post(desk, url(callback, "close"), {"reason": "not_a_patient", "note": "a sales call"})
    assert response.status_code == HTTPStatus.OK
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CLOSED
    assert callback.closing_reason == "not_a_patient"
    assert callback.request.status == RequestStatus.CLOSED


def test_closing_as_unreachable_is_a_400_naming_the_reason_field(desk, callback):
    """The body is checked before the service is asked: the schema lists the reasons this endpoint takes."""
    response = post(desk, url(callback, "close"), {"reason": "unreachable"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["reason"]
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.NEW


def test_unreachable_needs_three_failed_attempts(desk, front_desk, callback):
    for outcome in ("no_answer", "busy"):
        callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=outcome)
    response = post(desk, url(callback, "unreachable"))
    assert response.status_code == HTTPStatus.CONFLICT
    assert "(2 so far)" in response.json()["detail"]
    assert not Notification.objects.filter(event="patient_unreachable").exists()

    callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome="voicemail")
    response = post(desk, url(callback, "unreachable"))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["status"] == CallbackStatus.UNREACHABLE
    assert len(response.json()["attempts"]) == 3
    assert Notification.objects.filter(event="patient_unreachable", recipient=callback.request.email).exists()


def test_an_action_on_a_closed_callback_is_a_409_with_the_reason(desk, front_desk, callback):
    callback_close(callback_id=callback.pk, user=front_desk, reason="declined")
    response = post(desk, url(callback, "claim"))
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {"detail": "This callback is already closed."}


# --- who may, and how -----------------------------------------------------------------------


@pytest.mark.usefixtures("callback")
def test_anonymous_is_told_to_log_in(client):
    response = client.get(BASE)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"detail": "Log in to the admin first: the staff API uses the admin's session."}


def test_staff_outside_the_desk_groups_are_refused_with_a_clear_message(client, staff_without_group, callback):
    client.force_login(staff_without_group)
    response = client.get(url(callback))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"detail": "Only the front desk and supervisors can use the staff API."}
    assert callback.request.last_name not in response.content.decode()


def test_a_session_post_without_the_csrf_token_is_refused_and_with_it_works(front_desk, callback):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(front_desk)

    refused = post(browser, url(callback, "claim"))
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert "CSRF" in refused.json()["detail"]
    callback.refresh_from_db()
    assert callback.assigned_to is None

    # The admin's pages set the token cookie; a script on them sends it back in the header.
    assert browser.get("/admin/").status_code == HTTPStatus.OK
    token = browser.cookies["csrftoken"].value
    accepted = post(browser, url(callback, "claim"), HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == HTTPStatus.OK
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk


@pytest.mark.usefixtures("callback")
def test_reads_need_no_csrf_token(front_desk):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(front_desk)
    assert browser.get(BASE).status_code == HTTPStatus.OK


@pytest.mark.usefixtures("front_desk", "callback")
def test_http_basic_credentials_are_not_accepted(client):
    credentials = base64.b64encode(b"dana:a-long-test-password-42").decode()
    response = client.get(BASE, HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_staff_rate_limit_applies_per_person(client, settings, front_desk, other_front_desk):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "staff": "2/minute"},
    }
    client.force_login(front_desk)
    assert client.get(BASE).status_code == HTTPStatus.OK
    assert client.get(BASE).status_code == HTTPStatus.OK
    throttled = client.get(BASE)
    assert throttled.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "throttled" in throttled.json()["detail"]
    client.force_login(other_front_desk)
    assert client.get(BASE).status_code == HTTPStatus.OK


# --- the schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_documents_every_staff_operation(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == HTTPStatus.OK
    paths = json.loads(response.content)["paths"]
    operations = {
        (path, method): operation
        for path, methods in paths.items()
        if path.startswith("/api/v1/staff/")
        for method, operation in methods.items()
    }
    assert set(operations) == {
        ("/api/v1/staff/callbacks/", "get"),
        ("/api/v1/staff/callbacks/{id}/", "get"),
        ("/api/v1/staff/callbacks/{id}/claim/", "post"),
        ("/api/v1/staff/callbacks/{id}/release/", "post"),
        ("/api/v1/staff/callbacks/{id}/attempts/", "post"),
        ("/api/v1/staff/callbacks/{id}/schedule/", "post"),
        ("/api/v1/staff/callbacks/{id}/reschedule/", "post"),
        ("/api/v1/staff/callbacks/{id}/cancel/", "post"),
        ("/api/v1/staff/callbacks/{id}/no-show/", "post"),
        ("/api/v1/staff/callbacks/{id}/attended/", "post"),
        ("/api/v1/staff/callbacks/{id}/close/", "post"),
        ("/api/v1/staff/callbacks/{id}/unreachable/", "post"),
        ("/api/v1/staff/callbacks/{id}/priority/", "post"),
        ("/api/v1/staff/callbacks/{id}/take-over/", "post"),
    }
    for (path, method), operation in operations.items():
        assert operation["tags"] == ["Staff queue"], path
        assert operation["security"] == [{"cookieAuth": []}], path
        assert "403" in operation["responses"], path
        if method == "post":
            assert "409" in operation["responses"], path
    listing = operations[("/api/v1/staff/callbacks/", "get")]
    assert {"status", "mine", "unassigned", "overdue", "cursor"} <= {p["name"] for p in listing["parameters"]}
    assert "requestBody" in operations[("/api/v1/staff/callbacks/{id}/schedule/", "post")]
    assert "requestBody" in operations[("/api/v1/staff/callbacks/{id}/priority/", "post")]
