"""The appointment's lifecycle: book, move, cancel, no-show, attended; its emails and calendar files; the hours.

The rules are tested here, at the services (requests_app.services.appointments);
the admin's pages once each for their wiring at the end, the staff API in
test_api_appointments.py.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from icalendar import Calendar

from requests_app.admin.appointments import appointment_console_context
from requests_app.business_hours import public_holidays
from requests_app.deadlines import closed_dates_between
from requests_app.emails import build_email
from requests_app.formatting import format_moment
from requests_app.models import (
    Appointment,
    AppointmentRequest,
    AppointmentStatus,
    Callback,
    CallbackStatus,
    ClinicClosure,
    Notification,
    NotificationStatus,
    RequestNote,
    StaffProfile,
)
from requests_app.policy import HeldByAnother, NotAllowed
from requests_app.services import appointments as services
from requests_app.services.appointments import AppointmentError, appointment_start
from requests_app.services.pipeline import request_process
from requests_app.services.retention import requests_anonymize_expired
from requests_app.services.supervision import appointments_send_reminders
from tests.support.appointments import bookable_day
from tests.support.intake import submit

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(django_settings.TIME_ZONE)
REASON = "My lower back is sore after long runs."


@pytest.fixture
def callback(db) -> Callback:  # noqa: ARG001 (requested for its effect: database access)
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit(reason=REASON).request.pk)
    assert callback is not None
    return callback


def book(callback: Callback, user, day: date | None = None, at: time = time(10), /, **extra) -> Appointment:
    return services.appointment_schedule(
        callback_id=callback.pk, user=user, appointment_date=day or bookable_day(at), appointment_time=at, **extra
    )


def move(callback: Callback, user, day: date, at: time, /, **extra) -> Appointment:
    return services.appointment_reschedule(
        callback_id=callback.pk, user=user, appointment_date=day, appointment_time=at, **extra
    )


def emails(event: str) -> list[Notification]:
    return list(Notification.objects.filter(event=event).order_by("created_at", "id"))


def calendar_of(notification: Notification):
    """The email as it would be sent, and the VCALENDAR and VEVENT of its appointment.ics."""
    message = build_email(notification)
    [(filename, content, mimetype)] = message.attachments
    assert filename == "appointment.ics"
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return message, calendar, event, mimetype


def texts(message) -> str:
    [(html, _)] = message.alternatives
    return f"{message.subject}\n{message.body}\n{html}"


def next_weekday(weekday: int, *, after: int = 1) -> date:
    """The first day at least `after` days ahead that falls on `weekday` (0 = Monday) and is not a closed day."""
    day = timezone.localdate() + timedelta(days=after)
    while day.weekday() != weekday or day in closed_dates_between(day, day):
        day += timedelta(days=1)
    return day


def clocks_change(*, forward: bool) -> date:
    """The next day (within a year) the clinic's clocks go forward, or back."""
    day = timezone.localdate() + timedelta(days=1)
    for _ in range(366):
        before = datetime.combine(day, time(0), ZONE).utcoffset()
        after = datetime.combine(day, time(23, 59), ZONE).utcoffset()
        assert before is not None and after is not None  # an aware datetime has an offset
        if before != after and (after > before) == forward:
            return day
        day += timedelta(days=1)
    pytest.skip(f"{django_settings.TIME_ZONE} does not change its clocks")


# --- booking and its email ---------------------------------------------------------------------


