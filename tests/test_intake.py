"""The intake service: one code path for the form and the API."""

import hashlib
import re
from datetime import timedelta

import pytest
import redis
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import (
    AppointmentRequest,
    PipelineRecord,
    PipelineStatus,
    Priority,
    RequestNote,
    RequestStatus,
)
from requests_app.services.pipeline import pipeline_republish_stale
from tests.conftest import point_celery_at
from tests.support.intake import patient_fields, submit
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db


def test_a_request_is_stored_with_a_readable_unguessable_reference_and_an_outbox_record():
    result = submit()
    request = result.request
    assert not result.merged
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", request.reference)
    assert request.reference != str(request.pk)
    assert request.status == RequestStatus.OPEN
    assert request.priority == Priority.ROUTINE
    assert PipelineRecord.objects.get(request=request).status == PipelineStatus.PENDING


def test_references_differ_between_requests():
    references = {submit().request.reference for _ in range(20)}
    assert len(references) == 20


def test_phone_numbers_are_stored_in_e164():
    request = submit(phone="(603) 555-0142").request
    request.refresh_from_db()
    assert str(request.phone) == "+16035550142"


def test_red_flags_set_the_tier_and_are_recorded_with_the_patients_words():
    request = submit(reason="Numbness in my groin since the weekend", symptoms=["leg_weakness"]).request
    assert request.priority == Priority.EMERGENCY
    assert {"saddle_numbness", "leg_weakness"} <= set(request.red_flags)
    quoted = [row for row in request.triage_evidence if row["source"] == "text"]
    assert quoted == [
        {"flag": "saddle_numbness", "source": "text", "quote": "Numbness in my groin", "start": 0, "end": 20}
    ]


def test_an_urgent_flag_alone_makes_the_request_urgent_not_emergency():
    request = submit(reason="Pain shooting down my right leg when I run").request
    assert request.priority == Priority.URGENT
    assert request.red_flags == ["radiating_leg_pain"]


def test_screening_answers_are_recorded_and_a_yes_raises_the_tier():
    request = submit(screening={"bladder_bowel": "yes", "fever": "no"}).request
    assert request.priority == Priority.EMERGENCY
    assert request.screening == {"bladder_bowel": "yes", "fever": "no"}
    assert request.red_flags == ["bladder_bowel"]


def test_not_sure_raises_a_routine_request_to_urgent_and_is_kept_for_the_desk():
    request = submit(screening={"saddle_numbness": "not_sure"}).request
    assert request.priority == Priority.URGENT
    assert request.red_flags == []
    assert {"flag": "", "source": "screening", "question": "saddle_numbness", "answer": "not_sure"} in (
        request.triage_evidence
    )


def test_unknown_screening_questions_and_answers_are_dropped():
    request = submit(screening={"made_up": "yes", "fever": "maybe"}).request
    assert request.screening == {}
    assert request.priority == Priority.ROUTINE


def test_the_client_ip_is_stored_only_as_a_keyed_hash(settings):
    request = submit(client_ip="203.0.113.7").request
    same_client = submit(client_ip="203.0.113.7").request
    other_client = submit(client_ip="203.0.113.8").request
    settings.IP_HASH_SALT = "another-deployment-s-key"
    other_key = submit(client_ip="203.0.113.7").request

    assert re.fullmatch(r"[0-9a-f]{64}", request.ip_hash)
    assert request.ip_hash == same_client.ip_hash, "one client, one hash"
    assert other_client.ip_hash != request.ip_hash
    # Keyed: not the bare hash anyone can compute for every address, and another key gives another hash.
    assert request.ip_hash != hashlib.sha256(b"203.0.113.7").hexdigest()
    assert other_key.ip_hash != request.ip_hash


def test_a_repeat_from_the_same_phone_is_a_row_of_its_own_merged_into_the_open_request_as_a_note():
    first = submit(phone="+16035550111", email="a@example.org").request
    again = submit(phone="+16035550111", email="other@example.org", reason="Also my hip hurts now")

    assert again.merged
    repeat = again.request
    assert repeat.pk != first.pk
    assert repeat.reference != first.reference
    assert repeat.status == RequestStatus.MERGED
    assert repeat.merged_into_id == first.pk
    note = RequestNote.objects.get(request=first)
    assert note.body.startswith(f"Another submission ({repeat.reference}) came from the same phone, unverified")
    assert "Also my hip hurts now" in note.body
    # The open request's pipeline is not run again for a routine repeat; the repeat has its own record.
    assert PipelineRecord.objects.filter(request=first).count() == 1
    assert PipelineRecord.objects.filter(request=repeat).count() == 1


def test_a_repeat_from_the_same_email_in_another_case_is_merged():
    first = submit(email="Casey@Example.org").request
    again = submit(email="casey@example.org")
    assert again.request.merged_into_id == first.pk
    assert "came from the same email, unverified" in RequestNote.objects.get(request=first).body


