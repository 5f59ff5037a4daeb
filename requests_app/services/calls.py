"""The call console's actions: what came of a call in one click, and the next call to make.

Each is built from the callback services (`requests_app.services.callbacks`),
which lock the callback and ask the policy with the acting user, so a click
and a colleague's claim cannot cross, and the admin and any other door get
the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from requests_app.formatting import short_moment
from requests_app.models import CallAttempt, Callback, CallOutcome, ClosingReason, Priority, RequestNote
from requests_app.policy import Action, HeldByAnother, claim_lapse, require
from requests_app.selectors import DUE_SOON, best_time_is_now
from requests_app.services import callbacks
from requests_app.services.appointments import appointment_schedule
from requests_app.services.callbacks import CallbackError

# The outcomes the console logs in one click. "Reached: appointment scheduled"
# is not one of them: it comes with the booking (`callback_schedule_on_call`).
ONE_CLICK_OUTCOMES = (
    CallOutcome.NO_ANSWER,
    CallOutcome.VOICEMAIL,
    CallOutcome.BUSY,
    CallOutcome.WRONG_NUMBER,
    CallOutcome.DECLINED,
)

# After a call, the next-call button leaves the callback alone this long, so
# the patient is not rung again a minute later by the colleague at the next desk.
RETRY_AFTER = {
    Priority.EMERGENCY: timedelta(minutes=5),
    Priority.URGENT: timedelta(minutes=15),
    Priority.ROUTINE: timedelta(minutes=30),
}
_CANDIDATE_BATCH = 100


def wrong_number_note(*, phone: str, moment: datetime) -> str:
    return (
        f"Wrong number: {phone} did not reach the patient ({short_moment(moment)}). "
        "Check the number with the patient (by email) before calling again."
    )


def callback_record_outcome(*, callback_id: int, user: User, outcome: str, note: str = "") -> CallAttempt:
    """Log one call and move the callback on, in one transaction.

    - no answer, voicemail, busy: the attempt is logged and the callback is in
      progress; each counts toward "unreachable";
    - wrong number: the same, and a staff note on the request says the number
      must be checked before the next call (it counts toward "unreachable" too);
    - declined: the attempt is logged and the callback closed, reason declined.

    Only the callback's holder (or anyone, when nobody holds it: acting claims
    it) may; the policy refuses anyone else with the holder's name.
    """
    if outcome == CallOutcome.SCHEDULED:
        raise CallbackError("Book the appointment with the scheduling form: it logs the call as well.")
    if outcome not in ONE_CLICK_OUTCOMES:
        raise CallbackError("Choose what happened on the call.")
    note = note.strip()
    with transaction.atomic():
        if outcome == CallOutcome.WRONG_NUMBER:
            # The note must say which number was wrong: read it before anything changes.
            phone = Callback.objects.select_related("request").get(pk=callback_id).request.phone
            clear = wrong_number_note(phone=phone.as_national if phone else "the number", moment=timezone.now())
            note = f"{clear}\n{note}" if note else clear
        attempt = callbacks.callback_log_attempt(callback_id=callback_id, user=user, outcome=outcome, note=note)
        if outcome == CallOutcome.DECLINED:
            callbacks.callback_close(callback_id=callback_id, user=user, reason=ClosingReason.DECLINED)
        elif outcome == CallOutcome.WRONG_NUMBER:
            RequestNote.objects.create(
                request_id=attempt.callback.request_id, kind=RequestNote.Kind.STAFF, body=note, author=user
            )
    return attempt


def callback_schedule_on_call(*, callback_id: int, user: User, call_note: str = "", **booking: Any) -> Callback:
    """The patient answered and booked: log the call ("Reached: appointment scheduled") and book, all or nothing.

    `booking` goes to `appointment_schedule` as it is (date, time, location,
    note); when the booking is refused, the call is not logged either.
    """
    with transaction.atomic():
        callbacks.callback_log_attempt(
            callback_id=callback_id, user=user, outcome=CallOutcome.SCHEDULED, note=call_note.strip()
        )
        return appointment_schedule(callback_id=callback_id, user=user, **booking).callback


def _next_call_queryset(user: User, now: datetime):
    """Open callbacks due by DUE_SOON that `user` may claim, not called within RETRY_AFTER, in queue order."""
    lapsed_before = now - claim_lapse()
    free = (
        Q(assigned_to__isnull=True)
        | Q(assigned_to=user)
        | Q(holder_active_at__lt=lapsed_before)
        | Q(holder_active_at__isnull=True, claimed_at__isnull=True)
        | Q(holder_active_at__isnull=True, claimed_at__lt=lapsed_before)
    )
    last_call = CallAttempt.objects.filter(callback=OuterRef("pk")).order_by("-made_at").values("made_at")[:1]
    rested = Q(last_call_at__isnull=True)
    for priority, wait in RETRY_AFTER.items():
        rested |= Q(priority=priority, last_call_at__lt=now - wait)
    return (
        Callback.objects.open()
        .filter(due_at__lte=now + DUE_SOON)
        .filter(free)
        .annotate(last_call_at=Subquery(last_call))
        .filter(rested)
        .order_by("priority_rank", "due_at", "id")
    )


def _next_call_candidates(user: User, now: datetime) -> Iterator[tuple[int, list, list]]:
    """(id, best time slots, best days) of each candidate, most urgent first, read a batch at a time."""
    queryset = _next_call_queryset(user, now)
    after: tuple[int, datetime, int] | None = None
    while True:
        page = queryset
        if after is not None:
            rank, due, pk = after
            page = page.filter(
                Q(priority_rank__gt=rank)
                | Q(priority_rank=rank, due_at__gt=due)
                | Q(priority_rank=rank, due_at=due, id__gt=pk)
            )
        rows = list(
            page.values_list("pk", "priority_rank", "due_at", "request__best_time_slots", "request__best_days")[
                :_CANDIDATE_BATCH
            ]
        )
        for pk, _, _, slots, days in rows:
            yield pk, slots, days
        if len(rows) < _CANDIDATE_BATCH:
            return
        after = rows[-1][:3]


def callback_next_for(*, user: User) -> Callback | None:
    """Claim for `user` the most urgent callback to call now, and return it; None when there is none.

    The most urgent (emergency, then urgent, then routine; then the earliest
    due) open callback that is due (overdue, or due within DUE_SOON), that
    nobody else holds (nobody, `user`, or a claim that lapsed), that was not
    called within RETRY_AFTER, and whose best time to call is now or who gave
    none. When a colleague claims it first, the next one is tried.
    """
    require(user, Action.VIEW)
    now = timezone.now()
    for callback_id, slots, days in _next_call_candidates(user, now):
        if best_time_is_now(slots=slots, days=days, now=now) is False:
            continue
        try:
            return callbacks.callback_claim(callback_id=callback_id, user=user)
        except HeldByAnother:
            continue  # a colleague claimed it between the read and the lock
        except CallbackError:
            continue  # closed meanwhile
    return None