def test_booking_emails_a_calendar_file_with_a_fixed_uid_sequence_0_and_the_clinic_s_zone(callback, front_desk):
    day = bookable_day(time(10, 30))
    appointment = book(callback, front_desk, day, time(10, 30))

    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
    assert (callback.appointment_date, callback.appointment_time) == (day, time(10, 30))
    [notification] = emails("appointment_scheduled")
    message, calendar, event, mimetype = calendar_of(notification)
    assert mimetype == "text/calendar; method=PUBLISH"
    assert str(calendar["METHOD"]) == "PUBLISH"
    host = django_settings.SITE_URL.split("://")[-1]
    assert str(event["UID"]) == appointment.uid == f"appointment-{callback.request.reference}@{host}"
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == django_settings.TIME_ZONE
    start = event.decoded("DTSTART")
    assert (start.date(), start.time(), str(start.tzinfo)) == (day, time(10, 30), django_settings.TIME_ZONE)
    assert event.decoded("DTEND") - start == timedelta(minutes=django_settings.APPOINTMENT_MINUTES)
    assert str(event["LOCATION"]) == django_settings.CLINIC_LOCATIONS[0]
    when = format_moment(appointment.starts_at)
    assert re.search(r"10:30 am E[SD]T$", when)
    assert when in message.subject and when in message.body
    assert REASON not in texts(message)


def test_a_second_booking_while_one_is_booked_is_refused_reschedule_it_instead(callback, front_desk):
    appointment = book(callback, front_desk)
    with pytest.raises(AppointmentError, match="reschedule it instead"):
        book(callback, front_desk, bookable_day(time(11), after=2), time(11))
    assert Appointment.objects.get() == appointment
    assert len(emails("appointment_scheduled")) == 1


# --- rescheduling ------------------------------------------------------------------------------------


def test_a_reschedule_keeps_the_uid_raises_the_sequence_and_emails_the_new_time_once(callback, front_desk):
    first_day = bookable_day(time(10))
    original = book(callback, front_desk, first_day, time(10))
    new_day = bookable_day(time(14, 15), after=(first_day - timezone.localdate()).days + 1)

    moved = move(callback, front_desk, new_day, time(14, 15))
    again = move(callback, front_desk, new_day, time(14, 15))  # the same request, retried

    assert moved.pk == again.pk == original.pk
    assert again.sequence == 1 and again.status == AppointmentStatus.BOOKED
    [notification] = emails("appointment_rescheduled")
    message, calendar, event, mimetype = calendar_of(notification)
    assert mimetype == "text/calendar; method=PUBLISH"
    assert str(event["UID"]) == original.uid
    assert event.decoded("SEQUENCE") == 1
    start = event.decoded("DTSTART")
    assert (start.date(), start.time()) == (new_day, time(14, 15))
    assert event["DTSTART"].params["TZID"] == django_settings.TIME_ZONE
    body = texts(message)
    assert format_moment(moved.starts_at) in body
    assert f"This replaces your appointment on {format_moment(original.starts_at)}" in body
    assert REASON not in body
    callback.refresh_from_db()
    assert (callback.appointment_date, callback.appointment_time) == (new_day, time(14, 15))

    # A move to yet another time is a new email, with the next sequence.
    move(callback, front_desk, new_day, time(15))
    second = emails("appointment_rescheduled")[1]
    assert calendar_of(second)[2].decoded("SEQUENCE") == 2
    assert str(calendar_of(second)[2]["UID"]) == original.uid


def test_an_email_queued_before_a_move_still_says_what_it_said_with_its_own_sequence(callback, front_desk):
    """A late email (Redis was down) must not look like the latest: the calendar keeps the higher sequence."""
    day = bookable_day(time(9))
    book(callback, front_desk, day, time(9))
    move(callback, front_desk, day, time(11))
    [scheduled] = emails("appointment_scheduled")
    message, _, event, _ = calendar_of(scheduled)
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTART").time() == time(9)
    assert "9:00 am E" in message.body


@pytest.mark.django_db(transaction=True)
def test_the_same_move_sent_twice_at_once_moves_it_once_and_emails_once(front_desk):
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    day = bookable_day(time(10))
    book(callback, front_desk, day, time(10))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def reschedule():
        try:
            barrier.wait(timeout=10)
            outcomes.append(str(move(callback, front_desk, day, time(16)).sequence))
        except Exception as error:  # noqa: BLE001 (on a thread: shown in the assertion below, not lost)
            outcomes.append(f"unexpected {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=reschedule) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == ["1", "1"]
    assert len(emails("appointment_rescheduled")) == 1


def test_only_a_booked_appointment_can_be_moved(callback, front_desk):
    with pytest.raises(AppointmentError, match="no appointment yet"):
        move(callback, front_desk, bookable_day(), time(10))
    book(callback, front_desk)
    services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="Patient asked on the phone.")
    with pytest.raises(AppointmentError, match="already cancelled"):
        move(callback, front_desk, bookable_day(time(11)), time(11))


