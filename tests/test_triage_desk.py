"""The desk sees why triage raised a request, and a supervisor can change the tier with a reason on record."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import escape

from requests_app.deadlines import callback_due_at
from requests_app.emails import build_email
from requests_app.models import AppointmentRequest, Callback, Notification, Priority, RequestNote, StaffProfile
from requests_app.selectors import queue_summary
from requests_app.services.callbacks import CallbackError, callback_close
from requests_app.services.pipeline import request_process
from requests_app.services.priority import NOT_SUPERVISOR, REASON_REQUIRED, request_change_priority
from requests_app.services.supervision import daily_digest_queue
from requests_app.triage import RED_FLAGS_BY_CODE
from requests_app.triage.screening import QUESTIONS, QUESTIONS_BY_CODE
from tests.support.intake import submit

pytestmark = pytest.mark.django_db

QUEUE = "/admin/requests_app/callback/"
API = "/api/v1/staff/callbacks/"
SADDLE = RED_FLAGS_BY_CODE["saddle_numbness"]
WEAKNESS = RED_FLAGS_BY_CODE["leg_weakness"]


def new_callback(**fields) -> Callback:
    """A request through the real intake and pipeline, with nobody on shift: it lands unassigned."""
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit(**fields).request.pk)
    assert callback is not None
    return callback


def change_page(client, callback) -> str:
    response = client.get(f"{QUEUE}{callback.pk}/change/")
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def post_json(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture
def routine(db) -> Callback:  # noqa: ARG001 (requested for its effect: database access)
    return new_callback(first_name="Quinn", reason="My lower back is sore after long runs.")


@pytest.fixture
def evidenced(db) -> Callback:  # noqa: ARG001 (requested for its effect: database access)
    """An emergency whose stored evidence has overlapping quotes, a repeat's quote, and an unsure answer."""
    reason = "My left foot drags and I have numbness between my legs. <script>alert('x')</script>"
    callback = new_callback(first_name="Robin", reason="Sore back.")
    AppointmentRequest.objects.filter(pk=callback.request_id).update(
        reason=reason,
        priority=Priority.EMERGENCY,
        red_flags=["saddle_numbness", "leg_weakness"],
        screening={"fever": "not_sure", "cancer": "no", "leg_weakness": "yes"},
        triage_evidence=[
            {"flag": "saddle_numbness", "source": "text", "quote": "numbness between my legs", "start": 30, "end": 54},
            {"flag": "leg_weakness", "source": "text", "quote": "foot drags", "start": 8, "end": 18},
            {
                "flag": "leg_weakness",
                "source": "text",
                "quote": "foot drags and I have numbness",
                "start": 8,
                "end": 38,
            },
            {"flag": "leg_weakness", "source": "screening", "question": "leg_weakness", "answer": "yes"},
            {"flag": "saddle_numbness", "source": "text", "quote": "numb down below", "repeat": "R3PE-AT00"},
            {"flag": "", "source": "screening", "question": "fever", "answer": "not_sure"},
        ],
    )
    Callback.objects.filter(pk=callback.pk).update(priority=Priority.EMERGENCY)
    callback.refresh_from_db()
    return callback


# --- the callback page shows why ----------------------------------------------------------------


def test_the_callback_page_shows_the_tier_and_each_flags_reason_and_call_script(desk, evidenced):
    html = change_page(desk, evidenced)
    triage = html[html.index('id="triage-heading"') :]
    assert '<span class="badge badge-emergency">Emergency</span>' in triage
    for flag in (SADDLE, WEAKNESS):
        assert escape(flag.label) in triage
        assert escape(flag.reason) in triage
        assert escape(flag.call_script) in triage
    assert html.index('id="triage-heading"') < html.index(">Patient</h2>")


def test_the_patients_words_are_escaped_with_the_words_that_raised_a_flag_marked_once(desk, evidenced):
    html = change_page(desk, evidenced)
    # 8-18, 8-38 and 30-54 overlap: one mark over all of them.
    assert "My left <mark>foot drags and I have numbness between my legs</mark>. &lt;script&gt;" in html
    assert html.count("<mark>") == 1
    assert "<script>alert" not in html
    assert "In their words (from repeat submission R3PE-AT00, unverified): «numb down below»" in html
    assert "from a repeat submission (unverified): «numb down below»" in html


