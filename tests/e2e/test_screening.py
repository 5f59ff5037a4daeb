"""The safety questions in a real browser: what a patient's answers lead to on the confirmation page."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from playwright.sync_api import expect

from requests_app.models import AppointmentRequest
from requests_app.triage.screening import QUESTIONS
from tests.e2e.conftest import (
    EMERGENCY_TITLE,
    FORM_URL,
    SKIP_LABEL,
    URGENT_TITLE,
    Patient,
    answer_screening,
    fill_in_details,
    send_when_a_person_could,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALEX = Patient("Alex", "Rivera", "(603) 555-0147", "alex.rivera@example.org")
SAM = Patient("Sam", "Okafor", "(603) 555-0162", "sam.okafor@example.org")


def request_on_the_page(page) -> AppointmentRequest:
    return AppointmentRequest.objects.get(reference=page.locator(".reference").inner_text())


def expect_confirmation(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your request")


def test_a_patient_who_ticks_the_skip_box_can_send_the_form_without_answering(new_visitor):
    patient = new_visitor("patient")
    page = patient.page
    page.goto(FORM_URL)
    opened_at = time.monotonic()
    fill_in_details(page, ALEX)
    page.get_by_label(SKIP_LABEL).check()
    patient.shot("skip-ticked")
    send_when_a_person_could(page, opened_at)

    expect_confirmation(page)
    # Nothing answered is nothing known: no box, and the desk asks every question on the call.
    expect(page.get_by_role("alert")).to_have_count(0)
    patient.shot("confirmation")
    request = request_on_the_page(page)
    assert request.screening == {}
    assert patient.csp_violations() == [], patient.console_errors


def test_a_yes_given_with_the_skip_box_ticked_still_counts(new_visitor):
    patient = new_visitor("patient")
    page = patient.page
    page.goto(FORM_URL)
    opened_at = time.monotonic()
    fill_in_details(page, SAM)
    answer_screening(page, {"bladder_bowel": "yes"}, others=None)
    page.get_by_label(SKIP_LABEL).check()
    patient.shot("yes-and-skip")
    send_when_a_person_could(page, opened_at)

    expect_confirmation(page)
    box = page.get_by_role("alert")
    expect(box.get_by_role("heading")).to_have_text(EMERGENCY_TITLE)
    number = settings.CLINIC["EMERGENCY_NUMBER"]
    expect(box.get_by_role("link", name=f"Call {number}")).to_have_attribute("href", f"tel:{number}")
    patient.shot("confirmation")
    request = request_on_the_page(page)
    assert request.screening == {"bladder_bowel": "yes"}
    assert patient.csp_violations() == [], patient.console_errors


@pytest.mark.parametrize(
    ("answers", "title"),
    [
        pytest.param({"saddle_numbness": "yes"}, EMERGENCY_TITLE, id="saddle-yes-emergency"),
        pytest.param({"night_pain": "not_sure"}, URGENT_TITLE, id="not-sure-urgent"),
        pytest.param({"leg_nerves": "yes"}, URGENT_TITLE, id="leg-nerves-yes-urgent"),
        pytest.param({}, None, id="all-no-routine"),
    ],
)
def test_the_confirmation_tells_the_patient_what_to_do_now_from_their_answers(new_visitor, answers, title):
    patient = new_visitor("patient")
    page = patient.page
    page.goto(FORM_URL)
    opened_at = time.monotonic()
    fill_in_details(page, ALEX)
    answer_screening(page, answers)  # "No" to the others
    for code, answer in answers.items():
        expect(page.locator(f"input[name='screening_{code}']:checked")).to_have_value(answer)
    patient.shot("answered")
    send_when_a_person_could(page, opened_at)

    expect_confirmation(page)
    patient.shot("confirmation")
    number = settings.CLINIC["EMERGENCY_NUMBER"]
    emergency_link = page.get_by_role("link", name=f"Call {number}")
    if title is None:
        expect(page.get_by_role("alert")).to_have_count(0)
        expect(page.get_by_text(EMERGENCY_TITLE)).to_have_count(0)
        expect(page.get_by_text(URGENT_TITLE)).to_have_count(0)
    else:
        box = page.get_by_role("alert")
        expect(box).to_have_count(1)
        expect(box.get_by_role("heading", level=2)).to_have_text(title)
        expect(box).to_be_in_viewport()  # seen without scrolling
    if title == EMERGENCY_TITLE:
        expect(emergency_link).to_have_attribute("href", f"tel:{number}")
        expect(page.get_by_text(URGENT_TITLE)).to_have_count(0)
    else:
        expect(page.locator(f"a[href='tel:{number}']")).to_have_count(0)

    request = request_on_the_page(page)
    assert request.screening == {question.code: answers.get(question.code, "no") for question in QUESTIONS}
    assert patient.csp_violations() == [], patient.console_errors
