"""The front desk's actions: claim, release, log attempts, schedule, unreachable, close; escalation and retention."""

import threading
from datetime import date, time, timedelta
from typing import Unpack, cast

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.models import Article, Person
from requests_app.models import (
    Appointment,
    AppointmentRequest,
    CallAttempt,
    Callback,
    CallbackStatus,
    CallOutcome,
    ClosingReason,
    Notification,
    RequestNote,
    RequestStatus,
    RetentionRun,
    StaffProfile,
)
from requests_app.policy import HeldByAnother
from requests_app.selectors import CallbackFilters, callback_list
from requests_app.services import callbacks as services
from requests_app.services.appointments import appointment_schedule, appointment_start
from requests_app.services.pipeline import request_process
from requests_app.services.retention import requests_anonymize_expired
from requests_app.services.supervision import (
    appointments_send_reminders,
    callbacks_escalate_overdue,
    daily_digest_queue,
)
from tests.support.appointments import bookable_day
from tests.support.intake import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def callback(db) -> Callback:  # noqa: ARG001 (requested for its effect: database access)
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    return callback


def test_claiming_gives_the_callback_to_me(callback, front_desk):
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk
    assert callback.status == CallbackStatus.IN_PROGRESS
    assert callback.claimed_at is not None


def test_a_second_claim_is_told_who_has_it_and_since_when_and_changes_nothing(callback, front_desk, other_front_desk):
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    before = Callback.objects.filter(pk=callback.pk).values().get()
    with pytest.raises(services.AlreadyClaimed) as error:
        services.callback_claim(callback_id=callback.pk, user=other_front_desk)
    assert str(error.value).startswith("Dana is already working on this callback (since ")
    assert str(error.value).endswith("Ask them or a supervisor if you need to claim it.")
    assert Callback.objects.filter(pk=callback.pk).values().get() == before


@pytest.mark.django_db(transaction=True)
def test_two_people_claiming_at_once_exactly_one_wins(front_desk, other_front_desk):
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(user):
        try:
            barrier.wait(timeout=10)
            services.callback_claim(callback_id=callback.pk, user=user)
            outcomes[user.username] = "won"
        except services.AlreadyClaimed as error:
            outcomes[user.username] = str(error)
        except Exception as error:  # noqa: BLE001 (on a thread: shown in the assertion below, not lost)
            outcomes[user.username] = f"unexpected {error!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (front_desk, other_front_desk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()).count("won") == 1
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    loser_message = next(outcome for outcome in outcomes.values() if outcome != "won")
    assert winner.title() in loser_message
    callback.refresh_from_db()
    assert callback.assigned_to is not None
    assert callback.assigned_to.username == winner


def test_a_colleague_may_not_release_a_held_callback_but_a_supervisor_may(
    callback, front_desk, other_front_desk, supervisor
):
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    before = Callback.objects.filter(pk=callback.pk).values().get()
    with pytest.raises(HeldByAnother, match="^Dana is already working on this callback"):
        services.callback_release(callback_id=callback.pk, user=other_front_desk)
    assert Callback.objects.filter(pk=callback.pk).values().get() == before

    services.callback_release(callback_id=callback.pk, user=supervisor)
    callback.refresh_from_db()
    assert (callback.assigned_to, callback.claimed_at, callback.holder_active_at) == (None, None, None)
    assert callback.status == CallbackStatus.NEW


def test_a_released_callback_with_calls_made_stays_in_progress_for_the_next_caller(callback, front_desk):
    services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    services.callback_release(callback_id=callback.pk, user=front_desk)
    callback.refresh_from_db()
    assert callback.assigned_to is None
    assert (callback.status, callback.attempt_count) == (CallbackStatus.IN_PROGRESS, 1)


def test_logging_an_attempt_counts_it_and_records_who_and_when(callback, front_desk):
    services.callback_log_attempt(
        callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER, note="rang 8"
    )
    callback.refresh_from_db()
    assert callback.attempt_count == 1
    assert callback.first_attempt_at is not None
    assert callback.status == CallbackStatus.IN_PROGRESS
    attempt = CallAttempt.objects.get()
    assert attempt.made_by == front_desk
    assert attempt.note == "rang 8"