# --- cancelling --------------------------------------------------------------------------------------


def test_a_cancellation_sends_method_cancel_with_the_same_uid_and_a_higher_sequence(callback, front_desk):
    day = bookable_day(time(10))
    appointment = book(callback, front_desk, day, time(10))
    move(callback, front_desk, day, time(11))

    cancelled = services.appointment_cancel(
        callback_id=callback.pk, user=front_desk, reason="Going abroad for work, will call back."
    )
    services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="clicked twice")

    assert cancelled.status == AppointmentStatus.CANCELLED and cancelled.sequence == 2
    assert Appointment.objects.get().cancel_reason == "Going abroad for work, will call back."
    [notification] = emails("appointment_cancelled")
    message, calendar, event, mimetype = calendar_of(notification)
    assert mimetype == "text/calendar; method=CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == appointment.uid
    assert event.decoded("SEQUENCE") == 2
    assert event.decoded("DTSTART").time() == time(11)
    body = texts(message)
    assert django_settings.CLINIC["PHONE"] in body and "call us" in body  # how to book again
    assert format_moment(cancelled.starts_at) in body
    assert "abroad" not in body and REASON not in body
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED  # the callback's work was done; the appointment ended


def test_a_cancellation_needs_a_reason(callback, front_desk):
    book(callback, front_desk)
    with pytest.raises(ValidationError, match="Say why"):
        services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="  ")
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED
    assert not emails("appointment_cancelled")


def test_after_a_cancellation_the_patient_is_booked_again_under_a_new_uid(callback, front_desk):
    first = book(callback, front_desk)
    services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="Patient ill.")
    second = book(callback, front_desk, bookable_day(time(11), after=2), time(11))

    assert second.pk != first.pk and second.uid != first.uid
    assert second.uid.startswith(f"appointment-{callback.request.reference}-2@")
    assert second.status == AppointmentStatus.BOOKED
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED  # its record stays
    assert len(emails("appointment_scheduled")) == 2


# --- no-show and attended ------------------------------------------------------------------------------


def has_begun(appointment: Appointment, minutes_ago: int = 10) -> None:
    """Time passes: the appointment began `minutes_ago` (the booking rules are not what this tests)."""
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - timedelta(minutes=minutes_ago))


def test_a_no_show_is_recorded_once_it_began_and_the_patient_is_emailed_kindly_once(callback, front_desk):
    appointment = book(callback, front_desk)
    with pytest.raises(AppointmentError, match="once it has begun"):
        services.appointment_mark_no_show(callback_id=callback.pk, user=front_desk)
    has_begun(appointment)

    services.appointment_mark_no_show(callback_id=callback.pk, user=front_desk)
    services.appointment_mark_no_show(callback_id=callback.pk, user=front_desk)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW and appointment.outcome_at is not None
    [notification] = emails("appointment_missed")
    message = build_email(notification)
    assert not message.attachments
    body = texts(message)
    assert "sorry we missed you" in body and django_settings.CLINIC["PHONE"] in body
    assert REASON not in body


def test_a_no_show_corrected_to_attended_is_recorded_without_another_email(callback, front_desk):
    appointment = book(callback, front_desk)
    has_begun(appointment)
    services.appointment_mark_no_show(callback_id=callback.pk, user=front_desk)
    services.appointment_mark_attended(callback_id=callback.pk, user=front_desk)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED
    assert len(emails("appointment_missed")) == 1 and not emails("appointment_attended")
    assert appointment.history.latest().history_change_reason == "Corrected to attended by Dana"


