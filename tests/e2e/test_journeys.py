"""The clinic's main journeys in a real browser: a patient's request, the front desk's call, the supervisor's view."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from requests_app.models import (
    AppointmentRequest,
    Callback,
    CallbackStatus,
    CallOutcome,
    Channel,
    Notification,
    StaffProfile,
)
from requests_app.services.appointments import appointment_schedule
from requests_app.services.callbacks import callback_log_attempt
from requests_app.services.pipeline import request_process
from tests.e2e.conftest import answer_screening, screening_question, staff_login
from tests.support.appointments import bookable_day
from tests.support.intake import submit
from tests.support.processes import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTICLE_SLUG = "when-back-pain-needs-a-specialist"
# Typing speed of a quick typist (a form sent back within MIN_FILL_SECONDS of
# being shown is accepted, but the desk is asked to check it).
TYPING_DELAY_MS = 40


@pytest.mark.usefixtures("articles")
def test_a_patient_corrects_a_mistake_and_the_front_desk_claims_calls_and_schedules_the_request(
    front_desk, pipeline_worker, smtp_server, new_visitor
):
    article = Article.objects.get(slug=ARTICLE_SLUG)
    # Nobody is on shift when the request comes in, so it waits unassigned in the queue.
    StaffProfile.objects.filter(user=front_desk).update(on_shift=False)

    # --- the patient -------------------------------------------------------------
    patient = new_visitor("patient")
    page = patient.page
    page.goto("/articles/")
    patient.shot("articles")
    page.get_by_role("link", name=article.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    patient.shot("article")

    # The article ends with the way to the request form, which knows where the patient came from.
    cta = page.locator("#request-appointment")
    cta.scroll_into_view_if_needed()
    expect(cta).to_be_visible()
    patient.shot("article-call-to-action")
    cta.get_by_role("link", name="Request an appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an appointment")
    expect(page.get_by_text("You were reading:")).to_contain_text(article.title)
    form = page.locator("form.request-form")

    form.get_by_label("First name").press_sequentially("Jordan", delay=TYPING_DELAY_MS)
    form.get_by_label("Last name").press_sequentially("Miles", delay=TYPING_DELAY_MS)
    form.get_by_label("Phone number").press_sequentially("555-01", delay=TYPING_DELAY_MS)  # too short
    form.get_by_label("Email address").press_sequentially("jordan.miles@example.org", delay=TYPING_DELAY_MS)
    form.get_by_label("What would you like help with?").press_sequentially(
        "Sharp pain low in my back after my long runs.", delay=TYPING_DELAY_MS
    )
    answer_screening(form)  # "No" to every safety question
    form.get_by_label("I agree that the clinic may contact me").check()
    form.get_by_role("button", name="Send my request").click()

    # The form comes back with what is wrong, still knowing which article the patient came from.
    expect(page).to_have_url(re.compile(r"/request-appointment/$"))
    expect(page.get_by_text("You were reading:")).to_contain_text(article.title)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem with your request")
    expect(summary.get_by_role("link")).to_have_text(["Enter a phone number we can call, like (603) 555-0142."])
    expect(page).to_have_title(re.compile(r"^Error: "))
    phone = page.get_by_label("Phone number")
    expect(phone).to_have_attribute("aria-invalid", "true")
    # Nothing else has to be typed again.
    expect(page.get_by_label("First name")).to_have_value("Jordan")
    expect(page.get_by_label("Email address")).to_have_value("jordan.miles@example.org")
    expect(page.get_by_label("I agree that the clinic may contact me")).to_be_checked()
    expect(screening_question(page, "bladder_bowel").get_by_role("radio", name="No", exact=True)).to_be_checked()
    patient.shot("mistake")

    summary.get_by_role("link").click()
    expect(phone).to_be_focused()
    phone.fill("")
    phone.press_sequentially("(603) 555-0199", delay=TYPING_DELAY_MS)
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your request")
    reference = page.locator(".reference").inner_text()
    patient.shot("confirmation")
    assert patient.csp_violations() == [], patient.console_errors
    assert not [e for e in patient.console_errors if e.startswith("uncaught:")], patient.console_errors

    request = AppointmentRequest.objects.get(reference=reference)
    assert (request.channel, request.source_article, str(request.phone)) == (
        Channel.WEB_FORM,
        article,
        "+16035550199",
    )
    # The real pipeline (Redis and a Celery worker process) puts it on the queue
    # and emails the patient the confirmation the page promised.
    assert wait_until(lambda: Callback.objects.filter(request=request).exists(), 30), pipeline_worker.log()
    assert Callback.objects.get(request=request).assigned_to is None
    assert wait_until(lambda: smtp_server.to("jordan.miles@example.org"), 30), pipeline_worker.log()
    assert reference in smtp_server.to("jordan.miles@example.org")[0]["Subject"]

    # --- the front desk ------------------------------------------------------------
    desk = new_visitor("front-desk")
    page = desk.page
    staff_login(desk, "dana")
    desk.shot("admin-index")
    page.locator("#content-main").get_by_role("link", name="Callbacks", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Callback queue")
    page.locator("#searchbar").fill(reference)
    page.locator("#searchbar").press("Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Jordan Miles")
    desk.shot("queue-search")
    rows.get_by_role("link", name=reference).click()

    expect(page.locator(".callback-actions")).to_contain_text("Nobody is working on this callback yet.")
    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".messagelist")).to_contain_text("You have this callback now.")
    expect(page.locator(".callback-actions")).to_contain_text("You are working on this callback")
    desk.shot("claimed")

    # The patient answers: the console's "Reached" books and logs the call in one step.
    appointment_day = bookable_day(time(10, 30), after=7)
    page.get_by_role("link", name="Reached: book the appointment…").click()
    page.get_by_label("Date").fill(appointment_day.isoformat())
    page.get_by_label("Time").fill("10:30")
    expect(page.get_by_label("Location")).to_have_value(settings.CLINIC_LOCATIONS[0])
    desk.shot("schedule-form")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messagelist")).to_contain_text("Scheduled; the confirmation email is on its way.")
    expect(page.locator(".field-status .readonly")).to_have_text("Scheduled")
    desk.shot("scheduled")

    callback = Callback.objects.get(request=request)
    assert (callback.status, callback.assigned_to, callback.appointment_date, callback.appointment_time) == (
        CallbackStatus.SCHEDULED,
        front_desk,
        appointment_day,
        time(10, 30),
    )
    assert list(callback.attempts.values_list("outcome", "made_by")) == [(CallOutcome.SCHEDULED, front_desk.pk)]
    assert Notification.objects.filter(
        event="appointment_scheduled", request=request, recipient="jordan.miles@example.org"
    ).exists()
    assert wait_until(lambda: len(smtp_server.to("jordan.miles@example.org")) == 2, 30), pipeline_worker.log()
    assert desk.csp_violations() == [], desk.console_errors


@pytest.mark.usefixtures("articles", "supervisor", "broker")
def test_a_supervisor_sees_the_queue_the_staff_and_the_daily_chart_on_the_dashboard(front_desk, new_visitor):
    article = Article.objects.get(slug=ARTICLE_SLUG)
    booked = request_process(request_id=submit(source_article=article).request.pk)
    assert booked is not None
    callback_log_attempt(callback_id=booked.pk, user=front_desk, outcome=CallOutcome.SCHEDULED)
    appointment_schedule(
        callback_id=booked.pk,
        user=front_desk,
        appointment_date=bookable_day(time(9, 0), after=3),
        appointment_time=time(9, 0),
    )
    request_process(request_id=submit().request.pk)  # still waiting for its call

    boss = new_visitor("supervisor")
    page = boss.page
    staff_login(boss, "sam")
    boss.shot("admin-index")
    page.get_by_role("link", name="Supervisor dashboard").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Supervisor dashboard")
    expect(page.locator("#content h2")).to_have_text(
        [
            "Now",
            "How fast we call back",
            "Who is behind",
            "Call attempts per staff member (30 days)",
            "Requests by source article (30 days)",
            "Daily requests and scheduled appointments (30 days)",
        ]
    )
    counts = page.locator("#content .queue-counts li")
    expect(counts.filter(has_text="open")).to_have_text(re.compile(r"^\s*1\s*open"))
    expect(counts.filter(has_text="requests in 24 h")).to_have_text(re.compile(r"^\s*2\s*requests in 24 h"))
    expect(page.get_by_role("row", name=re.compile(r"\(dana\)")).first).to_be_visible()
    expect(page.get_by_role("row", name=article.title)).to_contain_text("100%")

    chart = page.get_by_role("img", name="Requests and scheduled appointments per day for the last 30 days")
    expect(chart).to_be_visible()
    bars = chart.locator("g")
    expect(bars).to_have_count(30)
    today = timezone.localdate()
    expect(bars.last.locator("title")).to_have_text(f"{today:%a} {today.day} {today:%b}: 2 requests, 1 scheduled")
    assert float(bars.last.locator("rect").first.get_attribute("height")) > 0
    boss.shot("dashboard")
    assert boss.csp_violations() == [], boss.console_errors
