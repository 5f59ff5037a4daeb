"""The call console and the next call: one click per outcome, the next callback to ring, the shift switch.

The services are tested thoroughly here (requests_app/services/calls.py and
shifts.py); each admin door once. Times run on a fixed clock: a Tuesday at
10:30 am on the clinic's clock, in the patient's "morning".
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from requests_app.formatting import short_moment
from requests_app.models import (
    CallAttempt,
    Callback,
    CallbackStatus,
    CallOutcome,
    ClosingReason,
    Notification,
    Priority,
    RequestNote,
    RequestStatus,
    StaffProfile,
)
from requests_app.policy import HeldByAnother, NotAllowed
from requests_app.selectors import best_time_is_now, staff_on_shift
from requests_app.services import callbacks as callback_services
from requests_app.services import calls
from requests_app.services.callbacks import CallbackError
from requests_app.services.pipeline import request_process
from requests_app.services.shifts import staff_set_on_shift
from tests.support.intake import submit
from tests.support.matching import must_search

pytestmark = pytest.mark.django_db

QUEUE = "/admin/requests_app/callback/"
CLINIC = ZoneInfo(settings.TIME_ZONE)


def next_tuesday_at(clock: time) -> datetime:
    day = timezone.localdate() + timedelta(days=2)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, clock, CLINIC)


@pytest.fixture
def now(monkeypatch) -> datetime:
    """The clock stands at a Tuesday 10:30 am, clinic time, for everything that asks `timezone.now()`."""
    moment = next_tuesday_at(time(10, 30))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def new_callback(*, due_in: timedelta = timedelta(minutes=-5), **fields) -> Callback:
    """A request through the real intake and pipeline, unassigned, due `due_in` from now (overdue by default)."""
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit(**fields).request.pk)
    assert callback is not None
    Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now() + due_in)
    callback.refresh_from_db()
    return callback


def location() -> str:
    return getattr(settings, "CLINIC_LOCATIONS", ["Harbourview clinic, main reception"])[0]


def next_call(user: User) -> Callback:
    """The desk's next call for `user`, which the test expects there to be."""
    callback = calls.callback_next_for(user=user)
    assert callback is not None
    return callback


def weekday_after(days: int) -> date:
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


# --- one click per outcome (the service) ------------------------------------------------------


@pytest.mark.parametrize("outcome", [CallOutcome.NO_ANSWER, CallOutcome.VOICEMAIL, CallOutcome.BUSY])
def test_a_failed_call_is_logged_the_caller_holds_the_callback_and_it_is_in_progress(now, front_desk, outcome):
    callback = new_callback()
    attempt = calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=outcome, note=" rang ")
    callback.refresh_from_db()
    assert (attempt.outcome, attempt.made_by, attempt.note, attempt.made_at) == (outcome, front_desk, "rang", now)
    assert (callback.status, callback.assigned_to, callback.attempt_count) == (
        CallbackStatus.IN_PROGRESS,
        front_desk,
        1,
    )
    assert callback.failed_attempts().count() == 1


@pytest.mark.usefixtures("now")
def test_three_failed_outcomes_wrong_number_included_allow_unreachable(front_desk):
    callback = new_callback()
    for outcome in (CallOutcome.VOICEMAIL, CallOutcome.BUSY):
        calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=outcome)
    with pytest.raises(CallbackError, match=r"\(2 so far\)"):
        callback_services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.WRONG_NUMBER)
    callback_services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNREACHABLE


@pytest.mark.usefixtures("now")
def test_a_wrong_number_leaves_the_callback_open_with_a_note_to_check_the_number(front_desk):
    callback = new_callback(phone="+16035550123")
    attempt = calls.callback_record_outcome(
        callback_id=callback.pk, user=front_desk, outcome=CallOutcome.WRONG_NUMBER, note="A bakery answered."
    )
    callback.refresh_from_db()
    assert callback.is_open and callback.status == CallbackStatus.IN_PROGRESS
    note = RequestNote.objects.get(request=callback.request, kind=RequestNote.Kind.STAFF)
    assert note.author == front_desk
    assert note.body.startswith("Wrong number: (603) 555-0123 did not reach the patient (")
    assert "Check the number with the patient (by email) before calling again." in note.body
    assert note.body.endswith("A bakery answered.")
    assert attempt.note == note.body