def test_anyone_at_the_desk_records_attendance_on_the_day_without_taking_the_callback(
    callback, front_desk, other_front_desk
):
    appointment = book(callback, front_desk)  # Dana holds the callback
    with pytest.raises(AppointmentError, match="on the day"):
        services.appointment_mark_attended(callback_id=callback.pk, user=other_front_desk)
    has_begun(appointment, minutes_ago=-5)  # the patient arrived 5 minutes early, today

    services.appointment_mark_attended(callback_id=callback.pk, user=other_front_desk)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk
    [thanks] = emails("appointment_attended")
    body = texts(build_email(thanks))
    assert "Thank you for coming in" in body and REASON not in body
    assert appointment.history.latest().history_user == other_front_desk


def test_a_cancelled_appointment_has_no_attendance_to_record(callback, front_desk):
    appointment = book(callback, front_desk)
    services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="Patient asked.")
    has_begun(appointment)
    for record in (services.appointment_mark_no_show, services.appointment_mark_attended):
        with pytest.raises(AppointmentError, match="cancelled appointment"):
            record(callback_id=callback.pk, user=front_desk)


# --- opening hours --------------------------------------------------------------------------------------


def test_a_time_that_runs_past_closing_is_refused_saying_when_the_clinic_is_open_that_day(callback, front_desk):
    saturday = next_weekday(5)  # 9 am to 1 pm by default
    with pytest.raises(ValidationError) as refused:
        book(callback, front_desk, saturday, time(12, 30))
    [message] = refused.value.message_dict["appointment_time"]
    assert re.match(
        rf"On Saturday {saturday.day} {saturday:%B %Y} the clinic is open 9:00 am \u2013 1:00 pm E[SD]T: a 45-minute "
        r"appointment must start and end inside those hours \(the latest start is 12:15 pm\)\.",
        message,
    ), message
    assert not Appointment.objects.exists() and not emails("appointment_scheduled")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.NEW

    book(callback, front_desk, saturday, time(12, 15))  # ends at closing time exactly: fine


def test_before_opening_is_refused_too(callback, front_desk):
    day = bookable_day(time(10))
    with pytest.raises(ValidationError, match="open 8:00 am"):
        book(callback, front_desk, day, time(7, 30))


def test_a_sunday_a_public_holiday_and_a_closure_are_refused_by_name(callback, front_desk):
    sunday = next_weekday(6)
    with pytest.raises(ValidationError, match=f"The clinic is closed on Sundays \\(Sunday {sunday.day} "):
        book(callback, front_desk, sunday, time(10))

    clinic = django_settings.CLINIC
    today = timezone.localdate()
    holiday = min(
        day
        for year in (today.year, today.year + 1)
        for day in public_holidays(clinic["HOLIDAYS_COUNTRY"], clinic["HOLIDAYS_SUBDIVISION"], year)
        if today < day <= today + timedelta(days=300) and day.weekday() < 5
    )
    with pytest.raises(ValidationError, match=rf"The clinic is closed on .* {holiday.year} \(\w"):
        book(callback, front_desk, holiday, time(10))

    closed = bookable_day(time(10), after=2)
    ClinicClosure.objects.create(date=closed, reason="Staff training")
    with pytest.raises(ValidationError, match=r"closed on .* \(Staff training\)"):
        book(callback, front_desk, closed, time(10))
    assert not Appointment.objects.exists()


def test_a_supervisor_overrides_the_hours_with_a_reason_kept_in_the_history_and_a_staff_note(callback, supervisor):
    sunday = next_weekday(6)
    with pytest.raises(ValidationError, match="Only a supervisor can book outside them"):
        book(callback, supervisor, sunday, time(10))

    appointment = book(callback, supervisor, sunday, time(10), override_reason="Surgeon's only free slot this month.")

    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.hours_override_reason == "Surgeon's only free slot this month."
    record = appointment.history.latest()
    assert record.history_change_reason == "Booked outside opening hours: Surgeon's only free slot this month."
    assert record.history_user == supervisor
    note = RequestNote.objects.get(request=callback.request, kind=RequestNote.Kind.STAFF)
    assert note.author == supervisor
    assert "outside the opening hours" in note.body and "Surgeon's only free slot this month." in note.body
    assert "closed on Sundays" in note.body
    assert len(emails("appointment_scheduled")) == 1


