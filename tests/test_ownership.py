"""Ownership of a callback: only its holder works it; a supervisor takes over with a reason; idle claims lapse.

Every action is checked for each role through the services themselves, which
the admin, the staff API and tasks all call.
"""

import json
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from requests_app.formatting import clinic_time
from requests_app.models import Callback, CallbackStatus, CallOutcome, ClosingReason, RequestNote, StaffProfile
from requests_app.policy import HeldByAnother, NotAllowed, front_desk_users, is_supervisor, supervisor_users
from requests_app.services import callbacks as services
from requests_app.services.appointments import appointment_schedule
from requests_app.services.pipeline import request_process, staff_alert_recipients
from requests_app.services.supervision import supervisor_emails
from tests.support.appointments import bookable_day
from tests.support.intake import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def callback(db) -> Callback:  # noqa: ARG001 (requested for its effect: database access)
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit().request.pk)
    assert callback is not None
    return callback


# Each working action, as the desk would call it.
ACTIONS = {
    "log an attempt": lambda cid, user: services.callback_log_attempt(
        callback_id=cid, user=user, outcome=CallOutcome.NO_ANSWER
    ),
    "schedule": lambda cid, user: appointment_schedule(
        callback_id=cid, user=user, appointment_date=bookable_day(), appointment_time=time(10)
    ),
    "mark unreachable": lambda cid, user: services.callback_mark_unreachable(callback_id=cid, user=user),
    "close": lambda cid, user: services.callback_close(callback_id=cid, user=user, reason=ClosingReason.DECLINED),
}


def three_failed_calls(callback: Callback, user) -> None:
    for _ in range(3):
        services.callback_log_attempt(callback_id=callback.pk, user=user, outcome=CallOutcome.NO_ANSWER)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_holder_works_a_callback_a_colleague_is_refused_and_nothing_changes(
    callback, front_desk, other_front_desk, action
):
    three_failed_calls(callback, front_desk)
    before = Callback.objects.filter(pk=callback.pk).values().get()
    with pytest.raises(HeldByAnother) as refused:
        ACTIONS[action](callback.pk, other_front_desk)
    assert "Dana is already working on this callback (since " in str(refused.value)
    assert Callback.objects.filter(pk=callback.pk).values().get() == before
    ACTIONS[action](callback.pk, front_desk)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_supervisor_must_take_over_before_working_a_colleagues_callback(callback, front_desk, supervisor, action):
    three_failed_calls(callback, front_desk)
    with pytest.raises(HeldByAnother) as refused:
        ACTIONS[action](callback.pk, supervisor)
    assert "Take it over (with a reason)" in str(refused.value)
    services.callback_take_over(callback_id=callback.pk, user=supervisor, reason="Dana is on her break.")
    ACTIONS[action](callback.pk, supervisor)
    callback.refresh_from_db()
    assert callback.assigned_to == supervisor


def test_whoever_closes_a_callback_holds_it_so_the_credit_is_theirs(callback, front_desk):
    services.callback_close(callback_id=callback.pk, user=front_desk, reason=ClosingReason.DECLINED)
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk
    assert callback.status == CallbackStatus.CLOSED


def test_acting_on_a_callback_nobody_holds_claims_it(callback, front_desk):
    services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.BUSY)
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk
    assert callback.claimed_at is not None
    assert callback.holder_active_at == callback.claimed_at


def test_staff_without_a_role_cannot_act_on_any_callback(callback, staff_without_group):
    for action in ACTIONS.values():
        with pytest.raises(NotAllowed) as refused:
            action(callback.pk, staff_without_group)
        assert not isinstance(refused.value, HeldByAnother)
    with pytest.raises(NotAllowed):
        services.callback_claim(callback_id=callback.pk, user=staff_without_group)


def test_the_front_desk_cannot_take_over_or_reassign(callback, front_desk, other_front_desk):
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    with pytest.raises(PermissionDenied, match="Only a supervisor can take over"):
        services.callback_take_over(callback_id=callback.pk, user=other_front_desk, reason="I want it")
    with pytest.raises(PermissionDenied, match="Only a supervisor can give a callback"):
        services.callback_reassign(callback_id=callback.pk, user=other_front_desk, to_user=other_front_desk)
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk


