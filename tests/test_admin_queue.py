"""The front desk's queue in the admin: order, columns, buttons, and a constant cost at any size."""

import re
from datetime import time, timedelta
from typing import Any

import pytest
from django.contrib import admin as django_admin
from django.contrib.admin import ModelAdmin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.admin.callbacks import CallbackAdmin
from requests_app.models import CallAttempt, Callback, CallbackStatus, Notification, StaffProfile
from requests_app.services.callbacks import callback_claim, callback_close
from requests_app.services.calls import callback_record_outcome
from requests_app.services.pipeline import request_process
from tests.support.appointments import bookable_day
from tests.support.bulk import bulk_callbacks
from tests.support.intake import submit

pytestmark = pytest.mark.django_db

QUEUE = "/admin/requests_app/callback/"


@pytest.fixture
def desk_client(client, front_desk):
    client.force_login(front_desk)
    return client


@pytest.fixture
def callback(db):  # noqa: ARG001 (requested for its effect: database access)
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit(first_name="Quinn").request.pk)
    assert callback is not None
    return callback


def change_url(callback) -> str:
    return f"{QUEUE}{callback.pk}/change/"


def test_the_queue_lists_urgent_first_then_by_due_time_with_its_columns(desk_client):
    routine = request_process(request_id=submit(first_name="Routine").request.pk)
    assert routine is not None
    urgent = request_process(request_id=submit(first_name="Urgent", symptoms=["leg_weakness"]).request.pk)
    assert urgent is not None
    Callback.objects.filter(pk=routine.pk).update(due_at=timezone.now() - timedelta(hours=1))
    html = desk_client.get(QUEUE).content.decode()
    assert html.index(urgent.request.reference) < html.index(routine.request.reference)
    assert "badge-urgent" in html
    assert "overdue by" in html
    head = html[html.index("<thead>") : html.index("</thead>")]
    columns = [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r'<div class="text">(.*?)</div>', head)]
    assert [column for column in columns if column] == [
        "Tier", "Reference", "Patient", "Phone", "Red flags", "Best time", "Due", "Attempts", "Holder", "Status",
    ]  # fmt: skip


def test_the_queue_shows_open_callbacks_by_default(desk_client, front_desk, callback):
    closed = request_process(request_id=submit(first_name="Closed").request.pk)
    assert closed is not None
    callback_close(callback_id=closed.pk, user=front_desk, reason="declined")
    html = desk_client.get(QUEUE).content.decode()
    assert callback.request.reference in html
    assert closed.request.reference not in html
    assert closed.request.reference in desk_client.get(QUEUE + "?queue=all").content.decode()


def test_the_queue_can_be_searched_by_reference_name_phone_and_email(desk_client, callback):
    request = callback.request
    for term in (request.reference, request.last_name, str(request.phone), request.email):
        html = desk_client.get(QUEUE, {"q": term}).content.decode()
        assert request.reference in html, term


@pytest.mark.usefixtures("front_desk")
def test_filters_mine_unassigned_and_overdue(desk_client, callback):
    assert callback.request.reference in desk_client.get(QUEUE + "?who=unassigned").content.decode()
    assert callback.request.reference not in desk_client.get(QUEUE + "?who=mine").content.decode()
    desk_client.post(f"{QUEUE}{callback.pk}/claim/")
    assert callback.request.reference in desk_client.get(QUEUE + "?who=mine").content.decode()
    assert callback.request.reference not in desk_client.get(QUEUE + "?due=overdue").content.decode()


def test_claiming_from_the_change_page(desk_client, front_desk, callback):
    response = desk_client.post(f"{QUEUE}{callback.pk}/claim/", follow=True)
    assert "You have this callback now." in response.content.decode()
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk


def test_a_second_claimer_is_told_who_has_it(client, front_desk, other_front_desk, callback):
    client.force_login(front_desk)
    client.post(f"{QUEUE}{callback.pk}/claim/")
    client.force_login(other_front_desk)
    response = client.post(f"{QUEUE}{callback.pk}/claim/", follow=True)
    assert "Dana is already working on this callback (since " in response.content.decode()


def test_a_call_is_logged_with_one_click_on_the_console_through_the_service(desk_client, front_desk, callback):
    page = desk_client.get(change_url(callback)).content.decode()
    # No inline attempt formset any more: the console's buttons are the one way to log a call.
    assert "attempts-TOTAL_FORMS" not in page
    assert f'action="{QUEUE}{callback.pk}/outcome/"' in page
    response = desk_client.post(f"{QUEUE}{callback.pk}/outcome/", {"outcome": "no_answer", "note": "rang twice"})
    assert response.status_code == 302
    attempt = CallAttempt.objects.get()
    assert (attempt.made_by, attempt.outcome, attempt.note) == (front_desk, "no_answer", "rang twice")
    callback.refresh_from_db()
    assert callback.attempt_count == 1
    assert callback.status == CallbackStatus.IN_PROGRESS