def test_a_repeat_with_new_red_flags_makes_the_open_request_urgent_and_runs_the_pipeline_again():
    first = submit(phone="+16035550112").request
    again = submit(phone="+16035550112", reason="Now I have pins and needles in my foot")

    first.refresh_from_db()
    assert again.request.merged_into_id == first.pk
    assert first.priority == Priority.URGENT
    assert first.red_flags == ["leg_numbness"]
    assert PipelineRecord.objects.filter(request=first).count() == 2
    # The evidence on the open request names the repeat it came from.
    assert {row.get("repeat") for row in first.triage_evidence} == {again.request.reference}


def test_a_repeat_can_raise_a_request_to_emergency():
    first = submit(phone="+16035550114", reason="Pain shooting down my leg").request
    submit(phone="+16035550114", reason="Since this morning I cannot pee at all")
    first.refresh_from_db()
    assert first.priority == Priority.EMERGENCY
    assert first.red_flags == ["radiating_leg_pain", "bladder_bowel"]


def test_a_routine_repeat_never_lowers_the_open_requests_tier():
    first = submit(phone="+16035550115", reason="Numbness in my groin since the weekend").request
    again = submit(phone="+16035550115", reason="Just wanted to add my insurance details")
    first.refresh_from_db()
    assert first.priority == Priority.EMERGENCY
    # The repeat's own row has what the repeat itself showed, nothing of the first request.
    assert again.request.priority == Priority.ROUTINE
    assert PipelineRecord.objects.filter(request=first).count() == 1


def test_a_closed_request_is_not_merged_into():
    first = submit(phone="+16035550113").request
    AppointmentRequest.objects.filter(pk=first.pk).update(status=RequestStatus.CLOSED)
    again = submit(phone="+16035550113")
    assert not again.merged
    assert again.request.status == RequestStatus.OPEN


def test_a_merged_repeat_is_never_merged_into():
    first = submit(phone="+16035550116").request
    submit(phone="+16035550116")
    third = submit(phone="+16035550116").request
    assert third.merged_into_id == first.pk


def test_an_open_request_older_than_fourteen_days_is_not_merged_into():
    first = submit(phone="+16035550114").request
    AppointmentRequest.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=15))
    assert not submit(phone="+16035550114").merged


@pytest.mark.usefixtures("broker")
def test_a_new_patients_submission_asks_once_for_an_open_request_and_writes_nothing_after_the_publish(
    django_capture_on_commit_callbacks,
):
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        request = submit().request
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    # One look for an open request by phone or email, the request, its history row, its outbox record.
    assert [sql.split()[0] for sql in statements] == ["SELECT", "INSERT", "INSERT", "INSERT"]
    assert "pipelinerecord" in statements[-1]
    # Written as published; the publish went through, so nothing wrote it again.
    record = PipelineRecord.objects.get(request=request)
    assert record.published_at is not None
    assert pipeline_republish_stale() == 0


def test_a_repeat_is_found_by_phone_or_by_email_alone_and_not_by_a_closed_request():
    by_phone = submit(phone="+16035550117").request
    by_email = submit(email="Casey@Example.org").request
    assert submit(phone="+16035550117").request.merged_into_id == by_phone.pk
    assert submit(email="casey@example.ORG").request.merged_into_id == by_email.pk
    AppointmentRequest.objects.filter(pk=by_phone.pk).update(status=RequestStatus.CLOSED)
    assert not submit(phone="+16035550117").merged


@pytest.mark.usefixtures("broker")
def test_the_pipeline_is_told_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit()
    assert len(callbacks) == 1


@pytest.mark.usefixtures("settings")
def test_a_request_saved_while_redis_is_down_is_kept_and_republished_later(django_capture_on_commit_callbacks, broker):
    point_celery_at(f"redis://127.0.0.1:{free_port()}/0")
    with django_capture_on_commit_callbacks(execute=True):
        request = submit().request
    record = PipelineRecord.objects.get(request=request)
    assert record.published_at is None
    assert record.status == PipelineStatus.PENDING

    point_celery_at(broker)
    PipelineRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert pipeline_republish_stale() == 1
    record.refresh_from_db()
    assert record.published_at is not None

    assert redis.Redis.from_url(broker).llen("celery") == 1


def test_an_invalid_email_is_refused_by_the_service_itself():
    with pytest.raises(ValidationError):
        submit(email="not-an-email")
    assert AppointmentRequest.objects.count() == 0


def test_fields_outside_the_patient_data_are_not_accepted():
    with pytest.raises(TypeError):
        submit(priority="urgent")
    assert patient_fields()["consent"] is True


def test_a_repeat_from_a_shared_phone_names_its_sender_in_the_note():
    first = submit(phone="+16035550115", first_name="Pat", last_name="Lee").request
    submit(phone="+16035550115", first_name="Chris", last_name="Lee", email="chris@example.org")
    assert "Chris Lee" in RequestNote.objects.get(request=first).body


@pytest.mark.usefixtures("broker")
def test_a_published_record_waiting_behind_a_backlog_is_not_published_again_too_soon():
    request = submit().request
    record = PipelineRecord.objects.get(request=request)
    PipelineRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(seconds=30), published_at=timezone.now() - timedelta(seconds=30)
    )
    assert pipeline_republish_stale() == 0
    PipelineRecord.objects.filter(pk=record.pk).update(published_at=None)
    assert pipeline_republish_stale() == 1
