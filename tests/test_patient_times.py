"""What a patient reads about times: one clock (the clinic's, with its abbreviation), and why a call comes later."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from requests_app.emails import better_time_token, build_email
from requests_app.models import AppointmentRequest, CallOutcome, Notification, StaffProfile
from requests_app.services import callbacks as services
from requests_app.services.appointments import appointment_schedule
from requests_app.services.pipeline import request_process
from tests.support.appointments import bookable_day
from tests.support.intake import submit
from tests.test_request_form import URL, form_data

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# "Friday 11 December at 12:00 pm EST": a day, a clock time and the clinic's abbreviation.
CLINIC_MOMENT = re.compile(r"\b\d{1,2}:\d{2} (?:am|pm) E[SD]T\b")
OTHER_CLOCKS = re.compile(r"UTC|GMT|\+00:?00|\d{2}:\d{2}:\d{2}|\b\d{1,2}:\d{2} (?:am|pm)(?! E[SD]T)")


def acknowledgement(request: AppointmentRequest):
    return build_email(Notification(event="patient_acknowledgement", recipient=request.email, request=request))


def arrived_at(request: AppointmentRequest, moment: datetime) -> AppointmentRequest:
    AppointmentRequest.objects.filter(pk=request.pk).update(created_at=moment)
    request.refresh_from_db()
    return request


def test_the_acknowledgement_says_why_the_call_comes_days_later_for_the_patient_s_best_time(settings):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": "mon-fri 08:00-18:00; sat 09:00-13:00"}
    request = submit(best_days=["fri"], best_time_slots=["morning"]).request
    # Monday 7 December 2026, 10:15 am: usually called by Tuesday.
    request = arrived_at(request, datetime(2026, 12, 7, 10, 15, tzinfo=NEW_YORK))
    message = acknowledgement(request)
    [(html, _)] = message.alternatives
    for part in (message.body, html):
        assert "Friday 11 December at 12:00 pm EST" in part
        assert (
            "That is later than our usual one working day because you asked us to call on Friday in the morning."
            in part
        )


def test_a_request_sent_through_the_api_for_sunday_evening_is_told_when_we_will_call_instead(settings):
    """The API still accepts any day: the clinic keeps what it can and says so."""
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": "mon-fri 08:00-18:00; sat 09:00-13:00"}
    request = submit(best_days=["sun"], best_time_slots=["evening"]).request
    request = arrived_at(request, datetime(2026, 12, 7, 19, 0, tzinfo=NEW_YORK))  # Monday evening
    text = acknowledgement(request).body
    assert "You can expect our call by Tuesday 8 December at 6:00 pm EST." in text
    assert "We are not open on Sundays, so we will call you in the evening instead." in text


def test_an_acknowledgement_without_a_best_time_says_nothing_about_one():
    text = acknowledgement(submit().request).body
    assert "because you asked" not in text and "We are not open" not in text


@pytest.mark.usefixtures("client")
def test_every_time_a_patient_reads_is_on_the_clinic_s_clock_with_its_abbreviation(front_desk):
    StaffProfile.objects.update(on_shift=False)
    request = submit(best_days=["fri"]).request
    callback = request_process(request_id=request.pk)
    assert callback is not None
    appointment_schedule(
        callback_id=callback.pk,
        user=front_desk,
        appointment_date=bookable_day(time(15, 45), after=2),
        appointment_time=time(15, 45),
    )
    request.refresh_from_db()
    texts: list[str] = []
    for event in ("patient_acknowledgement", "appointment_scheduled", "appointment_reminder", "patient_unreachable"):
        message = build_email(Notification(event=event, recipient=request.email, request=request))
        [(html, _)] = message.alternatives
        assert isinstance(html, str)
        texts += [str(message.subject), str(message.body), re.sub(r"<[^>]+>", " ", html)]
        if event == "appointment_scheduled":
            [(_, ics, _)] = message.attachments
            calendar = ics.decode() if isinstance(ics, bytes) else ics
            assert isinstance(calendar, str)
            # What a calendar shows in words; its DTSTART carries the clinic's zone (test_notifications).
            texts += re.findall(r"^(?:SUMMARY|DESCRIPTION|LOCATION):.*$", calendar, re.M)
    assert any("3:45 pm E" in text for text in texts)
    for text in texts:
        text = re.sub(r"https?://\S+", "", text)  # a port in a link is no time of day
        for moment in re.findall(r"[^\n]*\d:\d\d[^\n]*", text):
            assert CLINIC_MOMENT.search(moment) and not OTHER_CLOCKS.search(moment), moment


def test_the_better_time_page_says_by_when_we_will_call_again_on_the_clinic_s_clock(client, front_desk):
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    for _ in range(3):
        services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    url = f"/request-appointment/better-time/{better_time_token(callback.request_id)}/"

    form = client.get(url).content.decode()
    assert re.search(r"Times are our local time \(E[SD]T\)", form)
    done = client.post(url, {"best_time_slots": ["morning"]}).content.decode()
    assert re.search(r"We will try to call you again at the time you chose, by <strong>\w+ \d{1,2} \w+ at", done)
    assert CLINIC_MOMENT.search(done)


def test_the_confirmation_page_gives_the_call_and_the_opening_hours_on_the_clinic_s_clock(client):
    location = client.post(URL, form_data())["Location"]
    html = client.get(location).content.decode()
    main = re.sub(r"<[^>]+>", "", html[html.index('<main id="main"') : html.index("</main>")])
    assert re.search(r"You can expect our call by \w+ \d{1,2} \w+ at \d{1,2}:\d{2} (?:am|pm) E[SD]T\.", main)
    assert re.search(r"Opening hours: [^.]*\(E[SD]T\)\.", main)
    assert not re.search(r"UTC|GMT|\+00:?00", html)