def test_scheduling_from_the_admin_queues_the_confirmation(desk_client, callback, settings):
    settings.CLINIC_LOCATIONS = ["Room 1", "Room 2"]
    day = bookable_day(time(10, 30), after=2)
    response = desk_client.post(
        f"{QUEUE}{callback.pk}/schedule/",
        {"appointment_date": day.isoformat(), "appointment_time": "10:30", "location": "Room 1", "note": ""},
    )
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
    assert callback.appointment_time == time(10, 30)
    assert Notification.objects.filter(event="appointment_scheduled").exists()


def test_a_bad_schedule_form_shows_the_error(desk_client, callback):
    response = desk_client.post(
        f"{QUEUE}{callback.pk}/schedule/", {"appointment_date": "2020-01-01", "appointment_time": "25:00"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose today or a later date." in html
    assert "Enter a valid time." in html


def test_closing_from_the_admin_records_the_reason_and_says_so(desk_client, callback):
    response = desk_client.post(f"{QUEUE}{callback.pk}/close/", {"reason": "not_a_patient"}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(callback)
    assert "Closed." in response.content.decode()
    callback.refresh_from_db()
    assert (callback.status, callback.closing_reason) == (CallbackStatus.CLOSED, "not_a_patient")


def test_a_refused_close_shows_who_holds_the_callback_on_the_form_and_changes_nothing(
    client, front_desk, other_front_desk, callback
):
    callback_claim(callback_id=callback.pk, user=front_desk)
    client.force_login(other_front_desk)
    response = client.post(f"{QUEUE}{callback.pk}/close/", {"reason": "declined"})
    assert response.status_code == 200
    assert "Dana is already working on this callback (since " in response.content.decode()
    callback.refresh_from_db()
    assert (callback.status, callback.assigned_to) == (CallbackStatus.IN_PROGRESS, front_desk)


def test_the_request_details_are_read_only_for_the_desk(desk_client, callback):
    html = desk_client.get(change_url(callback)).content.decode()
    assert 'name="first_name"' not in html
    assert 'name="assigned_to"' not in html
    assert "Quinn" in html


def test_a_supervisor_can_reassign(client, supervisor, other_front_desk, callback):
    client.force_login(supervisor)
    html = client.get(change_url(callback)).content.decode()
    assert 'name="assigned_to"' in html
    data = {
        "assigned_to": str(other_front_desk.pk),
        "attempts-TOTAL_FORMS": "0",
        "attempts-INITIAL_FORMS": "0",
        "attempts-MIN_NUM_FORMS": "0",
        "attempts-MAX_NUM_FORMS": "50",
        "_save": "Save",
    }
    assert client.post(change_url(callback), data).status_code == 302
    callback.refresh_from_db()
    assert callback.assigned_to == other_front_desk


def test_changes_made_in_the_admin_are_in_the_history_with_who(desk_client, front_desk, callback):
    desk_client.post(f"{QUEUE}{callback.pk}/claim/")
    latest = Callback.history.filter(id=callback.pk).latest("history_date")
    assert latest.history_user == front_desk
    assert desk_client.get(f"{QUEUE}{callback.pk}/history/").status_code == 200


def test_the_admin_index_shows_open_overdue_and_urgent_counts(desk_client, callback):
    Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now() - timedelta(hours=1))
    html = desk_client.get("/admin/").content.decode()
    assert re.search(r"<strong>1</strong>open", html)
    assert re.search(r"<strong>1</strong>overdue", html)
    assert re.search(r"<strong>0</strong>urgent", html)


def _queue_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(QUEUE).status_code == 200
    return [q["sql"] for q in context.captured_queries]


def test_the_queue_page_makes_the_same_number_of_queries_at_any_size_and_counts_no_whole_table(
    desk_client, front_desk, other_front_desk
):
    # Rows with everything the queue shows: red flags, a best time, a holder, a lapsed claim, calls made.

    StaffProfile.objects.update(on_shift=False)
    shapes: list[dict[str, Any]] = [
        {"symptoms": ["saddle_numbness"]},
        {"best_time_slots": ["morning"], "best_days": ["tue"]},
        {},
    ]
    shown = None
    for index, fields in enumerate(shapes):
        shown = request_process(request_id=submit(**fields).request.pk)
        assert shown is not None
        callback_record_outcome(callback_id=shown.pk, user=(front_desk, other_front_desk)[index % 2], outcome="busy")
    assert shown is not None
    Callback.objects.filter(pk=shown.pk).update(holder_active_at=timezone.now() - timedelta(days=1))
    bulk_callbacks(60)
    small = _queue_queries(desk_client)
    bulk_callbacks(1500)
    large = _queue_queries(desk_client)
    assert len(small) == len(large)
    for sql in large:
        if "COUNT(" in sql.upper():
            assert "LIMIT" in sql.upper(), sql


def test_the_queue_s_row_checkbox_is_the_admin_s_own_html_written_out(desk_client, callback):
    admin = CallbackAdmin(Callback, django_admin.site)
    ours = admin.action_checkbox(callback)
    assert ours == ModelAdmin.action_checkbox(admin, callback)
    assert f'value="{callback.pk}"' in ours
    page = desk_client.get("/admin/requests_app/callback/").content.decode()
    assert ours in page