def test_declined_logs_the_call_and_closes_the_callback_and_the_request(now, front_desk):
    callback = new_callback()
    calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.DECLINED)
    callback.refresh_from_db()
    assert (callback.status, callback.closing_reason, callback.closed_at) == (
        CallbackStatus.CLOSED,
        ClosingReason.DECLINED,
        now,
    )
    assert list(callback.attempts.values_list("outcome", flat=True)) == [CallOutcome.DECLINED]
    assert callback.request.status == RequestStatus.CLOSED


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("outcome", [CallOutcome.SCHEDULED, "", "hung_up"])
def test_reached_scheduled_and_unknown_outcomes_are_refused_and_log_nothing(front_desk, outcome):
    callback = new_callback()
    with pytest.raises(CallbackError):
        calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=outcome)
    assert not CallAttempt.objects.exists()


@pytest.mark.usefixtures("now")
def test_a_colleague_cannot_log_a_call_on_a_callback_someone_holds_and_nothing_changes(front_desk, other_front_desk):
    callback = new_callback()
    callback_services.callback_claim(callback_id=callback.pk, user=front_desk)
    before = Callback.objects.filter(pk=callback.pk).values().get()
    with pytest.raises(HeldByAnother, match="Dana is already working on this callback"):
        calls.callback_record_outcome(callback_id=callback.pk, user=other_front_desk, outcome=CallOutcome.DECLINED)
    assert Callback.objects.filter(pk=callback.pk).values().get() == before
    assert not CallAttempt.objects.exists()


@pytest.mark.usefixtures("now")
def test_staff_without_a_role_cannot_log_a_call(staff_without_group):
    callback = new_callback()
    with pytest.raises(NotAllowed):
        calls.callback_record_outcome(callback_id=callback.pk, user=staff_without_group, outcome=CallOutcome.NO_ANSWER)
    assert not CallAttempt.objects.exists()


def test_booking_on_the_call_logs_reached_and_schedules_in_one_step(front_desk):
    callback = new_callback()
    calls.callback_schedule_on_call(
        callback_id=callback.pk,
        user=front_desk,
        call_note="Prefers mornings.",
        appointment_date=weekday_after(3),
        appointment_time=time(10, 0),
        location=location(),
        note="",
    )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
    assert list(callback.attempts.values_list("outcome", "note", "made_by")) == [
        (CallOutcome.SCHEDULED, "Prefers mornings.", front_desk.pk)
    ]
    assert Notification.objects.filter(event="appointment_scheduled", request=callback.request).exists()


def test_a_refused_booking_logs_no_call_either(front_desk):
    callback = new_callback()
    with pytest.raises(ValidationError):
        calls.callback_schedule_on_call(
            callback_id=callback.pk,
            user=front_desk,
            appointment_date=timezone.localdate() - timedelta(days=1),
            appointment_time=time(10, 0),
            location=location(),
            note="",
        )
    callback.refresh_from_db()
    assert callback.is_open
    assert not CallAttempt.objects.exists()


# --- the best time to call --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slots", "days", "expected"),
    [
        ([], [], None),  # no best time
        (["morning"], [], True),
        (["morning"], ["tue"], True),
        (["afternoon"], [], False),
        (["morning"], ["wed"], False),
        ([], ["tue", "thu"], True),
        (["afternoon", "morning"], ["mon", "tue"], True),
        # The clinic is never open on Sunday: no preference left, as if none was given.
        ([], ["sun"], None),
    ],
)
def test_the_best_time_is_now_when_now_is_in_one_of_its_slots_on_one_of_its_days(slots, days, expected):
    tuesday_morning = next_tuesday_at(time(10, 30))
    assert best_time_is_now(slots=slots, days=days, now=tuesday_morning) is expected


def test_the_best_time_runs_on_the_clinics_clock_not_utc():
    # 11:30 am in New York is 16:30 UTC: still the morning for the patient.
    moment = next_tuesday_at(time(11, 30)).astimezone(ZoneInfo("UTC"))
    assert best_time_is_now(slots=["morning"], days=[], now=moment) is True
    assert best_time_is_now(slots=["afternoon"], days=[], now=moment) is False


