"""From request to callback: process_new_request is idempotent, assigns fairly and queues the right emails."""

import pytest

from requests_app.emails import build_email
from requests_app.models import Callback, Notification, PipelineRecord, PipelineStatus, Priority, StaffProfile
from requests_app.services.pipeline import pipeline_retry, request_process
from requests_app.tasks import process_new_request
from tests.support.intake import submit

pytestmark = pytest.mark.django_db


def keys(request) -> set[str]:
    return {n.event + ":" + n.recipient for n in Notification.objects.filter(request=request)}


def test_processing_creates_one_callback_and_marks_the_outbox_done():
    request = submit().request
    callback = request_process(request_id=request.pk)
    assert callback is not None
    assert callback.request == request
    assert callback.priority == Priority.ROUTINE
    assert callback.due_at > request.created_at
    assert PipelineRecord.objects.get(request=request).status == PipelineStatus.DONE


def test_running_the_task_twice_creates_one_callback_and_one_set_of_emails():
    request = submit().request
    process_new_request.run(request.pk)
    process_new_request.run(request.pk)
    assert Callback.objects.filter(request=request).count() == 1
    assert Notification.objects.filter(request=request).count() == 2


def test_a_routine_request_emails_the_patient_and_the_front_desk(settings):
    request = submit().request
    request_process(request_id=request.pk)
    assert keys(request) == {
        f"patient_acknowledgement:{request.email}",
        f"desk_new_request:{settings.CLINIC['FRONT_DESK_EMAIL']}",
    }


def test_an_urgent_request_also_alerts_on_shift_desk_and_supervisors_at_once(front_desk, supervisor, other_front_desk):
    StaffProfile.objects.filter(user=other_front_desk).update(on_shift=False)
    request = submit(symptoms=["leg_weakness"]).request
    request_process(request_id=request.pk)
    alerts = set(Notification.objects.filter(request=request, event="urgent_alert").values_list("recipient", flat=True))
    assert alerts == {front_desk.email, supervisor.email}


def test_an_emergency_alerts_everyone_on_shift_every_supervisor_and_superusers_day_or_night(
    front_desk, supervisor, other_front_desk, django_user_model
):
    StaffProfile.objects.filter(user=other_front_desk).update(on_shift=False)
    admin = django_user_model.objects.create_superuser("root", "root@clinic.example", "x")
    request = submit(reason="I can't feel the toilet paper when I wipe").request
    request_process(request_id=request.pk)
    alerts = Notification.objects.filter(request=request, event="emergency_alert")
    assert set(alerts.values_list("recipient", flat=True)) == {front_desk.email, supervisor.email, admin.email}
    assert not Notification.objects.filter(request=request, event="urgent_alert").exists()
    assert request.callback.priority == Priority.EMERGENCY
    assert request.callback.priority_rank == 0


@pytest.mark.usefixtures("supervisor")
def test_callbacks_are_assigned_round_robin_among_front_desk_staff_on_shift(front_desk, other_front_desk):
    callbacks = [request_process(request_id=submit().request.pk) for _ in range(4)]
    assignees = [callback.assigned_to for callback in callbacks if callback is not None]
    assert len(assignees) == 4
    assert assignees[0] != assignees[1]
    assert assignees[0] == assignees[2]
    assert assignees[1] == assignees[3]
    assert set(assignees) == {front_desk, other_front_desk}


@pytest.mark.usefixtures("front_desk")
def test_with_nobody_on_shift_the_callback_waits_for_anyone_to_claim_it():
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    assert callback.assigned_to is None


def test_a_request_that_became_urgent_reprioritises_its_callback():
    request = submit(phone="+16035550160").request
    callback = request_process(request_id=request.pk)
    assert callback is not None
    assert callback.priority == Priority.ROUTINE
    submit(phone="+16035550160", symptoms=["after_trauma"])
    callback = request_process(request_id=request.pk)
    assert callback is not None
    callback.refresh_from_db()
    assert callback.priority == Priority.URGENT
    assert callback.priority_rank == 1
    submit(phone="+16035550160", reason="I can't feel the toilet paper when I wipe")
    callback = request_process(request_id=request.pk)
    assert callback is not None
    callback.refresh_from_db()
    assert callback.priority == Priority.EMERGENCY
    assert callback.priority_rank == 0


def test_processing_a_request_that_no_longer_exists_does_nothing():
    assert request_process(request_id=999_999) is None


def test_the_task_gives_up_after_its_retries_and_the_record_shows_as_failed_with_a_retry(monkeypatch):
    request = submit().request

    def broken(**_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("requests_app.services.pipeline.request_process", broken)
    # celery-types gives push_request the task's own signature; Celery takes the request Context's fields.
    process_new_request.push_request(retries=process_new_request.max_retries)  # type: ignore[call-arg]
    try:
        process_new_request.run(request.pk)
    finally:
        process_new_request.pop_request()
    record = PipelineRecord.objects.get(request=request)
    assert record.status == PipelineStatus.FAILED
    assert "database went away" in record.last_error

    monkeypatch.undo()
    assert pipeline_retry(record_id=record.pk)
    record.refresh_from_db()
    assert record.status == PipelineStatus.PENDING


@pytest.mark.usefixtures("settings")
def test_a_merged_repeat_is_acknowledged_to_its_own_address_and_gets_no_callback_of_its_own():
    first = submit(phone="+16035550170").request
    request_process(request_id=first.pk)
    repeat = submit(phone="+16035550170", email="someone@example.org").request
    assert request_process(request_id=repeat.pk) is None
    assert not Callback.objects.filter(request=repeat).exists()
    assert keys(repeat) == {"patient_acknowledgement:someone@example.org"}
    assert PipelineRecord.objects.get(request=repeat).status == PipelineStatus.DONE
    # The desk's queue holds one callback, the open request's.
    assert Callback.objects.count() == 1


def test_an_alert_raised_by_a_repeat_says_so_and_names_it(supervisor):
    first = submit(phone="+16035550171", reason="Stiff after long runs").request
    request_process(request_id=first.pk)
    repeat = submit(phone="+16035550171", reason="Since this morning I cannot pee at all").request
    request_process(request_id=first.pk)
    alert = Notification.objects.get(request=first, event="emergency_alert", recipient=supervisor.email)
    text = build_email(alert).body
    assert f"Raised by a repeat submission ({repeat.reference}) from the same phone or email: unverified" in text
    assert "Whoever sent it were told to go to an emergency department now" in text
    assert repeat.first_name not in text and repeat.last_name not in text


def test_an_alert_from_the_patients_own_words_does_not_mention_a_repeat(supervisor):
    first = submit(phone="+16035550172", reason="Since this morning I cannot pee at all").request
    request_process(request_id=first.pk)
    submit(phone="+16035550172", reason="Also my numb saddle area")
    request_process(request_id=first.pk)
    alert = Notification.objects.get(request=first, event="emergency_alert", recipient=supervisor.email)
    text = build_email(alert).body
    assert "repeat" not in text
    assert "They were told to go to an emergency department now" in text
