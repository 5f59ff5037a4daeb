"""/api/v1/staff/callbacks/{id}/schedule|reschedule|cancel|no-show|attended/: each door's wiring and answers.

The rules themselves are tested at the services (test_appointments.py).
"""

import json
from datetime import date, time, timedelta
from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from icalendar import Calendar

from requests_app.emails import build_email
from requests_app.models import Appointment, AppointmentStatus, Callback, Notification, StaffProfile
from requests_app.services.appointments import appointment_schedule
from requests_app.services.pipeline import request_process
from tests.support.appointments import bookable_day
from tests.support.intake import submit

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff/callbacks/"


def url(callback, action: str) -> str:
    return f"{BASE}{getattr(callback, 'pk', callback)}/{action}/"


def post(client, path: str, body: dict | None = None):
    return client.post(path, json.dumps(body) if body is not None else "", content_type="application/json")


def when(day: date, at: str) -> dict:
    return {"appointment_date": day.isoformat(), "appointment_time": at}


def next_sunday() -> date:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != 6:
        day += timedelta(days=1)
    return day


@pytest.fixture
def callback(db) -> Callback:  # noqa: ARG001 (requested for its effect: database access)
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    return callback


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


@pytest.fixture
def booked(callback, front_desk) -> Appointment:
    return appointment_schedule(
        callback_id=callback.pk, user=front_desk, appointment_date=bookable_day(), appointment_time=time(10)
    )


def test_the_detail_shows_no_appointment_before_the_first_booking(desk, callback):
    assert desk.get(f"{BASE}{callback.pk}/").json()["appointment"] is None


def test_scheduling_answers_with_the_booked_appointment(desk, callback):
    day = bookable_day(time(9, 15))
    response = post(desk, url(callback, "schedule"), {**when(day, "09:15"), "note": "Wear shorts"})
    assert response.status_code == HTTPStatus.OK, response.content
    appointment = response.json()["appointment"]
    assert appointment["status"] == AppointmentStatus.BOOKED
    assert appointment["sequence"] == 0 and appointment["rescheduled"] is False
    assert appointment["location"] == django_settings.CLINIC_LOCATIONS[0]  # the only one: no need to send it
    assert appointment["when"].endswith(("9:15 am EST", "9:15 am EDT"))
    assert appointment["minutes"] == django_settings.APPOINTMENT_MINUTES
    assert Notification.objects.filter(event="appointment_scheduled").count() == 1


def test_a_time_outside_the_hours_is_a_400_that_says_when_the_clinic_is_open(desk, callback):
    response = post(desk, url(callback, "schedule"), when(next_sunday(), "10:00"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    [message] = response.json()["appointment_time"]
    assert "The clinic is closed on Sundays" in message and "It is open Monday to Friday" in message
    assert not Appointment.objects.exists()


def test_an_hours_override_is_a_403_for_the_front_desk_and_booked_for_a_supervisor(
    client, callback, front_desk, supervisor
):
    body = {**when(next_sunday(), "10:00"), "override_reason": "Only day the patient is in town."}
    client.force_login(front_desk)
    refused = post(client, url(callback, "schedule"), body)
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert refused.json() == {"detail": "Only a supervisor can book outside opening hours or on a closure."}
    assert not Appointment.objects.exists()

    Callback.objects.filter(pk=callback.pk).update(assigned_to=None, claimed_at=None, holder_active_at=None)
    client.force_login(supervisor)
    response = post(client, url(callback, "schedule"), body)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["appointment"]["hours_override_reason"] == "Only day the patient is in town."


def test_rescheduling_moves_it_once_and_a_retry_sends_nothing_more(desk, callback, booked):
    day = bookable_day(time(14))
    first = post(desk, url(callback, "reschedule"), when(day, "14:00"))
    retry = post(desk, url(callback, "reschedule"), when(day, "14:00"))

    assert first.status_code == retry.status_code == HTTPStatus.OK
    assert first.json()["appointment"] == retry.json()["appointment"]
    appointment = retry.json()["appointment"]
    assert appointment["sequence"] == 1 and appointment["rescheduled"] is True
    assert appointment["uid"] == booked.uid
    [notification] = Notification.objects.filter(event="appointment_rescheduled")
    [(_, ics, _)] = build_email(notification).attachments
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert (str(event["UID"]), event.decoded("SEQUENCE")) == (booked.uid, 1)
    assert event.decoded("DTSTART").time() == time(14)


def test_cancelling_needs_a_reason_then_cancels_once(desk, callback, booked):
    assert post(desk, url(callback, "cancel"), {"reason": "  "}).status_code == HTTPStatus.BAD_REQUEST
    response = post(desk, url(callback, "cancel"), {"reason": "Patient phoned: moving away."})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["appointment"]["status"] == AppointmentStatus.CANCELLED
    assert response.json()["appointment"]["cancel_reason"] == "Patient phoned: moving away."
    assert post(desk, url(callback, "cancel"), {"reason": "again"}).status_code == HTTPStatus.OK
    [notification] = Notification.objects.filter(event="appointment_cancelled")
    [(_, ics, _)] = build_email(notification).attachments
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    assert (str(calendar["METHOD"]), str(event["STATUS"]), str(event["UID"])) == ("CANCEL", "CANCELLED", booked.uid)


def test_a_no_show_before_the_start_is_a_409_and_after_it_is_recorded(desk, callback, booked):
    early = post(desk, url(callback, "no-show"))
    assert early.status_code == HTTPStatus.CONFLICT
    assert "once it has begun" in early.json()["detail"]
    Appointment.objects.filter(pk=booked.pk).update(starts_at=timezone.now() - timedelta(minutes=20))
    response = post(desk, url(callback, "no-show"))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["appointment"]["status"] == AppointmentStatus.NO_SHOW
    assert Notification.objects.filter(event="appointment_missed").count() == 1


def test_attendance_is_recorded_by_a_colleague_who_does_not_hold_the_callback(
    client, callback, booked, other_front_desk
):
    Appointment.objects.filter(pk=booked.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    client.force_login(other_front_desk)
    response = post(client, url(callback, "attended"))
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["appointment"]["status"] == AppointmentStatus.ATTENDED
    assert response.json()["assigned_to"] == "dana"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("reschedule", {"appointment_date": "2099-01-05", "appointment_time": "10:00"}),
        ("cancel", {"reason": "no reason"}),
        ("no-show", None),
        ("attended", None),
    ],
)
def test_with_nothing_booked_each_action_is_a_409(desk, callback, action, body):
    response = post(desk, url(callback, action), body)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "no appointment" in response.json()["detail"]


@pytest.mark.parametrize("action", ["schedule", "reschedule", "cancel", "no-show", "attended"])
def test_a_missing_callback_is_a_404_and_anonymous_is_a_403(client, desk, action):
    body = {**when(bookable_day(), "10:00"), "reason": "x"}
    for missing in (987654, 999999999999999999):
        assert post(desk, url(missing, action), body).status_code == HTTPStatus.NOT_FOUND
    client.logout()
    assert post(client, url(987654, action), body).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.usefixtures("booked")
def test_a_colleague_s_live_claim_is_a_409_naming_them(client, callback, other_front_desk):
    client.force_login(other_front_desk)
    response = post(client, url(callback, "reschedule"), when(bookable_day(time(11)), "11:00"))
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["detail"].startswith("Dana is already working on this callback")