# --- the next call ----------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_next_call_takes_emergency_then_urgent_then_routine_and_claims_it(front_desk):
    routine = new_callback(due_in=timedelta(hours=-3))
    urgent = new_callback(symptoms=["leg_weakness"], due_in=timedelta(hours=1))
    emergency = new_callback(symptoms=["saddle_numbness"], due_in=timedelta(hours=2))
    assert (emergency.priority, urgent.priority) == (Priority.EMERGENCY, Priority.URGENT)

    taken = []
    for _ in range(3):
        callback = calls.callback_next_for(user=front_desk)
        assert callback is not None
        taken.append(callback)
        assert (callback.assigned_to, callback.status) == (front_desk, CallbackStatus.IN_PROGRESS)
        # Until the call is made, the same one is still the next call; once made, it rests (RETRY_AFTER).
        assert next_call(front_desk).pk == callback.pk
        calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)

    assert [c.pk for c in taken] == [emergency.pk, urgent.pk, routine.pk]
    assert calls.callback_next_for(user=front_desk) is None


@pytest.mark.usefixtures("now")
def test_next_call_skips_a_callback_whose_best_time_is_not_now_and_takes_one_without_a_best_time(front_desk):
    afternoon = new_callback(best_time_slots=["afternoon"], due_in=timedelta(hours=-2))
    anytime = new_callback(due_in=timedelta(hours=-1))
    morning = new_callback(best_time_slots=["morning"], best_days=["tue"], due_in=timedelta(minutes=30))
    assert next_call(front_desk).pk == anytime.pk
    calls.callback_record_outcome(callback_id=anytime.pk, user=front_desk, outcome=CallOutcome.BUSY)
    assert next_call(front_desk).pk == morning.pk
    calls.callback_record_outcome(callback_id=morning.pk, user=front_desk, outcome=CallOutcome.BUSY)
    assert calls.callback_next_for(user=front_desk) is None
    afternoon.refresh_from_db()
    assert afternoon.assigned_to is None


@pytest.mark.usefixtures("now")
def test_next_call_leaves_callbacks_not_yet_due(front_desk):
    new_callback(due_in=timedelta(hours=9))
    assert calls.callback_next_for(user=front_desk) is None
    soon = new_callback(due_in=timedelta(hours=7))
    assert next_call(front_desk).pk == soon.pk