def test_scheduling_closes_the_callback_and_queues_the_confirmation_once(callback, front_desk):
    tomorrow = bookable_day(time(9, 30))
    appointment_schedule(
        callback_id=callback.pk, user=front_desk, appointment_date=tomorrow, appointment_time=time(9, 30),
    )  # fmt: skip
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
    assert callback.closing_reason == ClosingReason.SCHEDULED
    assert callback.request.status == RequestStatus.CLOSED
    assert Notification.objects.filter(event="appointment_scheduled").count() == 1
    with pytest.raises(ValidationError):
        appointment_schedule(
            callback_id=callback.pk, user=front_desk, appointment_date=tomorrow, appointment_time=time(9, 30),
        )  # fmt: skip


def test_an_appointment_in_the_past_is_refused(callback, front_desk):
    with pytest.raises(ValidationError, match="in the future"):
        appointment_schedule(
            callback_id=callback.pk, user=front_desk, appointment_date=date(2020, 1, 1), appointment_time=time(9),
        )  # fmt: skip


def test_unreachable_needs_three_failed_attempts_and_then_emails_the_patient(callback, front_desk):
    for outcome in (CallOutcome.NO_ANSWER, CallOutcome.VOICEMAIL):
        services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=outcome)
    with pytest.raises(ValidationError, match="2 so far"):
        services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.BUSY)
    services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNREACHABLE
    assert Notification.objects.filter(event="patient_unreachable", recipient=callback.request.email).count() == 1


def test_closing_records_the_reason_and_the_note_and_closes_the_request(callback, front_desk):
    services.callback_close(
        callback_id=callback.pk, user=front_desk, reason=ClosingReason.NOT_A_PATIENT, note="  A sales call.  "
    )
    callback.refresh_from_db()
    assert (callback.status, callback.closing_reason) == (CallbackStatus.CLOSED, ClosingReason.NOT_A_PATIENT)
    assert callback.appointment_note == "A sales call."
    assert timezone.now() - callback.closed_at < timedelta(minutes=1)
    assert callback.request.status == RequestStatus.CLOSED


@pytest.mark.parametrize("reason", [ClosingReason.SCHEDULED, ClosingReason.UNREACHABLE, "bored", ""])
def test_closing_without_a_reason_of_its_own_is_refused_and_changes_nothing(callback, front_desk, reason):
    """Scheduling and unreachable have their own actions (a booking, an email); anything else is no reason."""
    before = Callback.objects.filter(pk=callback.pk).values().get()
    with pytest.raises(services.CallbackError) as refused:
        services.callback_close(callback_id=callback.pk, user=front_desk, reason=reason)
    assert refused.value.messages == [
        "Choose why the callback is closed (scheduling and unreachable have their own buttons)."
    ]
    assert Callback.objects.filter(pk=callback.pk).values().get() == before
    assert AppointmentRequest.objects.get(pk=callback.request_id).status == RequestStatus.OPEN


# Every action on a callback, as the desk calls it.
ACTIONS = {
    "claim": lambda cid, user: services.callback_claim(callback_id=cid, user=user),
    "release": lambda cid, user: services.callback_release(callback_id=cid, user=user),
    "log an attempt": lambda cid, user: services.callback_log_attempt(
        callback_id=cid, user=user, outcome=CallOutcome.NO_ANSWER
    ),
    "schedule": lambda cid, user: appointment_schedule(
        callback_id=cid, user=user, appointment_date=bookable_day(), appointment_time=time(10)
    ),
    "mark unreachable": lambda cid, user: services.callback_mark_unreachable(callback_id=cid, user=user),
    "close": lambda cid, user: services.callback_close(callback_id=cid, user=user, reason=ClosingReason.DUPLICATE),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_on_a_closed_callback_is_refused_with_the_reason_and_changes_nothing(callback, front_desk, action):
    for _ in range(3):  # so that "unreachable" is refused for being closed, not for too few calls
        services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    services.callback_close(callback_id=callback.pk, user=front_desk, reason=ClosingReason.DECLINED)
    before = Callback.objects.filter(pk=callback.pk).values().get()
    attempts = CallAttempt.objects.count()
    with pytest.raises(services.CallbackError) as refused:
        ACTIONS[action](callback.pk, front_desk)
    assert refused.value.messages == ["This callback is already closed."]
    assert Callback.objects.filter(pk=callback.pk).values().get() == before
    assert CallAttempt.objects.count() == attempts
    assert not Notification.objects.filter(event__in=["appointment_scheduled", "patient_unreachable"]).exists()


def test_every_change_is_in_the_history_with_who_made_it(callback, front_desk):
    # Outside a web request (a task, a script): the service itself names who acted.
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.BUSY)
    records = Callback.history.filter(id=callback.pk).order_by("history_date")
    assert records.count() >= 3
    assert records.last().status == CallbackStatus.IN_PROGRESS
    assert [r.history_user for r in records][1:] == [front_desk, front_desk]
    attempt_record = CallAttempt.history.get(callback_id=callback.pk)
    assert attempt_record.history_user == front_desk


