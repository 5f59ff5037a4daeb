"""POST /api/v1/appointment-requests/: validation, idempotency, throttling and hostile input."""

import json
import re
import threading
from datetime import datetime
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from requests_app.api.public import IDEMPOTENCY_KEY_PATTERN
from requests_app.deadlines import callback_due_at
from requests_app.models import AppointmentRequest
from requests_app.triage import QUESTIONS
from tests.support.intake import patient_fields
from tests.test_request_form import form_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointment-requests/"


def post(client, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.generic("POST", URL, data, content_type="application/json", **headers)


def test_a_short_request_with_the_six_required_fields_is_accepted(client):
    response = post(client, patient_fields())
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    stored = AppointmentRequest.objects.get()
    assert body["reference"] == stored.reference
    assert body["urgent"] is False
    assert body["guidance"] is None
    assert datetime.fromisoformat(body["expected_callback"]["by"]) > stored.created_at
    assert body["expected_callback"]["text"].endswith(("EST", "EDT"))


def test_an_emergency_is_answered_with_its_tier_and_told_to_go_to_an_emergency_department(client):
    response = post(client, patient_fields(symptoms=["bladder_bowel"]))
    body = response.json()
    assert body["priority"] == "emergency"
    assert body["urgent"] is True
    assert "go to the nearest emergency department now" in body["guidance"]
    assert "Do not wait for our call" in body["guidance"]


def test_an_urgent_request_is_told_when_we_call_and_what_would_make_it_an_emergency(client):
    body = post(client, patient_fields(reason="pins n needles in my left foot")).json()
    assert body["priority"] == "urgent"
    assert body["urgent"] is True
    assert "within an hour of opening" in body["guidance"]
    assert "weakness in both legs" in body["guidance"]


def test_a_routine_request_says_routine_with_no_guidance(client):
    body = post(client, patient_fields(reason="stiff after long runs")).json()
    assert (body["priority"], body["urgent"], body["guidance"]) == ("routine", False, None)


def test_screening_answers_are_taken_and_not_sure_raises_to_urgent(client):
    answers = {"saddle_numbness": "no", "bladder_bowel": "no", "fever": "not_sure"}
    body = post(client, patient_fields(screening=answers)).json()
    assert body["priority"] == "urgent"
    assert AppointmentRequest.objects.get().screening == answers


@pytest.mark.parametrize(
    ("screening", "message"),
    [
        ({"fever": "maybe"}, "not a valid choice"),
        ({"made_up_question": "yes"}, "Not a screening question"),
        ("yes", "Expected a dictionary"),
        ({"fever": ["yes"]}, "not a valid choice"),
    ],
)
def test_bad_screening_answers_get_a_clear_400(client, screening, message):
    response = post(client, patient_fields(screening=screening))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in json.dumps(response.json()["screening"])
    assert not AppointmentRequest.objects.exists()


def test_the_schema_lists_every_screening_question_and_the_priority(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    screening = components["ScreeningRequest"]["properties"]
    assert set(screening) == {q.code for q in QUESTIONS}
    assert "priority" in components["AppointmentRequestCreated"]["properties"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "may not be blank"),
        ({"phone": "12"}, "phone", "valid phone number"),
        ({"phone": "+1 555 013 2400"}, "phone", "valid phone number"),
        ({"email": "nobody"}, "email", "valid email"),
        ({"consent": False}, "consent", "agree that we may contact you"),
        ({"consent": "maybe"}, "consent", "valid boolean"),
        ({"reason": "x" * 10_000}, "reason", "no more than 2000"),
        ({"first_name": "Al\x07ex"}, "first_name", "control characters"),
        ({"first_name": "Al\nex"}, "first_name", "one line"),
        ({"first_name": "A\x00"}, "first_name", "Null characters are not allowed"),
        ({"first_name": ["a", "list"]}, "first_name", "Not a valid string"),
        ({"symptoms": ["headache"]}, "symptoms", "not a valid choice"),
        ({"symptoms": "numbness"}, "symptoms", "Expected a list"),
        ({"best_days": ["someday"]}, "best_days", "not a valid choice"),
        ({"pain_duration": 3}, "pain_duration", "not a valid choice"),
    ],
)
def test_invalid_fields_get_a_400_keyed_by_field(client, change, field, message):
    response = post(client, patient_fields(**change))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()
    assert field in errors, errors
    assert message in json.dumps(errors[field]), errors[field]
    assert AppointmentRequest.objects.count() == 0