def test_next_call_leaves_a_colleagues_live_claim_and_takes_a_lapsed_one(now, front_desk, other_front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    held = new_callback(symptoms=["saddle_numbness"])
    callback_services.callback_claim(callback_id=held.pk, user=other_front_desk)
    lapsed = new_callback(symptoms=["leg_weakness"])
    callback_services.callback_claim(callback_id=lapsed.pk, user=other_front_desk)
    Callback.objects.filter(pk=lapsed.pk).update(
        claimed_at=now - timedelta(minutes=31), holder_active_at=now - timedelta(minutes=31)
    )
    taken = calls.callback_next_for(user=front_desk)
    assert taken is not None
    assert taken.pk == lapsed.pk
    assert taken.assigned_to == front_desk
    held.refresh_from_db()
    assert held.assigned_to == other_front_desk


def test_next_call_does_not_ring_a_patient_again_right_after_a_call(now, front_desk, other_front_desk, monkeypatch):
    callback = new_callback()
    calls.callback_record_outcome(callback_id=callback.pk, user=other_front_desk, outcome=CallOutcome.NO_ANSWER)
    callback_services.callback_release(callback_id=callback.pk, user=other_front_desk)
    assert calls.callback_next_for(user=front_desk) is None
    later = now + calls.RETRY_AFTER[Priority.ROUTINE] + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert next_call(front_desk).pk == callback.pk


@pytest.mark.usefixtures("now")
def test_when_a_colleague_claims_the_next_call_first_the_one_after_it_is_taken(
    front_desk, other_front_desk, monkeypatch
):
    first = new_callback(symptoms=["saddle_numbness"])
    second = new_callback(symptoms=["leg_weakness"])
    real_claim = callback_services.callback_claim
    raced: list[int] = []

    def colleague_is_quicker(*, callback_id, user):
        if not raced:
            raced.append(callback_id)
            real_claim(callback_id=callback_id, user=other_front_desk)
        return real_claim(callback_id=callback_id, user=user)

    monkeypatch.setattr(calls.callbacks, "callback_claim", colleague_is_quicker)
    taken = calls.callback_next_for(user=front_desk)
    assert taken is not None
    assert raced == [first.pk]
    assert taken.pk == second.pk and taken.assigned_to == front_desk
    first.refresh_from_db()
    assert first.assigned_to == other_front_desk


@pytest.mark.usefixtures("now")
def test_next_call_gives_nothing_when_nothing_is_due_and_refuses_staff_without_a_role(staff_without_group):
    assert (
        calls.callback_next_for(user=User.objects.create_superuser("root", "r@x.example", "pw-long-enough-1")) is None
    )
    new_callback()
    with pytest.raises(NotAllowed):
        calls.callback_next_for(user=staff_without_group)
    assert not Callback.objects.filter(assigned_to__isnull=False).exists()


# --- the shift switch (the service) -----------------------------------------------------------


def test_going_on_shift_creates_the_missing_profile_and_is_in_the_history(front_desk, other_front_desk):
    StaffProfile.objects.filter(user=front_desk).delete()
    assert staff_on_shift(user=front_desk) is False
    profile = staff_set_on_shift(user=front_desk, on_shift=True)
    assert profile.on_shift and staff_on_shift(user=front_desk)
    staff_set_on_shift(user=front_desk, on_shift=False)
    assert not staff_on_shift(user=front_desk)
    reasons = list(profile.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[-2:] == ["On shift", "Off shift"]
    assert staff_on_shift(user=other_front_desk)  # nobody else's switch moved


def test_staff_without_a_role_cannot_go_on_shift(staff_without_group):
    with pytest.raises(NotAllowed):
        staff_set_on_shift(user=staff_without_group, on_shift=True)
    assert not staff_on_shift(user=staff_without_group)


# --- the admin's doors ------------------------------------------------------------------------


def test_the_console_shows_who_to_call_the_phone_the_best_time_and_the_earlier_calls_on_the_clinics_clock(
    now, desk, front_desk
):
    callback = new_callback(first_name="Quinn", phone="+16035550123", best_time_slots=["morning"])
    calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.BUSY, note="engaged")
    html = desk.get(f"{QUEUE}{callback.pk}/change/").content.decode()
    console = html[html.index('class="call-console"') : html.index('id="triage-heading"')]
    assert "Call Quinn " in console
    assert '<a href="tel:+16035550123">(603) 555-0123</a>' in console
    assert 'Morning (8 am to 12 noon) <strong class="best-now">now</strong>' in console
    assert f'<span class="when">{short_moment(now)}</span> · <strong>Busy</strong> · Dana · <q>engaged</q>' in console
    assert "EST" in short_moment(now) or "EDT" in short_moment(now)
    for outcome, label in (("no_answer", "No answer"), ("voicemail", "Left a voicemail"), ("busy", "Busy")):
        assert f'name="outcome" value="{outcome}"' in console and label in console
    assert f"{QUEUE}{callback.pk}/schedule/?reached=1" in console
    # The console comes before the page's form: its buttons are not inside another form.
    assert html.index('class="call-console"') < html.index('id="callback_form"')
    assert "attempts-TOTAL_FORMS" not in html


@pytest.mark.usefixtures("now")
def test_a_colleague_sees_no_outcome_buttons_on_a_callback_someone_holds(client, front_desk, other_front_desk):
    callback = new_callback()
    callback_services.callback_claim(callback_id=callback.pk, user=front_desk)
    client.force_login(other_front_desk)
    html = client.get(f"{QUEUE}{callback.pk}/change/").content.decode()
    assert "<strong>Dana</strong> is working on this callback" in html
    assert 'name="outcome"' not in html and "?reached=1" not in html


@pytest.mark.usefixtures("now", "front_desk")
def test_an_outcome_button_logs_the_call_and_says_how_many_failed_calls_so_far(desk):
    callback = new_callback()
    response = desk.post(f"{QUEUE}{callback.pk}/outcome/", {"outcome": "voicemail", "note": ""}, follow=True)
    assert response.redirect_chain[-1][0] == f"{QUEUE}{callback.pk}/change/"
    page = response.content.decode()
    assert "Logged: left a voicemail. 1 of 3 failed calls before" in page
    assert CallAttempt.objects.get().outcome == CallOutcome.VOICEMAIL


@pytest.mark.usefixtures("now")
def test_a_refused_outcome_shows_the_reason_and_logs_nothing(client, front_desk, other_front_desk):
    callback = new_callback()
    callback_services.callback_claim(callback_id=callback.pk, user=front_desk)
    client.force_login(other_front_desk)
    response = client.post(f"{QUEUE}{callback.pk}/outcome/", {"outcome": "no_answer"}, follow=True)
    assert "Dana is already working on this callback" in response.content.decode()
    assert not CallAttempt.objects.exists()


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("path", ["{pk}/outcome/", "next/", "{pk}/unreachable/confirm/"])
def test_staff_without_a_role_are_refused_the_console_pages(client, staff_without_group, path):
    callback = new_callback()
    client.force_login(staff_without_group)
    url = QUEUE + path.format(pk=callback.pk)
    assert client.post(url, {"outcome": "no_answer"}).status_code == HTTPStatus.FORBIDDEN
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert not CallAttempt.objects.exists()
    assert Callback.objects.get().assigned_to is None


@pytest.mark.usefixtures("now")
def test_the_next_call_button_opens_the_console_of_the_callback_it_claimed(desk, front_desk):
    new_callback()
    urgent = new_callback(symptoms=["leg_weakness"], first_name="Robin")
    response = desk.post(f"{QUEUE}next/", follow=True)
    assert response.redirect_chain[-1][0] == f"{QUEUE}{urgent.pk}/change/"
    assert "Your next call: Robin " in response.content.decode()
    urgent.refresh_from_db()
    assert urgent.assigned_to == front_desk


@pytest.mark.usefixtures("now")
def test_the_next_call_button_says_so_when_there_is_nothing_to_call(desk):
    new_callback(due_in=timedelta(days=1))
    response = desk.post(f"{QUEUE}next/", follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Nothing to call right now" in response.content.decode()


@pytest.mark.usefixtures("now")
def test_mark_unreachable_shows_the_email_it_will_send_and_acts_only_when_confirmed(desk, front_desk):
    callback = new_callback(first_name="Quinn")
    for outcome in (CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.VOICEMAIL):
        calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=outcome)
    console = desk.get(f"{QUEUE}{callback.pk}/change/").content.decode()
    assert f"{QUEUE}{callback.pk}/unreachable/confirm/" in console
    # The console offers the confirmation page, never a button that emails at once.
    assert f'action="{QUEUE}{callback.pk}/unreachable/"' not in console

    page = desk.get(f"{QUEUE}{callback.pk}/unreachable/confirm/").content.decode()
    assert f"We tried to call you about your appointment request ({callback.request.reference})" in page
    assert "Hello Quinn," in page
    assert "/request-appointment/better-time/" in page
    assert callback.request.email in page
    assert f'action="{QUEUE}{callback.pk}/unreachable/"' in page
    callback.refresh_from_db()
    assert callback.is_open and not Notification.objects.filter(event="patient_unreachable").exists()

    desk.post(f"{QUEUE}{callback.pk}/unreachable/")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNREACHABLE
    assert Notification.objects.filter(event="patient_unreachable", request=callback.request).exists()


@pytest.mark.usefixtures("now")
def test_the_unreachable_page_says_why_not_yet_and_offers_no_button(desk, front_desk):
    callback = new_callback()
    calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    page = desk.get(f"{QUEUE}{callback.pk}/unreachable/confirm/").content.decode()
    assert "Log 3 failed call attempts before marking the patient unreachable (1 so far)." in page
    assert f'action="{QUEUE}{callback.pk}/unreachable/"' not in page


def test_reached_opens_the_scheduling_form_pre_filled_and_saving_it_logs_the_call_and_books(desk, front_desk):
    callback = new_callback(best_time_slots=["afternoon"], best_days=["thu"])
    form = desk.get(f"{QUEUE}{callback.pk}/schedule/?reached=1").content.decode()
    assert "The patient answered." in form
    day = must_search(r'name="appointment_date" value="([0-9-]+)"', form).group(1)
    assert datetime.fromisoformat(day).weekday() == 3  # the first Thursday from tomorrow
    assert re.search(r'name="appointment_time" value="14:00(:00)?"', form)

    booking = {
        "appointment_date": weekday_after(3).isoformat(),
        "appointment_time": "10:30",
        "location": location(),
        "note": "",
    }
    response = desk.post(f"{QUEUE}{callback.pk}/schedule/?reached=1", booking)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-3000:]
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
    assert list(callback.attempts.values_list("outcome", "made_by")) == [(CallOutcome.SCHEDULED, front_desk.pk)]