def test_the_callback_page_lists_every_screening_answer_and_asks_first_what_the_patient_was_unsure_of(desk, evidenced):
    html = change_page(desk, evidenced)
    rows = re.findall(r'<td>([^<]+)</td><td class="answer">([^<]+)</td>', html)
    answers = dict(rows)
    assert len(rows) == len(QUESTIONS)
    assert answers[escape(QUESTIONS_BY_CODE["fever"].text)] == "Not sure"
    assert answers[escape(QUESTIONS_BY_CODE["cancer"].text)] == "No"
    assert answers[escape(QUESTIONS_BY_CODE["leg_weakness"].text)] == "Yes"
    assert answers[escape(QUESTIONS_BY_CODE["saddle_numbness"].text)] == "Skipped"
    ask_first = html[html.index("Ask first:") : html.index("Red flags</h3>")]
    assert escape(QUESTIONS_BY_CODE["fever"].text) in ask_first
    assert escape(QUESTIONS_BY_CODE["cancer"].text) not in ask_first


def test_words_typed_by_the_patient_are_marked_on_the_page_through_real_triage(desk):
    callback = new_callback(reason="Since Tuesday I have lost control of my bladder <b>help</b>")
    html = change_page(desk, callback)
    assert callback.priority == Priority.EMERGENCY
    assert re.search(r"<mark>[^<]*bladder[^<]*</mark>", html)
    assert "&lt;b&gt;help&lt;/b&gt;" in html


def test_a_routine_request_without_answers_shows_every_question_skipped_and_no_ask_first(desk, routine):
    html = change_page(desk, routine)
    assert '<span class="badge badge-routine">Routine</span>' in html
    assert html.count('<td class="answer">Skipped</td>') == len(QUESTIONS)
    assert "Ask first:" not in html


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_lists_emergency_before_urgent_before_routine_whatever_is_due_first(desk):
    routine = new_callback(first_name="Routine")
    urgent = new_callback(first_name="Urgent", symptoms=["leg_weakness"])
    emergency = new_callback(first_name="Emergency", symptoms=["saddle_numbness"])
    assert (routine.priority, urgent.priority, emergency.priority) == ("routine", "urgent", "emergency")
    now = timezone.now()
    Callback.objects.filter(pk=routine.pk).update(due_at=now - timedelta(hours=3))
    Callback.objects.filter(pk=urgent.pk).update(due_at=now + timedelta(hours=1))
    Callback.objects.filter(pk=emergency.pk).update(due_at=now + timedelta(hours=2))

    html = desk.get(QUEUE).content.decode()

    positions = [html.index(c.request.reference) for c in (emergency, urgent, routine)]
    assert positions == sorted(positions)
    assert '<span class="badge badge-emergency">Emergency</span>' in html


def test_the_queue_filters_by_each_of_the_three_tiers(desk):
    emergency = new_callback(symptoms=["saddle_numbness"])
    routine = new_callback()
    html = desk.get(QUEUE).content.decode()
    for tier in ("emergency", "urgent", "routine"):
        assert f"?priority__exact={tier}" in html
    filtered = desk.get(QUEUE, {"priority__exact": "emergency"}).content.decode()
    assert emergency.request.reference in filtered
    assert routine.request.reference not in filtered


# --- a supervisor changes the tier --------------------------------------------------------------


def test_a_supervisor_raises_the_tier_with_a_reason_on_record_and_an_earlier_due_time(supervisor, routine):
    request = request_change_priority(
        request_id=routine.request_id, actor=supervisor, priority="urgent", reason="Sounded breathless on the phone."
    )

    routine.refresh_from_db()
    assert request.priority == routine.priority == Priority.URGENT
    assert routine.priority_rank == 1
    urgent_due = callback_due_at(received_at=request.created_at, priority="urgent")
    assert routine.due_at == urgent_due
    note = RequestNote.objects.get(request=request, kind=RequestNote.Kind.PRIORITY_CHANGE)
    assert note.author == supervisor
    assert note.body == "Tier changed from routine to urgent by sam: Sounded breathless on the phone."
    history = AppointmentRequest.history.filter(id=request.pk).latest("history_date")
    assert history.history_user == supervisor
    assert history.history_change_reason.startswith("Tier changed from routine to urgent by sam")
    callback_history = Callback.history.filter(id=routine.pk).latest("history_date")
    assert callback_history.history_user == supervisor
    assert callback_history.history_change_reason == history.history_change_reason


def test_raising_keeps_a_due_time_that_is_already_earlier(supervisor, routine):
    soon = timezone.now() + timedelta(minutes=5)
    Callback.objects.filter(pk=routine.pk).update(due_at=soon)
    request_change_priority(request_id=routine.request_id, actor=supervisor, priority="urgent", reason="Worse today.")
    routine.refresh_from_db()
    assert routine.due_at == soon