def test_a_request_without_a_reason_is_accepted_as_on_the_form(client):
    fields = patient_fields()
    del fields["reason"]
    response = post(client, fields)
    assert response.status_code == HTTPStatus.CREATED
    assert AppointmentRequest.objects.get().reason == ""


@pytest.mark.parametrize("missing", ["first_name", "last_name", "phone", "email", "consent"])
def test_each_required_field_is_named_when_missing(client, missing):
    fields = patient_fields()
    del fields[missing]
    response = post(client, fields)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()[missing] == ["This field is required."]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", {"detail": "JSON parse error"}),
        (b'{"first_name": "\xff\xfe"}', {"detail": "not valid UTF-8"}),
        (b"[1, 2, 3]", {"detail": "Send a JSON object"}),
        (b'"a string"', {"detail": "Send a JSON object"}),
        (b"null", {"detail": "Send a JSON object"}),
        # No body at all: every required field is named.
        (b"", {"first_name": "required", "consent": "required"}),
    ],
)
def test_malformed_bodies_get_a_400_that_says_what_is_wrong(client, body, says):
    response = post(client, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    answer = response.json()
    for key, words in says.items():
        assert words in str(answer[key]), (key, answer)
    assert not AppointmentRequest.objects.exists()


def test_a_five_megabyte_body_is_refused_with_413(client):
    body = json.dumps(patient_fields(reason="x" * (5 * 1024 * 1024)))
    response = post(client, body)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "too large" in response.json()["detail"]


def test_a_form_encoded_body_is_refused_with_415(client):
    response = client.post(URL, patient_fields())
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE


def test_script_tags_are_stored_as_text(client):
    response = post(client, patient_fields(reason="<script>alert(1)</script> my back"))
    assert response.status_code == HTTPStatus.CREATED
    assert AppointmentRequest.objects.get().reason == "<script>alert(1)</script> my back"


def test_the_same_idempotency_key_and_body_replay_the_first_answer(client):
    fields = patient_fields()
    first = post(client, fields, HTTP_IDEMPOTENCY_KEY="key-1")
    second = post(client, fields, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == second.status_code == HTTPStatus.CREATED
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert AppointmentRequest.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_gets_422(client):
    post(client, patient_fields(), HTTP_IDEMPOTENCY_KEY="key-2")
    response = post(client, patient_fields(), HTTP_IDEMPOTENCY_KEY="key-2")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "different body" in response.json()["detail"]
    assert AppointmentRequest.objects.count() == 1


@pytest.mark.parametrize("key", ["k" * 201, "two words", "ключ", "tab\there"])
def test_an_idempotency_key_outside_the_schemas_pattern_is_refused_and_nothing_is_saved(client, key):
    response = post(client, patient_fields(), HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "printable ASCII" in response.json()["detail"]
    assert not AppointmentRequest.objects.exists()


def test_the_schema_states_the_idempotency_key_pattern_the_server_enforces(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"][URL]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["schema"]["pattern"] == IDEMPOTENCY_KEY_PATTERN.pattern
    assert "503" in operation["responses"]


def test_submissions_past_the_rate_are_refused_with_429_and_retry_after(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "appointment_request": "3/hour",
        },
    }
    statuses = [post(client, patient_fields()).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = post(client, patient_fields())
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()
    assert AppointmentRequest.objects.count() == 3


def test_the_rate_limit_is_per_client_address(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "appointment_request": "1/hour",
        },
    }
    assert post(client, patient_fields(), REMOTE_ADDR="198.51.100.1").status_code == 201
    assert post(client, patient_fields(), REMOTE_ADDR="198.51.100.1").status_code == 429
    assert post(client, patient_fields(), REMOTE_ADDR="198.51.100.2").status_code == 201


def test_the_schema_documents_the_endpoint_with_an_example(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == HTTPStatus.OK
    schema = json.loads(response.content)
    operation = schema["paths"][URL]["post"]
    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    assert "examples" in operation["requestBody"]["content"]["application/json"]


def test_the_api_docs_page_is_served_without_external_resources(client):
    response = client.get("/api/docs/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    loaded = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in loaded), loaded
    assert [url for url in loaded if not url.startswith("/") or url.startswith("//")] == []
    assert not re.search(r"https?://", html.replace(f"http://{response.wsgi_request.get_host()}", ""))


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_idempotency_key_create_exactly_one_row():
    fields = patient_fields()
    results: list[int] = []
    barrier = threading.Barrier(4)

    def send():
        try:
            barrier.wait(timeout=10)
            response = post(Client(), fields, HTTP_IDEMPOTENCY_KEY="same-key")
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert AppointmentRequest.objects.count() == 1
    assert sorted(results) == [201] * 4


def answer_shape(response) -> tuple:
    """What a sender can compare between two answers, besides the values that are theirs alone."""
    headers = sorted(name.lower() for name in response.headers)
    return response.status_code, headers, sorted(response.json())


@pytest.mark.parametrize("shared", ["phone", "email"])
def test_a_stranger_who_knows_a_patients_phone_or_email_learns_nothing_from_the_answer(client, shared):
    patient = patient_fields(phone="+16035550150", email="pat@example.org", reason="I cannot feel my groin, can't pee")
    patients_answer = post(client, patient).json()
    assert patients_answer["priority"] == "emergency"

    stranger = patient_fields(first_name="Stranger", reason="Stiff after runs")
    stranger[shared] = patient[shared]
    control = patient_fields(first_name="Control", reason="Stiff after runs")
    merged = post(client, stranger)
    new = post(client, control)

    assert answer_shape(merged) == answer_shape(new)
    body, control_body = merged.json(), new.json()
    repeat = AppointmentRequest.objects.get(reference=body["reference"])
    assert repeat.merged_into is not None and repeat.merged_into.reference == patients_answer["reference"]
    assert patients_answer["reference"] not in merged.content.decode()
    assert {k: v for k, v in body.items() if k not in ("reference", "expected_callback")} == {
        k: v for k, v in control_body.items() if k not in ("reference", "expected_callback")
    }
    assert body["priority"] == "routine"
    # The expected call is a new routine request's from the same moment, not the patient's emergency deadline.
    own_due = callback_due_at(received_at=repeat.created_at, priority="routine")
    assert datetime.fromisoformat(body["expected_callback"]["by"]) == own_due
    assert body["expected_callback"]["by"] != patients_answer["expected_callback"]["by"]


def test_the_confirmation_page_of_a_merged_form_submission_shows_its_own_reference_and_tier(client):
    post(client, patient_fields(phone="+16035550151", reason="Sudden weakness in both legs, worse each day"))
    victim = AppointmentRequest.objects.get()
    form = form_data(phone="+16035550151", email="someone.else@example.org", reason="Sore after a long run")
    response = client.post("/request-appointment/", form, follow=True)
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    repeat = AppointmentRequest.objects.exclude(pk=victim.pk).get()
    assert repeat.merged_into_id == victim.pk
    assert repeat.reference in page
    assert victim.reference not in page
    assert "Go to an emergency department now" not in page


def test_the_schema_says_consent_must_be_true(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    consent = components["AppointmentRequestInputRequest"]["properties"]["consent"]
    if "allOf" in consent:
        consent = components[consent["allOf"][0]["$ref"].rsplit("/", 1)[-1]]
    assert consent["enum"] == [True]
    assert consent["type"] == "boolean"


def test_the_api_says_why_the_call_comes_later_when_the_best_time_moved_it(client):
    moved = post(client, patient_fields(best_days=["sun"], best_time_slots=["evening"])).json()
    assert "not open on Sundays" in moved["expected_callback"]["note"]
    plain = post(client, patient_fields()).json()
    assert plain["expected_callback"]["note"] == ""
    assert plain["expected_callback"]["text"].endswith(("EST", "EDT"))
    # The machine-readable time is on the clinic's clock too: its offset, not UTC's.
    by = datetime.fromisoformat(plain["expected_callback"]["by"])
    assert by.utcoffset() == by.astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset()