def test_scheduling_without_reached_logs_no_call(desk):
    callback = new_callback()
    booking = {
        "appointment_date": weekday_after(3).isoformat(),
        "appointment_time": "10:30",
        "location": location(),
        "note": "",
    }
    assert desk.post(f"{QUEUE}{callback.pk}/schedule/", booking).status_code == HTTPStatus.FOUND
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
    assert not callback.attempts.exists()


# --- the queue page -----------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
def test_the_queue_is_titled_as_the_desk_calls_it_and_shows_what_a_call_needs(desk, other_front_desk):
    callback = new_callback(
        first_name="Quinn", phone="+16035550123", symptoms=["leg_weakness"], best_time_slots=["morning"]
    )
    callback_services.callback_claim(callback_id=callback.pk, user=other_front_desk)
    html = desk.get(QUEUE).content.decode()
    assert "<h1>Callback queue</h1>" in html and "<title>Callback queue |" in html
    assert "Select callback to change" not in html
    row = html[html.index('<tr><td class="action-checkbox">') :]
    row = row[: row.index("</tr>")]
    assert '<span class="badge badge-urgent">Urgent</span>' in row
    assert '<a class="phone" href="tel:+16035550123">(603) 555-0123</a>' in row
    assert "Weakness in a leg" in row
    assert 'Morning <strong class="best-now">now</strong>' in row
    assert f'<span class="due-at">{short_moment(callback.due_at)}</span>' in row
    assert "overdue by 5 min" in row
    assert '<td class="field-holder">Eli</td>' in row
    assert f'action="{QUEUE}next/"' in html


