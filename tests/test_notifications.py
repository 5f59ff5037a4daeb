"""Email through a real SMTP server: delivered once, retried when the server is down, nothing private to staff."""

import email.policy
import time as time_module
from datetime import time, timedelta

import pytest
from django.core import signing
from django.utils import timezone
from icalendar import Calendar

from requests_app.emails import better_time_token
from requests_app.models import CallbackStatus, CallOutcome, Notification, NotificationStatus, StaffProfile
from requests_app.services import callbacks as services
from requests_app.services import notifications
from requests_app.services.appointments import appointment_schedule
from requests_app.services.notifications import (
    MAX_ATTEMPTS,
    SendError,
    notification_publish,
    notification_retry,
    notification_send,
    notification_sweep,
)
from requests_app.services.pipeline import request_process
from requests_app.triage import RED_FLAGS
from tests.conftest import point_celery_at
from tests.fault.helpers import queued_tasks
from tests.support.appointments import bookable_day
from tests.support.intake import submit
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db

PATIENT_SECRET_REASON = "Numbness in my groin and my left leg gives way since the Wolfeboro trail race"
# Words of this patient's own account, and the labels triage gives their symptoms.
PRIVATE_WORDS = ("wolfeboro", "left leg gives way", "numbness in my groin")


def send_all() -> list[str]:
    return [
        notification_send(notification_id=pk) for pk in Notification.objects.order_by("pk").values_list("pk", flat=True)
    ]


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.fixture
def urgent_request(front_desk, supervisor):  # noqa: ARG001 (requested for its effect: the staff the request notifies)
    request = submit(first_name="Morgan", last_name="Quill", reason=PATIENT_SECRET_REASON).request
    request_process(request_id=request.pk)
    return request


def test_every_email_of_a_new_urgent_request_is_delivered_with_both_parts(smtp_server, urgent_request, settings):
    assert send_all() == ["sent"] * Notification.objects.count()
    recipients = {m["X-Envelope-To"] for m in smtp_server.messages}
    assert recipients == {
        urgent_request.email,
        settings.CLINIC["FRONT_DESK_EMAIL"],
        "dana@clinic.example",
        "sam@clinic.example",
    }
    for message in smtp_server.messages:
        text, html = parts(message)
        assert urgent_request.reference in message["Subject"]
        assert settings.CLINIC["PHONE"] in text and settings.CLINIC["NAME"] in text
        assert "<html" in html
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 4


def test_the_acknowledgement_gives_what_happens_next_and_guidance_but_never_the_symptoms(smtp_server, urgent_request):
    send_all()
    [ack] = smtp_server.to(urgent_request.email)
    text, html = parts(ack)
    assert ack["Subject"] == f"We received your appointment request ({urgent_request.reference})"
    assert "What happens next" in text
    assert "emergency department" in text

    labels = tuple(flag.label.lower() for flag in RED_FLAGS) + tuple(flag.reason.lower()[:40] for flag in RED_FLAGS)
    for secret in PRIVATE_WORDS + labels:
        assert secret not in text.lower() and secret not in html.lower(), secret


@pytest.mark.usefixtures("settings")
def test_staff_emails_name_no_patient_and_no_symptom(smtp_server, urgent_request):
    send_all()
    staff = [m for m in smtp_server.messages if urgent_request.email not in m["X-Envelope-To"]]
    assert len(staff) == 3
    for message in staff:
        text, html = parts(message)
        everything = (message["Subject"] + text + html).lower()
        for private in ("morgan", "quill", urgent_request.email, "numbness", "groin", "+1603", *PRIVATE_WORDS):
            assert private.lower() not in everything, (private, message["Subject"])
        assert urgent_request.reference in text
        assert "/admin/requests_app/callback/" in text


def test_a_notification_sent_twice_is_delivered_once(smtp_server, urgent_request):
    ack = Notification.objects.get(event="patient_acknowledgement")
    assert notification_send(notification_id=ack.pk) == "sent"
    assert notification_send(notification_id=ack.pk) == "skipped"
    assert len(smtp_server.to(urgent_request.email)) == 1


@pytest.mark.usefixtures("urgent_request")
def test_emails_sent_one_after_another_share_one_smtp_connection(smtp_server):
    before = smtp_server.sessions

    results = send_all()

    assert len(results) >= 3 and set(results) == {"sent"}  # acknowledgement, desk copy, urgent alerts
    assert len(smtp_server.messages) == len(results)
    assert smtp_server.sessions - before == 1