def test_lowering_takes_the_later_due_time_of_the_lower_tier(supervisor):
    emergency = new_callback(symptoms=["saddle_numbness"])
    request = emergency.request
    request_change_priority(
        request_id=request.pk, actor=supervisor, priority="routine", reason="The numbness was from a tight saddle."
    )
    emergency.refresh_from_db()
    assert emergency.priority == Priority.ROUTINE
    assert emergency.priority_rank == 2
    assert emergency.due_at == callback_due_at(received_at=request.created_at, priority="routine")
    assert not Notification.objects.filter(request=request, event="urgent_alert").exists()


def test_raising_to_emergency_queues_the_emergency_alert_to_the_supervisors(supervisor, routine):
    assert not Notification.objects.filter(event="emergency_alert").exists()
    request_change_priority(
        request_id=routine.request_id, actor=supervisor, priority="emergency", reason="Now cannot pass urine."
    )
    alerts = Notification.objects.filter(request=routine.request, event="emergency_alert")
    assert supervisor.email in set(alerts.values_list("recipient", flat=True))


def test_the_front_desk_cannot_change_the_tier(front_desk, routine):
    with pytest.raises(PermissionDenied, match=NOT_SUPERVISOR):
        request_change_priority(request_id=routine.request_id, actor=front_desk, priority="urgent", reason="Sure.")
    routine.refresh_from_db()
    assert routine.priority == Priority.ROUTINE
    assert not RequestNote.objects.filter(kind=RequestNote.Kind.PRIORITY_CHANGE).exists()


@pytest.mark.parametrize(
    ("priority", "reason", "field"),
    [("urgent", "   ", "reason"), ("urgent", "", "reason"), ("critical", "Why not.", "priority")],
)
def test_a_change_without_a_reason_or_to_an_unknown_tier_is_refused(supervisor, routine, priority, reason, field):
    with pytest.raises(ValidationError) as raised:
        request_change_priority(request_id=routine.request_id, actor=supervisor, priority=priority, reason=reason)
    assert field in raised.value.message_dict
    routine.refresh_from_db()
    assert routine.priority == Priority.ROUTINE


def test_a_closed_callbacks_tier_does_not_change(supervisor, routine):
    callback_close(callback_id=routine.pk, user=supervisor, reason="declined")
    with pytest.raises(CallbackError):
        request_change_priority(request_id=routine.request_id, actor=supervisor, priority="urgent", reason="Late.")
    assert AppointmentRequest.objects.get(pk=routine.request_id).priority == Priority.ROUTINE


# --- the admin's door ---------------------------------------------------------------------------


def test_a_supervisor_changes_the_tier_from_the_callback_page(boss, routine):
    page = change_page(boss, routine)
    assert f"{QUEUE}{routine.pk}/priority/" in page
    form = boss.get(f"{QUEUE}{routine.pk}/priority/")
    assert form.status_code == HTTPStatus.OK
    response = boss.post(f"{QUEUE}{routine.pk}/priority/", {"priority": "emergency", "reason": "Called back in tears."})
    assert response.status_code == HTTPStatus.FOUND
    routine.refresh_from_db()
    assert routine.priority == Priority.EMERGENCY
    assert "Called back in tears." in change_page(boss, routine)


def test_the_admin_form_refuses_a_blank_reason_and_changes_nothing(boss, routine):
    response = boss.post(f"{QUEUE}{routine.pk}/priority/", {"priority": "urgent", "reason": ""})
    assert response.status_code == HTTPStatus.OK
    assert escape(REASON_REQUIRED) in response.content.decode()
    routine.refresh_from_db()
    assert routine.priority == Priority.ROUTINE


def test_the_front_desk_has_no_change_tier_button_and_the_form_is_refused(desk, routine):
    assert f"{QUEUE}{routine.pk}/priority/" not in change_page(desk, routine)
    assert desk.get(f"{QUEUE}{routine.pk}/priority/").status_code == HTTPStatus.FORBIDDEN
    response = desk.post(f"{QUEUE}{routine.pk}/priority/", {"priority": "urgent", "reason": "Sure."})
    assert response.status_code == HTTPStatus.FORBIDDEN
    routine.refresh_from_db()
    assert routine.priority == Priority.ROUTINE


# --- the staff API's door -----------------------------------------------------------------------


def test_a_supervisor_changes_the_tier_through_the_api_and_gets_the_callback_back(boss, routine):
    response = post_json(boss, f"{API}{routine.pk}/priority/", {"priority": "urgent", "reason": "Worse since."})
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["id"] == routine.pk
    assert response.json()["priority"] == "urgent"


