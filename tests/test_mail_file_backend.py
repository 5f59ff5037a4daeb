"""The development mailbox (clinic.mail.EmlFileBackend): one .eml file per email, even when a send is repeated."""

import email
import email.policy
import re

import pytest
from django.core.mail import send_mail

from requests_app.models import Notification, NotificationStatus
from requests_app.services import notifications
from requests_app.services.notifications import notification_send
from requests_app.services.pipeline import request_process
from tests.support.intake import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "clinic.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


@pytest.fixture
def new_request(front_desk):  # noqa: ARG001 (requested for its effect: the desk member the callback is assigned to)
    request = submit(first_name="Morgan", last_name="Quill").request
    request_process(request_id=request.pk)
    return request


def read(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_a_worker_stopped_between_writing_the_file_and_marking_the_row_leaves_one_file(
    mailbox, new_request, monkeypatch
):
    """The send writes the file, then marks the row sent: a stop in between sends it again later."""
    ack = Notification.objects.get(event="patient_acknowledgement")
    mark_sent = notifications._mark_sent

    def worker_stops(_notification_id):
        raise SystemExit(1)  # what the pool process raises on the worker's SIGTERM

    monkeypatch.setattr(notifications, "_mark_sent", worker_stops)
    with pytest.raises(SystemExit):
        notification_send(notification_id=ack.pk)
    ack.refresh_from_db()
    assert ack.status == NotificationStatus.PENDING, "handed back for the next sweep"
    assert len(list(mailbox.glob("*.eml"))) == 1

    monkeypatch.setattr(notifications, "_mark_sent", mark_sent)
    assert notification_send(notification_id=ack.pk) == "sent"

    files = list(mailbox.glob("*.eml"))
    assert len(files) == 1, [path.name for path in files]
    assert sorted(mailbox.iterdir()) == files, "no temporary file left behind"
    message = read(files[0])
    assert message["To"] == new_request.email
    assert new_request.reference in message["Subject"]


@pytest.mark.usefixtures("new_request")
def test_each_email_of_the_outbox_has_its_own_file(mailbox):
    rows = list(Notification.objects.order_by("pk"))
    assert len(rows) >= 2
    assert [notification_send(notification_id=row.pk) for row in rows] == ["sent"] * len(rows)

    files = sorted(mailbox.glob("*.eml"))
    assert [path.name for path in files] == [f"notification-{row.pk:08d}.eml" for row in rows]
    assert [read(path)["To"] for path in files] == [row.recipient for row in rows]


def test_an_email_not_from_the_outbox_is_named_by_time_and_subject(mailbox):
    send_mail("Server error: /admin/", "Traceback...", "clinic@localhost", ["admin@localhost"])
    send_mail("Server error: /admin/", "Traceback...", "clinic@localhost", ["admin@localhost"])

    names = sorted(path.name for path in mailbox.glob("*.eml"))
    assert len(names) == 2
    assert all(re.fullmatch(r"\d{8}-\d{6}-\d{6}-server-error-admin\.eml", name) for name in names), names