def test_an_overdue_callback_is_escalated_exactly_once(callback, supervisor):
    Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    assert callbacks_escalate_overdue() == 1
    assert callbacks_escalate_overdue() == 0
    callback.refresh_from_db()
    assert callback.escalated_at is not None
    assert Notification.objects.filter(event="escalation", recipient=supervisor.email).count() == 1


@pytest.mark.usefixtures("supervisor")
def test_a_closed_or_not_yet_due_callback_is_not_escalated(callback, front_desk):
    assert callbacks_escalate_overdue() == 0
    services.callback_close(callback_id=callback.pk, user=front_desk, reason=ClosingReason.DECLINED)
    Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert callbacks_escalate_overdue() == 0


def test_the_day_before_reminder_is_queued_once(callback, front_desk):
    appointment_schedule(
        callback_id=callback.pk, user=front_desk, appointment_date=bookable_day(), appointment_time=time(11),
    )  # fmt: skip
    # Tomorrow at 11, whatever day the tests run (the booking rules are not what this tests).
    tomorrow = timezone.localdate() + timedelta(days=1)
    Appointment.objects.update(starts_at=appointment_start(tomorrow, time(11)))
    assert appointments_send_reminders() == 1
    appointments_send_reminders()
    assert Notification.objects.filter(event="appointment_reminder").count() == 1


def test_the_daily_digest_goes_to_each_supervisor_once_a_day(supervisor):
    daily_digest_queue()
    daily_digest_queue()
    assert Notification.objects.filter(event="daily_digest", recipient=supervisor.email).count() == 1


def test_a_patient_who_was_unreachable_can_give_a_better_time_once(callback, front_desk):
    for _ in range(3):
        services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER)
    services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    assert services.callback_reopen_with_better_time(
        request_id=callback.request_id, best_time_slots=["evening"], best_days=[], note="after work"
    )
    assert not services.callback_reopen_with_better_time(
        request_id=callback.request_id, best_time_slots=["morning"], best_days=[]
    )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.NEW
    assert callback.request.best_time_slots == ["evening"]
    assert "after work" in RequestNote.objects.get(request=callback.request).body


def test_retention_anonymizes_old_closed_requests_and_keeps_the_statistics(callback, front_desk, settings):
    settings.RETENTION_MONTHS = 24
    services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER, note="rang")
    services.callback_close(callback_id=callback.pk, user=front_desk, reason=ClosingReason.DECLINED)
    recent_closed = request_process(request_id=submit().request.pk)
    assert recent_closed is not None
    services.callback_close(callback_id=recent_closed.pk, user=front_desk, reason=ClosingReason.DECLINED)
    old_open = submit().request
    AppointmentRequest.objects.filter(pk__in=[callback.request_id, old_open.pk]).update(
        created_at=timezone.now() - timedelta(days=800)
    )
    Callback.objects.filter(pk=callback.pk).update(closed_at=timezone.now() - timedelta(days=790))

    run = requests_anonymize_expired()

    assert run.anonymized_count == 1
    assert RetentionRun.objects.count() == 1
    old = AppointmentRequest.objects.get(pk=callback.request_id)
    assert old.anonymized_at is not None
    assert old.first_name == "Anonymized" and old.email == "anonymized@invalid" and old.reason == ""
    assert not AppointmentRequest.history.filter(id=old.pk).exists()
    assert CallAttempt.objects.get(callback=callback).note == ""
    # What statistics need stays.
    assert old.priority and old.created_at and old.callback.closing_reason == ClosingReason.DECLINED
    # Open or recent requests are untouched.
    assert AppointmentRequest.objects.get(pk=old_open.pk).anonymized_at is None
    assert AppointmentRequest.objects.get(pk=recent_closed.request_id).anonymized_at is None
    assert requests_anonymize_expired().anonymized_count == 0