def test_the_front_desk_is_refused_the_api_tier_change_with_a_clear_message(desk, routine):
    response = post_json(desk, f"{API}{routine.pk}/priority/", {"priority": "urgent", "reason": "Sure."})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"detail": NOT_SUPERVISOR}
    routine.refresh_from_db()
    assert routine.priority == Priority.ROUTINE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "urgent", "reason": "  "}, "reason"),
        ({"priority": "urgent"}, "reason"),
        ({"priority": "critical", "reason": "Why not."}, "priority"),
        ({"priority": "routine", "reason": "Already routine."}, "priority"),
    ],
)
def test_a_bad_api_tier_change_is_a_400_and_changes_nothing(boss, routine, body, field):
    response = post_json(boss, f"{API}{routine.pk}/priority/", body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()
    assert not RequestNote.objects.filter(kind=RequestNote.Kind.PRIORITY_CHANGE).exists()


def test_the_api_detail_has_each_flags_tier_script_and_evidence_and_the_screening(desk, evidenced):
    body = desk.get(f"{API}{evidenced.pk}/").json()

    assert body["priority"] == "emergency"
    flags = {flag["code"]: flag for flag in body["red_flags"]}
    assert [flag["code"] for flag in body["red_flags"]] == ["saddle_numbness", "leg_weakness"]
    assert flags["saddle_numbness"]["tier"] == "emergency"
    assert flags["leg_weakness"]["tier"] == "urgent"
    assert flags["saddle_numbness"]["call_script"] == SADDLE.call_script
    assert flags["saddle_numbness"]["evidence"] == [
        {"source": "text", "quote": "numbness between my legs", "start": 30, "end": 54},
        {"source": "text", "quote": "numb down below", "start": None, "end": None},
    ]
    assert {"source": "screening", "quote": "", "start": None, "end": None} in flags["leg_weakness"]["evidence"]
    assert [row["code"] for row in body["screening"]] == [question.code for question in QUESTIONS]
    answers = {row["code"]: row["answer"] for row in body["screening"]}
    assert answers["fever"] == "not_sure"
    assert answers["cancer"] == "no"
    assert answers["leg_weakness"] == "yes"
    assert answers["saddle_numbness"] == "skipped"
    assert body["screening"][0]["question"] == QUESTIONS[0].text
    assert body["ask_first"] == ["fever"]


def test_the_api_list_keeps_the_priority_of_each_tier(desk):
    new_callback(symptoms=["saddle_numbness"])
    new_callback()
    results = desk.get(API).json()["results"]
    assert [item["priority"] for item in results] == ["emergency", "routine"]


def test_the_openapi_schema_describes_the_triage_fields_and_the_tier_change(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    components = schema["components"]["schemas"]
    red_flag = components["RedFlag"]["properties"]
    assert {"tier", "call_script", "evidence"} <= set(red_flag)
    assert set(components["Evidence"]["properties"]) == {"source", "quote", "start", "end"}
    assert set(components["ScreeningAnswer"]["properties"]) == {"code", "question", "answer"}
    assert components["AnswerEnum"]["enum"] == ["yes", "no", "not_sure", "skipped"]
    detail = components["CallbackDetail"]["properties"]
    assert detail["screening"]["items"] == {"$ref": "#/components/schemas/ScreeningAnswer"}
    assert detail["ask_first"]["items"] == {"type": "string"}
    operation = schema["paths"]["/api/v1/staff/callbacks/{id}/priority/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    assert "requestBody" in operation


# --- the counts ---------------------------------------------------------------------------------


def test_the_dashboard_and_the_index_count_each_tier_among_open_callbacks(client, supervisor):
    new_callback(symptoms=["saddle_numbness"])
    new_callback(symptoms=["leg_weakness"])
    new_callback(symptoms=["leg_weakness"])
    for _ in range(3):
        new_callback()
    closed = new_callback(symptoms=["saddle_numbness"])
    callback_close(callback_id=closed.pk, user=supervisor, reason="declined")

    summary = queue_summary()

    assert (summary["emergency"], summary["urgent"], summary["routine"], summary["open"]) == (1, 2, 3, 6)
    client.force_login(supervisor)
    for page in ("/admin/dashboard/", "/admin/"):
        html = client.get(page).content.decode()
        assert re.search(r"<strong>1</strong>emergency", html), page
        assert re.search(r"<strong>2</strong>urgent", html), page
        assert re.search(r"<strong>3</strong>routine", html), page


def test_the_daily_digest_counts_each_tier(supervisor):
    new_callback(symptoms=["saddle_numbness"])
    new_callback()
    daily_digest_queue()

    message = build_email(Notification.objects.get(event="daily_digest", recipient=supervisor.email))

    assert "Emergency and open: 1" in message.body
    assert "Urgent and open: 0" in message.body
    assert "Routine and open: 1" in message.body
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    assert "Emergency and open: <strong>1</strong>" in html