@pytest.mark.usefixtures("urgent_request")
def test_a_kept_connection_the_server_dropped_is_replaced_and_the_email_delivered_once(smtp_server):
    ack, desk = Notification.objects.order_by("pk").filter(event__in=["patient_acknowledgement", "desk_new_request"])
    assert notification_send(notification_id=ack.pk) == "sent"
    smtp_server.stop()  # the server restarts: the kept connection is dead
    smtp_server.start()

    assert notification_send(notification_id=desk.pk) == "sent"

    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [ack.recipient, desk.recipient]


@pytest.mark.usefixtures("urgent_request")
def test_a_kept_connection_idle_too_long_is_not_used_again(smtp_server, monkeypatch):
    ack, desk = Notification.objects.order_by("pk").filter(event__in=["patient_acknowledgement", "desk_new_request"])
    assert notification_send(notification_id=ack.pk) == "sent"
    monkeypatch.setattr(notifications, "SMTP_REUSE_IDLE_SECONDS", 0)
    before = smtp_server.sessions

    assert notification_send(notification_id=desk.pk) == "sent"

    assert smtp_server.sessions - before == 1


def test_when_the_smtp_server_is_down_the_email_waits_and_is_delivered_after_it_returns(smtp_server, urgent_request):
    ack = Notification.objects.get(event="patient_acknowledgement")
    smtp_server.stop()
    with pytest.raises(SendError):
        notification_send(notification_id=ack.pk)
    ack.refresh_from_db()
    assert ack.status == NotificationStatus.PENDING
    assert ack.attempts == 1
    assert ack.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"  # what the outbox page shows
    assert ack.next_attempt_at is not None
    assert ack.next_attempt_at > timezone.now()

    smtp_server.start()
    assert notification_send(notification_id=ack.pk) == "sent"
    assert len(smtp_server.to(urgent_request.email)) == 1


def test_after_the_last_attempt_the_email_is_failed_and_can_be_retried_from_the_admin(smtp_server, urgent_request):
    ack = Notification.objects.get(event="patient_acknowledgement")
    Notification.objects.filter(pk=ack.pk).update(attempts=MAX_ATTEMPTS - 1)
    smtp_server.stop()
    assert notification_send(notification_id=ack.pk) == "failed"
    ack.refresh_from_db()
    assert ack.status == NotificationStatus.FAILED

    smtp_server.start()
    assert notification_retry(notification_id=ack.pk)
    assert notification_send(notification_id=ack.pk) == "sent"
    assert len(smtp_server.to(urgent_request.email)) == 1


@pytest.mark.usefixtures("smtp_server", "urgent_request", "broker")
def test_the_sweep_requeues_a_row_left_sending_by_a_dead_worker():
    ack = Notification.objects.get(event="patient_acknowledgement")
    Notification.objects.filter(pk=ack.pk).update(
        status=NotificationStatus.SENDING,
        sending_since=timezone.now() - timedelta(minutes=10),
        created_at=timezone.now() - timedelta(minutes=10),
    )
    assert notification_sweep() >= 1
    ack.refresh_from_db()
    assert ack.status == NotificationStatus.PENDING
    assert notification_send(notification_id=ack.pk) == "sent"


def test_an_email_the_broker_refused_goes_out_at_the_next_sweep_not_minutes_later(urgent_request, broker):
    ack = Notification.objects.get(event="patient_acknowledgement")
    point_celery_at(f"redis://127.0.0.1:{free_port()}/0")  # Redis is down

    assert notification_publish(ack.pk) is False

    ack.refresh_from_db()
    assert ack.unqueued_at is not None
    # The request's other rows were published seconds before the refusal, perhaps into the dying
    # connection: they are suspect too, and queued again (a send claims a row once, so none goes twice).
    rows = set(Notification.objects.filter(request=urgent_request).values_list("pk", flat=True))
    assert set(Notification.objects.filter(unqueued_at__isnull=False).values_list("pk", flat=True)) == rows
    point_celery_at(broker)  # Redis is back; the rows are seconds old, far from stale
    assert notification_sweep() == len(rows)
    assert ("requests_app.tasks.send_notification", f"[{ack.pk}]") in queued_tasks(broker)
    ack.refresh_from_db()
    assert ack.unqueued_at is None
    assert notification_sweep() == 0, "published once; not again at every sweep"