def test_a_lapsed_claim_shows_as_nobodys_in_the_queue(now, desk, other_front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    callback = new_callback()
    callback_services.callback_claim(callback_id=callback.pk, user=other_front_desk)
    Callback.objects.filter(pk=callback.pk).update(holder_active_at=now - timedelta(minutes=31))
    assert "nobody (Eli\u2019s claim lapsed)" in desk.get(QUEUE).content.decode()


@pytest.mark.usefixtures("now")
def test_the_queue_list_reloads_itself_every_minute_but_forms_do_not(desk):
    callback = new_callback()
    queue = desk.get(QUEUE + "?priority__exact=routine&who=unassigned").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in queue
    assert 'src="/static/admin_extra/queue-refresh.js" data-seconds="60"' in queue
    for page in (f"{QUEUE}{callback.pk}/change/", f"{QUEUE}{callback.pk}/schedule/", f"{QUEUE}{callback.pk}/close/"):
        html = desk.get(page).content.decode()
        assert 'http-equiv="refresh"' not in html and "queue-refresh.js" not in html, page


# --- one clock --------------------------------------------------------------------------------


def test_the_callback_page_and_its_history_show_times_on_the_clinics_clock_never_utc(now, desk, front_desk):
    callback = new_callback()
    calls.callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    clock = short_moment(now)  # "Tue 8 Dec, 10:30 am EST"
    utc = now.astimezone(ZoneInfo("UTC"))
    for page in (f"{QUEUE}{callback.pk}/change/", f"{QUEUE}{callback.pk}/history/"):
        html = desk.get(page).content.decode()
        assert clock in html, page
        assert "+00:00" not in html and f"{utc:%H:%M}" not in html, page
    history = desk.get(f"{QUEUE}{callback.pk}/history/").content.decode()
    assert re.search(rf"Claimed at:</strong>\s*None\s*&nbsp;&rarr;&nbsp;&nbsp;{re.escape(clock)}", history)
    assert re.search(r"Assigned to:</strong>\s*nobody\s*&nbsp;&rarr;", history)
    # The attempt's own history names it on the clinic's clock too.
    assert str(CallAttempt.objects.get()) == f"No answer, {clock}"


@pytest.mark.usefixtures("now")
def test_the_request_page_shows_its_times_on_the_clinics_clock(desk):
    callback = new_callback()
    clock = short_moment(callback.request.created_at)
    for page in (
        "/admin/requests_app/appointmentrequest/",
        f"/admin/requests_app/appointmentrequest/{callback.request_id}/change/",
    ):
        html = desk.get(page).content.decode()
        assert clock in html, page
        assert not re.search(r"\d (a|p)\.m\.", html), page  # Django's own "10:30 a.m." without a zone


# --- the admin home -----------------------------------------------------------------------------


def test_the_home_page_switch_puts_the_signed_in_member_on_and_off_shift(desk, front_desk, other_front_desk):
    StaffProfile.objects.filter(user=front_desk).delete()  # a staff user made without a profile
    home = desk.get("/admin/").content.decode()
    assert "You are <strong>off shift</strong>" in home and "Go on shift</button>" in home
    desk.post("/admin/on-shift/", {"on_shift": "1"})
    assert StaffProfile.objects.get(user=front_desk).on_shift
    assert "You are <strong>on shift</strong>" in desk.get("/admin/").content.decode()
    desk.post("/admin/on-shift/", {"on_shift": "0"})
    assert not StaffProfile.objects.get(user=front_desk).on_shift
    assert StaffProfile.objects.get(user=other_front_desk).on_shift


def test_the_on_shift_switch_is_refused_to_staff_without_a_role_and_is_post_only(client, desk, staff_without_group):
    assert desk.get("/admin/on-shift/").status_code == HTTPStatus.FOUND
    client.force_login(staff_without_group)
    assert client.post("/admin/on-shift/", {"on_shift": "1"}).status_code == HTTPStatus.FORBIDDEN
    assert "Your shift" not in client.get("/admin/").content.decode()


def test_the_home_page_counts_my_callbacks(desk, front_desk, other_front_desk):
    mine = new_callback()
    new_callback()
    theirs = new_callback()
    callback_services.callback_claim(callback_id=mine.pk, user=front_desk)
    callback_services.callback_claim(callback_id=theirs.pk, user=other_front_desk)
    html = desk.get("/admin/").content.decode()
    assert re.search(r'\?who=mine"><strong>1</strong>my callbacks', html)


def test_a_staff_user_saved_in_the_user_admin_gets_a_staff_profile(client):
    root = User.objects.create_superuser("root", "root@clinic.example", "a-long-test-password-42")
    client.force_login(root)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "fern", "password1": "a-long-test-password-42", "password2": "a-long-test-password-42",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-2000:]
    fern = User.objects.get(username="fern")
    assert not StaffProfile.objects.filter(user=fern).exists()  # not staff yet
    data = {
        "username": "fern", "first_name": "Fern", "last_name": "", "email": "fern@clinic.example",
        "is_active": "on", "is_staff": "on", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "09:00:00",
    }  # fmt: skip
    response = client.post(f"/admin/auth/user/{fern.pk}/change/", data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-2000:]
    assert StaffProfile.objects.get(user=fern).on_shift is False


def test_a_superuser_without_a_staff_profile_can_use_every_desk_page(client):
    root = User.objects.create_superuser("root", "root@clinic.example", "a-long-test-password-42")
    assert not StaffProfile.objects.filter(user=root).exists()
    callback = new_callback()
    client.force_login(root)
    for page in ("/admin/", QUEUE, f"{QUEUE}{callback.pk}/change/", "/admin/dashboard/"):
        assert client.get(page).status_code == HTTPStatus.OK, page
    assert client.post(f"{QUEUE}next/").status_code == HTTPStatus.FOUND


def test_the_dashboard_chart_has_a_date_axis_ending_today(client, supervisor):
    client.force_login(supervisor)
    html = client.get("/admin/dashboard/").content.decode()
    today = timezone.localdate()
    labels = re.findall(r'<text class="chart-date"[^>]*>([^<]+)</text>', html)
    assert len(labels) == 5  # every seventh of 30 days, counted back from today
    assert labels[-1] == f"{today.day} {today:%b}"
    week_ago = today - timedelta(days=7)
    assert labels[-2] == f"{week_ago.day} {week_ago:%b}"