def test_a_takeover_needs_a_reason_and_is_recorded_with_who_from_whom_and_why(callback, front_desk, supervisor):
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    with pytest.raises(services.CallbackError):
        services.callback_take_over(callback_id=callback.pk, user=supervisor, reason="  ")
    services.callback_take_over(callback_id=callback.pk, user=supervisor, reason="Patient asked for Sam by name.")

    callback.refresh_from_db()
    assert callback.assigned_to == supervisor
    latest = callback.history.latest()
    assert latest.history_change_reason == "Taken over from Dana: Patient asked for Sam by name."
    note = RequestNote.objects.get(request=callback.request, kind=RequestNote.Kind.STAFF)
    assert note.author == supervisor
    assert note.body == "Sam took this callback over from Dana: Patient asked for Sam by name."


def test_a_reassignment_goes_only_to_the_front_desk(callback, supervisor, staff_without_group, front_desk):
    with pytest.raises(services.CallbackError, match="member of the front desk"):
        services.callback_reassign(callback_id=callback.pk, user=supervisor, to_user=staff_without_group)
    services.callback_reassign(callback_id=callback.pk, user=supervisor, to_user=front_desk)
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk
    assert callback.history.latest().history_change_reason == "Reassigned by sam"


# --- claims that lapse ------------------------------------------------------------------------


def age_activity(callback: Callback, minutes: int) -> None:
    moment = timezone.now() - timedelta(minutes=minutes)
    Callback.objects.filter(pk=callback.pk).update(claimed_at=moment, holder_active_at=moment)


