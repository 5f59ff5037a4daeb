"""The supervisor dashboard: how fast the desk calls back, in words, judged only where it can be."""

from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.formatting import duration_text
from requests_app.models import Callback, CallOutcome, StaffProfile
from requests_app.selectors import callback_performance, daily_counts, queue_summary, requests_by_source_article
from requests_app.services import callbacks as services
from requests_app.services.pipeline import request_process
from tests.support.intake import submit


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (None, "no calls yet"),
        (timedelta(seconds=13), "under a minute"),
        (timedelta(minutes=25, seconds=40), "25 min"),
        (timedelta(hours=3, minutes=10), "3 h 10 min"),
        (timedelta(days=2, hours=4, minutes=5), "2 d 4 h"),
    ],
)
def test_waits_are_said_in_words(duration, text):
    assert duration_text(duration) == text


@pytest.mark.django_db
def test_a_callback_not_yet_called_and_not_yet_due_is_neither_on_time_nor_late(front_desk):
    StaffProfile.objects.update(on_shift=False)
    called = request_process(request_id=submit().request.pk)
    assert called is not None
    request_process(request_id=submit().request.pk)  # waiting, not yet due
    services.callback_log_attempt(callback_id=called.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    assert callback_performance(days=7)["within_deadline_share"] == 1.0

    late = request_process(request_id=submit().request.pk)
    assert late is not None
    Callback.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert callback_performance(days=7)["within_deadline_share"] == 0.5


@pytest.mark.django_db
def test_the_dashboard_renders_for_a_supervisor(client, supervisor):
    request_process(request_id=submit().request.pk)
    client.force_login(supervisor)
    html = client.get("/admin/dashboard/").content.decode()
    for heading in ("How fast we call back", "Who is behind", "Requests by source article", "Daily requests"):
        assert heading in html
    assert html.count("<rect") == 60


@pytest.mark.django_db
def test_a_repeat_merged_into_an_open_request_is_not_counted_as_a_new_request():
    submit(phone="+16035550190")
    submit(phone="+16035550190")
    submit(phone="+16035550191")
    assert queue_summary()["last_24h"] == 2
    assert daily_counts(days=1)[-1]["requests"] == 2
    assert sum(row["requests"] for row in requests_by_source_article()) == 2