def test_the_front_desk_cannot_override_the_hours(callback, front_desk):
    with pytest.raises(NotAllowed, match="Only a supervisor can book outside opening hours"):
        book(callback, front_desk, next_weekday(6), time(10), override_reason="The patient insisted.")
    assert not Appointment.objects.exists()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.NEW


def test_an_override_reason_inside_the_hours_overrides_nothing_and_is_not_recorded(callback, supervisor):
    appointment = book(callback, supervisor, override_reason="Just in case.")
    assert appointment.hours_override_reason == ""
    assert not RequestNote.objects.filter(request=callback.request, kind=RequestNote.Kind.STAFF).exists()


def test_a_move_outside_the_hours_is_refused_and_changes_nothing(callback, front_desk):
    appointment = book(callback, front_desk)
    with pytest.raises(ValidationError, match="closed on Sundays"):
        move(callback, front_desk, next_weekday(6), time(10))
    appointment.refresh_from_db()
    assert appointment.sequence == 0 and not emails("appointment_rescheduled")


def test_an_appointment_must_be_in_the_future_and_at_most_a_year_ahead(callback, supervisor):
    with pytest.raises(ValidationError, match="in the future"):
        book(callback, supervisor, timezone.localdate() - timedelta(days=1), time(10), override_reason="x")
    with pytest.raises(ValidationError, match="at most a year ahead"):
        book(callback, supervisor, timezone.localdate() + timedelta(days=370), time(10), override_reason="x")


def test_a_clock_time_the_clocks_skip_is_refused_clearly(callback, supervisor, settings):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": "mon-sun 00:00-23:59"}
    day = clocks_change(forward=True)
    with pytest.raises(ValidationError) as refused:
        book(callback, supervisor, day, time(2, 30), override_reason="Night clinic.")
    [message] = refused.value.message_dict["appointment_time"]
    assert message.startswith(f"2:30 am does not exist on {day:%A} {day.day} {day:%B %Y}: the clocks go forward")
    # The zone's own names for its two offsets that day ("EST to EDT" in New York).
    standard, summer = (datetime.combine(day, clock, ZONE).tzname() for clock in (time(1), time(4)))
    assert f"({standard} to {summer})" in message
    assert not Appointment.objects.exists()


def test_a_clock_time_that_happens_twice_is_the_first_and_the_email_says_which(callback, supervisor, settings):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": "mon-sun 00:00-23:59"}
    day = clocks_change(forward=False)
    appointment = book(callback, supervisor, day, time(1, 15), override_reason="Night clinic.")

    first = datetime.combine(day, time(1, 15), ZONE)  # fold=0: before the clocks go back
    assert appointment.starts_at == first
    [notification] = emails("appointment_scheduled")
    message, _, event, _ = calendar_of(notification)
    assert event.decoded("DTSTART").astimezone(UTC) == first.astimezone(UTC)
    assert f"1:15 am {first.tzname()}" in message.body  # EDT in New York: the first of the two


def test_the_location_is_one_of_the_clinic_s_and_the_only_one_needs_no_choosing(callback, front_desk, settings):
    settings.CLINIC_LOCATIONS = ["Harbour Street", "Seaside annex"]
    with pytest.raises(ValidationError, match="Choose where"):
        book(callback, front_desk)
    with pytest.raises(ValidationError, match="Choose one of the clinic's locations"):
        book(callback, front_desk, location="Room 12")
    assert book(callback, front_desk, location="Seaside annex").location == "Seaside annex"

    services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="Patient moved.")
    settings.CLINIC_LOCATIONS = ["Harbour Street"]
    assert book(callback, front_desk, bookable_day(time(11)), time(11)).location == "Harbour Street"


def test_the_length_comes_from_settings(callback, front_desk, settings):
    settings.APPOINTMENT_MINUTES = 30
    day = bookable_day(time(17, 30))
    book(callback, front_desk, day, time(17, 30))  # ends at 6 pm: fits only because it is 30 minutes
    [notification] = emails("appointment_scheduled")
    event = calendar_of(notification)[2]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)