def test_a_claim_idle_past_the_lapse_time_is_anyones_again(callback, front_desk, other_front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    age_activity(callback, 29)
    with pytest.raises(HeldByAnother):
        services.callback_claim(callback_id=callback.pk, user=other_front_desk)
    age_activity(callback, 31)
    services.callback_claim(callback_id=callback.pk, user=other_front_desk)
    callback.refresh_from_db()
    assert callback.assigned_to == other_front_desk


def test_activity_by_the_holder_keeps_the_claim_alive(callback, front_desk, other_front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    age_activity(callback, 20)
    services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.VOICEMAIL)
    # Claimed 40 minutes ago, last active just now: still held.
    Callback.objects.filter(pk=callback.pk).update(claimed_at=timezone.now() - timedelta(minutes=40))
    with pytest.raises(HeldByAnother):
        services.callback_claim(callback_id=callback.pk, user=other_front_desk)
    assert services.callbacks_release_lapsed() == 0


def test_a_holder_who_comes_back_after_the_lapse_holds_it_afresh(callback, front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    age_activity(callback, 40)
    services.callback_log_attempt(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.VOICEMAIL)
    callback.refresh_from_db()
    assert callback.claimed_at == callback.holder_active_at
    assert timezone.now() - callback.claimed_at < timedelta(minutes=1)


def test_the_beat_task_returns_lapsed_claims_to_the_queue_with_a_history_row(callback, front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    live = request_process(request_id=submit().request.pk)
    assert live is not None
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    services.callback_claim(callback_id=live.pk, user=front_desk)
    age_activity(callback, 31)

    assert services.callbacks_release_lapsed() == 1

    callback.refresh_from_db()
    live.refresh_from_db()
    assert callback.assigned_to is None and callback.claimed_at is None
    assert callback.status == CallbackStatus.NEW
    assert callback.history.latest().history_change_reason == "Claim lapsed after 30 min without activity"
    assert live.assigned_to == front_desk
    assert services.callbacks_release_lapsed() == 0


def test_a_round_robin_assignment_nobody_touches_lapses_too(front_desk, settings):
    settings.CALLBACK_CLAIM_LAPSE_MINUTES = 30
    assigned = request_process(request_id=submit().request.pk)
    assert assigned is not None
    assert assigned.assigned_to == front_desk
    Callback.objects.filter(pk=assigned.pk).update(claimed_at=timezone.now() - timedelta(minutes=31))
    assert services.callbacks_release_lapsed() == 1


# --- reopening --------------------------------------------------------------------------------


def test_a_callback_reopened_by_the_patient_is_back_on_the_queue_unassigned_with_a_fresh_count(
    callback, front_desk, other_front_desk
):
    three_failed_calls(callback, front_desk)
    services.callback_mark_unreachable(callback_id=callback.pk, user=front_desk)
    assert services.callback_reopen_with_better_time(
        request_id=callback.request_id, best_time_slots=["morning"], best_days=[]
    )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.NEW
    assert callback.assigned_to is None and callback.claimed_at is None
    assert callback.attempt_count == 0
    assert callback.attempts.count() == 3  # the history stays

    # Anyone can take it; the old attempts do not count toward "unreachable" again.
    services.callback_claim(callback_id=callback.pk, user=other_front_desk)
    services.callback_log_attempt(callback_id=callback.pk, user=other_front_desk, outcome=CallOutcome.NO_ANSWER)
    with pytest.raises(services.CallbackError, match=r"\(1 so far\)"):
        services.callback_mark_unreachable(callback_id=callback.pk, user=other_front_desk)


# --- one definition of each role ------------------------------------------------------------


@pytest.mark.usefixtures("front_desk", "supervisor")
def test_superusers_are_supervisors_everywhere_alerts_and_escalations_included():
    root = User.objects.create_superuser("root", "root@clinic.example", "a-long-test-password-42")
    assert is_supervisor(root)
    assert root in supervisor_users()
    assert root.email in staff_alert_recipients()
    assert root.email in supervisor_emails()


@pytest.mark.usefixtures("other_front_desk", "supervisor")
def test_the_role_querysets_agree_with_the_role_checks(front_desk, staff_without_group):
    User.objects.create_superuser("root", "root@clinic.example", "a-long-test-password-42")
    inactive = User.objects.create_user("gone", is_staff=True, is_active=False)
    inactive.groups.set(front_desk.groups.all())
    users = User.objects.all()
    assert set(front_desk_users()) == {
        u for u in users if u.is_active and u.is_staff and u.has_perm("requests_app.work_callback")
    }
    assert set(supervisor_users()) == {u for u in users if is_supervisor(u)}
    assert staff_without_group not in front_desk_users()
    assert inactive not in front_desk_users()


# --- what the admin shows ----------------------------------------------------------------------

QUEUE = "/admin/requests_app/callback/"
# What the holder of a callback is offered to work it: the outcome buttons, booking, closing.
WORK_BUTTONS = ('name="outcome"', "Reached: book the appointment…", "Close…", "Release</button>")


def test_a_colleague_sees_who_holds_the_callback_and_since_when_with_no_buttons_to_work_it(
    client, callback, front_desk, other_front_desk
):
    client.force_login(other_front_desk)
    unclaimed = client.get(f"{QUEUE}{callback.pk}/change/").content.decode()
    assert "Claim</button>" in unclaimed  # the buttons looked for below, where they are offered
    client.force_login(front_desk)
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    held = client.get(f"{QUEUE}{callback.pk}/change/").content.decode()
    for button in WORK_BUTTONS:
        assert button in held, f"the holder is offered {button}"
    client.force_login(other_front_desk)
    page = client.get(f"{QUEUE}{callback.pk}/change/").content.decode()
    callback.refresh_from_db()

    assert f"<strong>Dana</strong> is working on this callback (since {clinic_time(callback.claimed_at)})" in page
    assert clinic_time(callback.claimed_at).endswith(("EST", "EDT"))
    for button in ("Claim</button>", "Take over…", *WORK_BUTTONS):
        assert button not in page


def test_a_supervisor_takes_over_from_the_admin_with_a_reason(client, callback, front_desk, supervisor):
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    client.force_login(supervisor)
    page = client.get(f"{QUEUE}{callback.pk}/change/").content.decode()
    assert "Take over…" in page
    refused = client.post(f"{QUEUE}{callback.pk}/take-over/", {"reason": ""})
    assert "Say why you are taking it over." in refused.content.decode()
    response = client.post(f"{QUEUE}{callback.pk}/take-over/", {"reason": "Dana went home ill."})
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.assigned_to == supervisor


def test_the_front_desk_cannot_open_the_take_over_page(client, callback, front_desk, other_front_desk):
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    client.force_login(other_front_desk)
    assert client.post(f"{QUEUE}{callback.pk}/take-over/", {"reason": "mine now"}).status_code == 403
    callback.refresh_from_db()
    assert callback.assigned_to == front_desk


def test_a_supervisor_takes_over_through_the_staff_api_and_the_desk_cannot(
    client, callback, front_desk, other_front_desk, supervisor
):
    url = f"/api/v1/staff/callbacks/{callback.pk}/take-over/"
    services.callback_claim(callback_id=callback.pk, user=front_desk)
    client.force_login(other_front_desk)
    body = json.dumps({"reason": "mine now"})
    assert client.post(url, body, content_type="application/json").status_code == 403
    client.force_login(supervisor)
    missing = client.post(url, json.dumps({}), content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["reason"] == ["Say why you are taking it over."]
    taken = client.post(url, json.dumps({"reason": "Dana is at lunch."}), content_type="application/json")
    assert taken.status_code == 200
    assert taken.json()["assigned_to"] is not None
    callback.refresh_from_db()
    assert callback.assigned_to == supervisor