def test_retention_counts_from_when_a_request_was_closed_not_from_when_it_arrived(callback, front_desk, settings):
    settings.RETENTION_MONTHS = 24
    AppointmentRequest.objects.filter(pk=callback.request_id).update(created_at=timezone.now() - timedelta(days=760))
    services.callback_close(callback_id=callback.pk, user=front_desk, reason=ClosingReason.DECLINED)
    Callback.objects.filter(pk=callback.pk).update(closed_at=timezone.now() - timedelta(days=1))

    assert requests_anonymize_expired().anonymized_count == 0
    assert AppointmentRequest.objects.get(pk=callback.request_id).anonymized_at is None

    Callback.objects.filter(pk=callback.pk).update(closed_at=timezone.now() - timedelta(days=760))
    assert requests_anonymize_expired().anonymized_count == 1


def test_retention_anonymizes_old_merged_repeats_too(settings):
    settings.RETENTION_MONTHS = 24
    first = submit(phone="+16035550180").request
    repeat = submit(phone="+16035550180", reason="I also have a sore hip").request
    AppointmentRequest.objects.filter(pk=repeat.pk).update(created_at=timezone.now() - timedelta(days=800))

    assert requests_anonymize_expired().anonymized_count == 1

    repeat.refresh_from_db()
    assert repeat.anonymized_at is not None
    assert repeat.reason == "" and repeat.email == "anonymized@invalid"
    assert AppointmentRequest.objects.get(pk=first.pk).anonymized_at is None


# --- which callbacks: "open" and the queue's filters have one home each ----------------------------


def plain_callback(*, status=CallbackStatus.NEW, priority="routine", due_in=timedelta(hours=2), **fields) -> Callback:
    """A callback row written straight to the database (no intake, no pipeline)."""
    request = AppointmentRequest.objects.create(
        first_name="Plain", last_name="Row", phone="+16035550188", email="plain@example.org", consent=True,
        privacy_notice_version="2026-11", channel="api", priority=priority,
    )  # fmt: skip
    closing = {CallbackStatus.CLOSED: ClosingReason.DECLINED, CallbackStatus.UNREACHABLE: ClosingReason.UNREACHABLE}
    return Callback.objects.create(
        request=request, status=status, priority=priority, due_at=timezone.now() + due_in,
        closing_reason=closing.get(status, ""),
        appointment_date=date(2030, 1, 7) if status == CallbackStatus.SCHEDULED else None,
        **fields,
    )  # fmt: skip


def test_open_callbacks_are_the_new_and_in_progress_ones_and_say_so_themselves():
    callbacks = {status: plain_callback(status=status) for status in CallbackStatus.values}
    assert set(Callback.objects.open()) == {callbacks["new"], callbacks["in_progress"]}
    assert {status for status, callback in callbacks.items() if callback.is_open} == {"new", "in_progress"}


def test_bulk_create_and_update_keep_is_open_and_the_tier_s_rank_right():
    """The database computes both columns: writes that skip save() cannot leave them behind."""
    requests = [plain_callback().request for _ in range(2)]
    Callback.objects.filter(request__in=requests).delete()
    Callback.objects.bulk_create(
        [
            Callback(request=requests[0], priority="emergency", due_at=timezone.now()),
            Callback(
                request=requests[1], priority="urgent", status=CallbackStatus.CLOSED, closing_reason="declined",
                due_at=timezone.now(),
            ),
        ]
    )  # fmt: skip

    def rows() -> list[tuple]:
        return list(
            Callback.objects.order_by("request_id").values_list("priority", "priority_rank", "status", "is_open")
        )

    assert rows() == [("emergency", 0, "new", True), ("urgent", 1, "closed", False)]

    Callback.objects.filter(request=requests[0]).update(
        priority="routine", status=CallbackStatus.CLOSED, closing_reason="declined"
    )
    Callback.objects.filter(request=requests[1]).update(priority="emergency", status=CallbackStatus.IN_PROGRESS)
    assert rows() == [("routine", 2, "closed", False), ("emergency", 0, "in_progress", True)]