# --- reminders ----------------------------------------------------------------------------------------


def tomorrow_at(at: time) -> tuple[date, time]:
    return timezone.localdate() + timedelta(days=1), at


def test_reminders_follow_the_latest_time_and_a_reminder_sent_for_the_old_time_does_not_stop_the_new_one(
    callback, supervisor
):
    # A supervisor, with a reason, so that tomorrow can be any day the tests run on.
    override = {"override_reason": "Tomorrow may be a closed day; this is about reminders."}
    book(callback, supervisor, bookable_day(time(10), after=3), time(10))
    assert appointments_send_reminders() == 0  # not tomorrow

    move(callback, supervisor, *tomorrow_at(time(10)), **override)
    assert appointments_send_reminders() == 1
    Notification.objects.filter(event="appointment_reminder").update(status=NotificationStatus.SENT)
    assert appointments_send_reminders() == 1  # the same reminder: found, not queued again
    assert Notification.objects.filter(event="appointment_reminder").count() == 1

    move(callback, supervisor, *tomorrow_at(time(15)), **override)
    appointments_send_reminders()

    reminders = emails("appointment_reminder")
    assert len(reminders) == 2
    latest = build_email(reminders[-1])
    assert "3:00 pm E" in latest.body and "10:00 am E" not in latest.body


def test_a_reminder_not_yet_sent_is_withdrawn_when_the_appointment_moves(callback, supervisor):
    override = {"override_reason": "Tomorrow may be a closed day; this is about reminders."}
    book(callback, supervisor, *tomorrow_at(time(10)), **override)
    appointments_send_reminders()
    [pending] = emails("appointment_reminder")
    assert pending.status == NotificationStatus.PENDING

    move(callback, supervisor, *tomorrow_at(time(11)), **override)

    assert not Notification.objects.filter(pk=pending.pk).exists()
    appointments_send_reminders()
    [reminder] = emails("appointment_reminder")
    assert "11:00 am E" in build_email(reminder).body


def test_no_reminder_goes_out_for_a_cancelled_appointment(callback, supervisor):
    override = {"override_reason": "Tomorrow may be a closed day; this is about reminders."}
    book(callback, supervisor, *tomorrow_at(time(10)), **override)
    appointments_send_reminders()
    services.appointment_cancel(callback_id=callback.pk, user=supervisor, reason="Patient cancelled.")
    assert not emails("appointment_reminder")  # the pending one is withdrawn
    assert appointments_send_reminders() == 0
    assert not emails("appointment_reminder")


# --- who may ------------------------------------------------------------------------------------------------


def age_claim(callback: Callback, minutes: int) -> None:
    moment = timezone.now() - timedelta(minutes=minutes)
    Callback.objects.filter(pk=callback.pk).update(claimed_at=moment, holder_active_at=moment)


def test_only_the_holder_moves_or_cancels_while_their_claim_is_live(callback, front_desk, other_front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    day = bookable_day(time(10))
    book(callback, front_desk, day, time(10))
    with pytest.raises(HeldByAnother, match="Dana is already working on this callback"):
        move(callback, other_front_desk, day, time(11))
    with pytest.raises(HeldByAnother):
        services.appointment_cancel(callback_id=callback.pk, user=other_front_desk, reason="mine")
    assert Appointment.objects.get().sequence == 0

    age_claim(callback, 31)  # Dana booked it and went home: the patient's call goes to Eli
    move(callback, other_front_desk, day, time(11))
    callback.refresh_from_db()
    assert callback.assigned_to == other_front_desk


def test_staff_without_a_role_can_do_nothing_to_an_appointment(callback, front_desk, staff_without_group):
    appointment = book(callback, front_desk)
    has_begun(appointment)
    age_claim(callback, 600)
    actions = [
        lambda: book(callback, staff_without_group),
        lambda: move(callback, staff_without_group, bookable_day(time(11)), time(11)),
        lambda: services.appointment_cancel(callback_id=callback.pk, user=staff_without_group, reason="x"),
        lambda: services.appointment_mark_no_show(callback_id=callback.pk, user=staff_without_group),
        lambda: services.appointment_mark_attended(callback_id=callback.pk, user=staff_without_group),
    ]
    for action in actions:
        with pytest.raises(NotAllowed, match="Only the front desk and supervisors"):
            action()
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_every_change_is_in_the_history_with_who_and_why(callback, front_desk):
    day = bookable_day(time(10))
    book(callback, front_desk, day, time(10))
    move(callback, front_desk, day, time(11))
    services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="Patient asked by phone.")

    records = list(Appointment.history.order_by("history_date", "history_id"))
    assert [r.history_user for r in records] == [front_desk] * 3
    assert [r.status for r in records] == ["booked", "booked", "cancelled"]
    assert records[1].history_change_reason.startswith("Rescheduled from ")
    assert records[2].history_change_reason == "Cancelled: Patient asked by phone."