@pytest.mark.usefixtures("urgent_request", "broker")
def test_a_refused_publish_suspects_only_the_rows_published_just_before_it():
    ack = Notification.objects.get(event="patient_acknowledgement")
    old = Notification.objects.exclude(pk=ack.pk).first()
    assert old is not None
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(seconds=30))
    point_celery_at(f"redis://127.0.0.1:{free_port()}/0")  # Redis is down

    assert notification_publish(ack.pk) is False

    old.refresh_from_db()
    assert old.unqueued_at is None, "published 30 s before Redis went: it went through"


@pytest.mark.usefixtures("urgent_request")
def test_the_sweep_leaves_a_fresh_published_row_to_its_task(broker):
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() >= 1

    assert notification_sweep() == 0
    assert queued_tasks(broker) == []


@pytest.mark.usefixtures("urgent_request", "broker")
def test_the_sweep_leaves_rows_waiting_for_their_backoff_alone():
    ack = Notification.objects.get(event="patient_acknowledgement")
    Notification.objects.filter(pk=ack.pk).update(
        created_at=timezone.now() - timedelta(minutes=10), next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    Notification.objects.exclude(pk=ack.pk).update(status=NotificationStatus.SENT)
    assert notification_sweep() == 0


def test_the_scheduling_confirmation_carries_a_calendar_file_in_the_clinics_time_zone(
    smtp_server, front_desk, settings
):
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    settings.CLINIC_LOCATIONS = ["Room 1", "Room 2"]
    day = bookable_day(time(14, 30), after=3)
    appointment_schedule(
        callback_id=callback.pk, user=front_desk, appointment_date=day, appointment_time=time(14, 30), location="Room 2"
    )
    Notification.objects.exclude(event="appointment_scheduled").update(status=NotificationStatus.SENT)
    send_all()
    [message] = smtp_server.to(callback.request.email)
    text, _ = parts(message)
    assert "Room 2" in text and "How to prepare" in text and settings.CLINIC["PHONE"] in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "appointment.ics"
    calendar = Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.tzinfo is not None
    assert str(start.tzinfo) == settings.TIME_ZONE
    assert (start.date(), start.hour, start.minute) == (day, 14, 30)


def test_the_unreachable_email_links_to_a_page_that_changes_nothing_on_get(smtp_server, client, front_desk):
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    for _ in range(3):
        services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    Notification.objects.exclude(event="patient_unreachable").update(status=NotificationStatus.SENT)
    send_all()
    [message] = smtp_server.to(callback.request.email)
    text, _ = parts(message)
    url = next(line for line in text.splitlines() if "/better-time/" in line).strip()
    path = url.split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)  # what a mail scanner does
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNREACHABLE

    first = client.post("/" + path, {"best_time_slots": ["evening"]})
    assert "We will try to call you again" in first.content.decode()
    second = client.post("/" + path, {"best_time_slots": ["morning"]})
    assert "We already have your request" in second.content.decode()
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.NEW
    assert callback.request.best_time_slots == ["evening"]


@pytest.mark.usefixtures("settings")
def test_a_tampered_or_expired_better_time_link_is_refused(client):
    request = submit().request
    token = better_time_token(request.pk)
    assert client.get(f"/request-appointment/better-time/{token[:-2]}xx/").status_code == 404
    old = signing.TimestampSigner(salt="requests_app.better-time")
    expired = signing.dumps({"r": request.pk}, salt="requests_app.better-time")

    real_time = time_module.time
    try:
        time_module.time = lambda: real_time() + 15 * 24 * 3600
        response = client.post(f"/request-appointment/better-time/{expired}/", {"best_time_slots": ["evening"]})
    finally:
        time_module.time = real_time
    assert response.status_code == 410
    assert old is not None


@pytest.mark.usefixtures("urgent_request")
def test_email_messages_parse_with_the_standard_library(smtp_server):
    send_all()
    for message in smtp_server.messages:
        assert message.policy == email.policy.default
        assert message["Message-ID"]


def test_an_address_that_would_break_a_header_fails_at_once_with_the_reason(smtp_server, urgent_request):
    """Stored before addresses were checked: a vertical tab in a quoted local part splits the To: line."""
    Notification.objects.filter(recipient=urgent_request.email).update(recipient='"a\x0bb"@example.org')
    bad = Notification.objects.get(recipient='"a\x0bb"@example.org')
    assert notification_send(notification_id=bad.pk) == "failed"
    bad.refresh_from_db()
    assert bad.status == NotificationStatus.FAILED
    assert bad.attempts <= 1
    assert "invisible characters" in bad.last_error
    assert smtp_server.to('"a\x0bb"@example.org') == []