def test_saving_a_callback_keeps_its_own_is_open_and_rank_in_step_without_a_reload():
    callback = plain_callback(priority="routine")
    callback.status, callback.closing_reason, callback.priority = CallbackStatus.CLOSED, "declined", "urgent"
    callback.save(update_fields=["status", "closing_reason", "priority"])
    assert (callback.is_open, callback.priority_rank) == (False, 1)
    assert Callback.objects.filter(pk=callback.pk, is_open=False, priority_rank=1).exists()


def test_the_queue_s_filters_each_keep_what_they_say(front_desk):
    writer = Person.objects.create(name="A. Writer")
    article = Article.objects.create(
        title="Sore back", slug="sore-back", summary="Why.", body_markdown="Text.", author=writer, reviewer=writer
    )
    mine = plain_callback(status=CallbackStatus.IN_PROGRESS, assigned_to=front_desk)
    overdue = plain_callback(due_in=-timedelta(minutes=5))
    soon = plain_callback(due_in=timedelta(hours=1))
    later = plain_callback(due_in=timedelta(days=2))
    closed = plain_callback(status=CallbackStatus.CLOSED, due_in=-timedelta(days=1))
    AppointmentRequest.objects.filter(pk=later.request_id).update(source_article=article)

    def ids(**filters: Unpack[CallbackFilters]) -> set[int]:
        return set(callback_list(filters=filters).values_list("pk", flat=True))

    everyone = {mine.pk, overdue.pk, soon.pk, later.pk, closed.pk}
    assert ids() == ids(status="all") == everyone
    assert ids(status="open") == everyone - {closed.pk}
    assert ids(status="closed") == {closed.pk}
    assert ids(assigned_to=front_desk) == {mine.pk}
    assert ids(unassigned=True) == everyone - {mine.pk}
    assert ids(overdue=True) == {overdue.pk, closed.pk}
    assert ids(status="open", overdue=True) == {overdue.pk}
    assert ids(due_soon=True) == {soon.pk, mine.pk}
    assert ids(source_article=article.pk) == {later.pk}
    assert ids(unassigned=False, overdue=False) == everyone
    with pytest.raises(ValueError, match="Unknown callback filters: colour"):
        callback_list(filters=cast("CallbackFilters", {"colour": "red"}))  # deliberately no CallbackFilters
    with pytest.raises(ValueError, match="status filter 'shut'"):
        callback_list(filters={"status": "shut"})


@pytest.mark.django_db(transaction=True)
def test_the_migration_to_generated_columns_keeps_every_callback_s_open_state_and_rank_both_ways():
    before = [("requests_app", "0010_appointments")]

    def migrate(targets) -> MigrationExecutor:
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor

    executor = migrate(before)
    apps = executor.loader.project_state(before).apps
    OldRequest, OldCallback = (
        apps.get_model("requests_app", "AppointmentRequest"),
        apps.get_model("requests_app", "Callback"),
    )
    for reference, status, priority, is_open, rank in [
        ("HV-MIG1", "closed", "emergency", False, 0),
        ("HV-MIG2", "new", "urgent", True, 1),
    ]:
        request = OldRequest.objects.create(
            reference=reference,
            first_name="Old",
            last_name="Row",
            phone="+16035550111",
            email="old@example.org",
            consent=True,
            privacy_notice_version="2026-11",
            channel="api",
            priority=priority,
        )
        OldCallback.objects.create(
            request=request, status=status, priority=priority, is_open=is_open, priority_rank=rank,
            due_at=timezone.now(), closing_reason="declined" if status == "closed" else "",
        )  # fmt: skip
    expected = [("HV-MIG1", False, 0), ("HV-MIG2", True, 1)]

    executor = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rows = Callback.objects.order_by("request__reference").values_list("request__reference", "is_open", "priority_rank")
    assert list(rows) == expected

    executor = migrate(before)
    OldCallback = executor.loader.project_state(before).apps.get_model("requests_app", "Callback")
    old_rows = OldCallback.objects.order_by("request__reference")
    assert list(old_rows.values_list("request__reference", "is_open", "priority_rank")) == expected

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