# --- the admin's pages ---------------------------------------------------------------------------------------

QUEUE = "/admin/requests_app/callback/"


def test_the_admin_reschedules_cancels_and_records_through_the_pages(client, callback, front_desk):
    client.force_login(front_desk)
    day = bookable_day(time(10))
    appointment = book(callback, front_desk, day, time(10))

    page = client.get(f"{QUEUE}{callback.pk}/reschedule/").content.decode()
    assert f"Reschedule the appointment (now {format_moment(appointment.starts_at)})" in page
    assert f'value="{day.isoformat()}"' in page
    assert django_settings.TIME_ZONE in page  # the time is on the clinic's clock
    assert "override_reason" not in page  # the front desk does not see the override

    sunday = next_weekday(6)
    refused = client.post(
        f"{QUEUE}{callback.pk}/reschedule/",
        {"appointment_date": sunday.isoformat(), "appointment_time": "10:00",
         "location": django_settings.CLINIC_LOCATIONS[0], "note": ""},
    )  # fmt: skip
    assert refused.status_code == 200 and "closed on Sundays" in refused.content.decode()

    moved = client.post(
        f"{QUEUE}{callback.pk}/reschedule/",
        {"appointment_date": day.isoformat(), "appointment_time": "11:30",
         "location": django_settings.CLINIC_LOCATIONS[0], "note": "Bring your shoes"},
    )  # fmt: skip
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.sequence, appointment.note) == (1, "Bring your shoes")
    assert appointment.starts_at == appointment_start(day, time(11, 30))

    assert client.post(f"{QUEUE}{callback.pk}/cancel/", {"reason": ""}).status_code == 200
    assert client.post(f"{QUEUE}{callback.pk}/cancel/", {"reason": "Patient called."}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_the_admin_records_a_no_show_and_attendance_on_confirmation_pages(client, callback, front_desk):
    client.force_login(front_desk)
    appointment = book(callback, front_desk)
    has_begun(appointment)
    page = client.get(f"{QUEUE}{callback.pk}/no-show/")
    assert page.status_code == 200 and "Record that the patient did not come" in page.content.decode()
    assert "Yes, the patient did not come" in page.content.decode()
    assert client.post(f"{QUEUE}{callback.pk}/no-show/", {"confirmed": ""}).status_code == 200  # not ticked
    assert client.post(f"{QUEUE}{callback.pk}/no-show/", {"confirmed": "on"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert client.post(f"{QUEUE}{callback.pk}/attended/", {"confirmed": "on"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED


def test_a_supervisor_books_outside_the_hours_from_the_admin_with_a_reason(client, callback, supervisor):
    client.force_login(supervisor)
    page = client.get(f"{QUEUE}{callback.pk}/schedule/").content.decode()
    assert 'name="override_reason"' in page
    sunday = next_weekday(6)
    body = {
        "appointment_date": sunday.isoformat(),
        "appointment_time": "10:00",
        "location": django_settings.CLINIC_LOCATIONS[0],
        "note": "",
        "override_reason": "",
    }
    assert "closed on Sundays" in client.post(f"{QUEUE}{callback.pk}/schedule/", body).content.decode()
    response = client.post(f"{QUEUE}{callback.pk}/schedule/", {**body, "override_reason": "Tournament week."})
    assert response.status_code == 302
    assert Appointment.objects.get().hours_override_reason == "Tournament week."


def test_the_front_desk_schedule_form_has_no_override(client, callback, front_desk):
    client.force_login(front_desk)
    page = client.get(f"{QUEUE}{callback.pk}/schedule/").content.decode()
    assert 'name="override_reason"' not in page
    assert f'<option value="{django_settings.CLINIC_LOCATIONS[0]}" selected>' in page


def test_the_console_is_told_which_appointment_pages_to_offer(callback, front_desk, other_front_desk):
    def labels(user) -> list[str]:
        return [label for label, _ in appointment_console_context(callback, user)["appointment_links"]]

    assert labels(front_desk) == ["Mark scheduled\u2026"]
    appointment = book(callback, front_desk)
    callback.refresh_from_db()
    context = appointment_console_context(callback, front_desk)
    assert context["appointment_live"] and context["appointment_when"] == format_moment(appointment.starts_at)
    assert labels(front_desk) == ["Reschedule\u2026", "Cancel the appointment\u2026"]
    assert labels(other_front_desk) == []  # Dana's claim is live; the appointment is not today
    has_begun(appointment)
    assert labels(other_front_desk) == ["Attended\u2026", "No-show\u2026"]
    links = dict(appointment_console_context(callback, other_front_desk)["appointment_links"])
    assert links["No-show\u2026"] == f"{QUEUE}{callback.pk}/no-show/"
    services.appointment_cancel(callback_id=callback.pk, user=front_desk, reason="Patient asked.")
    assert labels(front_desk) == ["Book again\u2026"]


# --- the migration -----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_callbacks_scheduled_before_the_migration_get_their_appointment_with_the_uid_already_sent():
    """A patient who got a calendar file before this change gets updates to that same event."""
    executor = MigrationExecutor(connection)
    executor.migrate([("requests_app", "0009_requests_to_check")])
    apps = executor.loader.project_state([("requests_app", "0009_requests_to_check")]).apps
    OldRequest = apps.get_model("requests_app", "AppointmentRequest")
    OldCallback = apps.get_model("requests_app", "Callback")
    request = OldRequest.objects.create(
        reference="HV-OLD1", first_name="Old", last_name="Booking", phone="+16035550111", email="old@example.org",
        reason="", consent=True, privacy_notice_version="2026-11", channel="api",
    )  # fmt: skip
    day = timezone.localdate() + timedelta(days=5)
    OldCallback.objects.create(
        request=request, status="scheduled", is_open=False, due_at=timezone.now(), closing_reason="scheduled",
        appointment_date=day, appointment_time=time(10, 30), appointment_location="Room 2", appointment_note="Hi",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    appointment = Appointment.objects.get(callback__request__reference="HV-OLD1")
    host = django_settings.SITE_URL.split("://")[-1]
    assert appointment.uid == f"appointment-HV-OLD1@{host}"
    assert (appointment.status, appointment.sequence, appointment.minutes) == (AppointmentStatus.BOOKED, 0, 45)
    assert appointment.starts_at == datetime.combine(day, time(10, 30), ZONE)
    assert (appointment.location, appointment.note) == ("Room 2", "Hi")


def test_retention_keeps_a_request_whose_appointment_is_after_the_cutoff(callback, front_desk, settings):
    settings.RETENTION_MONTHS = 24
    book(callback, front_desk)
    # The callback closed long ago (the first booking), but its appointment is still to come.
    Callback.objects.filter(pk=callback.pk).update(closed_at=timezone.now() - timedelta(days=800))
    assert requests_anonymize_expired().anonymized_count == 0
    assert AppointmentRequest.objects.get(pk=callback.request_id).anonymized_at is None

    Appointment.objects.filter(callback=callback).update(starts_at=timezone.now() - timedelta(days=790))
    assert requests_anonymize_expired().anonymized_count == 1
