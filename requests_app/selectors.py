"""Reads for the queue, the dashboard and the digest. No writes here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any, TypedDict

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from requests_app.business_hours import SLOTS_BY_CODE, clinic_opening_hours, keep_best_time
from requests_app.deadlines import clinic_calendar
from requests_app.formatting import clinic_local
from requests_app.models import (
    AppointmentRequest,
    CallAttempt,
    Callback,
    CallbackStatus,
    Priority,
    RequestStatus,
    StaffProfile,
)
from requests_app.models.callbacks import CallbackQuerySet
from requests_app.opening_hours import DAY_CODES
from requests_app.triage.flags import RedFlag, Tier, flag_for
from requests_app.triage.screening import ANSWERS, NOT_SURE, QUESTIONS, SKIPPED, Question


def _requests():
    """Requests as the statistics count them: a repeat merged into an open request is not a new one."""
    return AppointmentRequest.objects.exclude(status=RequestStatus.MERGED)


# --- which callbacks: the queue's filters, one rule each ----------------------------------------

# "Due" for the desk: overdue, or due within this window (the queue's "due in the next 8 hours" filter too).
DUE_SOON = timedelta(hours=8)
# A queue's status filter: the open ones (new or in progress), every one, or one status.
CALLBACK_STATUS_FILTERS = ("open", "all", *CallbackStatus.values)


class CallbackFilters(TypedDict, total=False):
    status: str  # one of CALLBACK_STATUS_FILTERS; no narrowing when left out
    assigned_to: Any  # a user: the callbacks assigned to them
    unassigned: bool  # assigned to nobody
    overdue: bool  # past their due time
    due_soon: bool  # due from now to DUE_SOON ahead
    source_article: int | str  # the id of the article the request came from


def callback_list(
    *, filters: CallbackFilters | None = None, queryset: QuerySet[Callback] | None = None, now: datetime | None = None
) -> CallbackQuerySet:
    """Callbacks narrowed by `filters`: what the admin's queue, the staff API and the dashboard each mean by them.

    `queryset` is narrowed instead of every callback (the admin's changelist,
    with its search and joins). A false or missing filter narrows nothing; an
    unknown status or filter is a ValueError. Not ordered: each door orders
    its own way (all of them in queue order).
    """
    # Read as a plain dict: a caller's keys are checked here, not only by mypy.
    given: dict[str, Any] = dict(filters or {})
    unknown = set(given) - set(CallbackFilters.__annotations__)
    if unknown:
        raise ValueError(f"Unknown callback filters: {', '.join(sorted(unknown))}.")
    callbacks = Callback.objects.all() if queryset is None else queryset
    # Every door's queryset starts from Callback.objects, whose queryset knows open() and overdue().
    if not isinstance(callbacks, CallbackQuerySet):
        raise TypeError(f"callback_list() narrows callbacks from Callback.objects, not a {type(callbacks).__name__}.")
    now = now or timezone.now()
    status = given.get("status", "all")
    if status not in CALLBACK_STATUS_FILTERS:
        raise ValueError(f"Unknown callback status filter {status!r}.")
    if status == "open":
        callbacks = callbacks.open()
    elif status != "all":
        callbacks = callbacks.filter(status=status)
    if given.get("assigned_to") is not None:
        callbacks = callbacks.filter(assigned_to=given["assigned_to"])
    if given.get("unassigned"):
        callbacks = callbacks.filter(assigned_to__isnull=True)
    if given.get("overdue"):
        callbacks = callbacks.overdue(now)
    if given.get("due_soon"):
        callbacks = callbacks.filter(due_at__gte=now, due_at__lt=now + DUE_SOON)
    if given.get("source_article"):
        callbacks = callbacks.filter(request__source_article_id=given["source_article"])
    return callbacks


def queue_summary(*, user=None) -> dict[str, int]:
    """Open, overdue and unassigned callbacks now, the open ones per tier, and requests in the last day.

    `emergency`, `urgent` and `routine` each count one tier only (`urgent`
    does not include emergencies). With `user`, `mine` counts the open
    callbacks assigned to them (the queue's "assigned to: me" filter). One
    query for the callbacks, one for the requests.
    """
    now = timezone.now()
    mine = {"mine": Count("pk", filter=Q(assigned_to=user))} if user is not None else {}
    counts = callback_list(filters={"status": "open"}, now=now).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        emergency=Count("pk", filter=Q(priority=Priority.EMERGENCY)),
        urgent=Count("pk", filter=Q(priority=Priority.URGENT)),
        routine=Count("pk", filter=Q(priority=Priority.ROUTINE)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        **mine,
    )
    counts["last_24h"] = _requests().filter(created_at__gte=now - timedelta(hours=24)).count()
    return counts


def callback_performance(*, days: int) -> dict:
    """Median time to first call attempt, and the share of callbacks reached within their deadline."""
    since = timezone.now() - timedelta(days=days)
    rows = list(
        Callback.objects.filter(created_at__gte=since)
        .annotate(to_first=ExpressionWrapper(F("first_attempt_at") - F("created_at"), output_field=DurationField()))
        .values_list("to_first", "first_attempt_at", "due_at")
    )
    now = timezone.now()
    waits = [to_first for to_first, first, _ in rows if to_first is not None]
    # Only callbacks already called or already due can be judged; one not yet
    # called and not yet due is neither on time nor late.
    judged = [(first, due) for _, first, due in rows if first is not None or due < now]
    on_time = sum(1 for first, due in judged if first is not None and first <= due)
    return {
        "days": days,
        "callbacks": len(rows),
        "median_to_first_attempt": median(waits) if waits else None,
        "within_deadline_share": (on_time / len(judged)) if judged else None,
    }


def requests_by_source_article(*, days: int = 30) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    return list(
        _requests()
        .filter(created_at__gte=since)
        .values("source_article__title")
        .annotate(
            requests=Count("pk"),
            scheduled=Count("pk", filter=Q(callback__status=CallbackStatus.SCHEDULED)),
        )
        .order_by("-requests")
    )


def attempts_by_staff(*, days: int = 30) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    return list(
        CallAttempt.objects.filter(made_at__gte=since, made_by__isnull=False)
        .values("made_by__username", "made_by__first_name", "made_by__last_name")
        .annotate(
            attempts=Count("pk"),
            scheduled=Count("pk", filter=Q(outcome="reached_scheduled")),
        )
        .order_by("-attempts")
    )


def open_callbacks_by_staff() -> list[dict]:
    """Who holds how many open callbacks, and how many of those are overdue: who is behind."""
    now = timezone.now()
    return list(
        callback_list(filters={"status": "open"}, now=now)
        .values("assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by("-overdue", "-open")
    )


def daily_counts(*, days: int = 30) -> list[dict]:
    """Requests received and appointments scheduled per day, oldest first, days without any included."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    received = dict(
        _requests()
        .filter(created_at__date__gte=first)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    scheduled = dict(
        Callback.objects.filter(status=CallbackStatus.SCHEDULED, closed_at__date__gte=first)
        .annotate(day=TruncDate("closed_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        {"day": day, "requests": received.get(day, 0), "scheduled": scheduled.get(day, 0)}
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]


# --- why triage raised a request ------------------------------------------------------------------


@dataclass(frozen=True)
class FlagWithEvidence:
    flag: RedFlag
    # The request's `triage_evidence` rows that raised this flag, as stored.
    evidence: tuple[dict, ...]


@dataclass(frozen=True)
class TriageSummary:
    """What the desk needs to see about a request's triage, read from the stored evidence."""

    flags: tuple[FlagWithEvidence, ...]
    # Every screening question in order, with "yes", "no", "not_sure" or "skipped".
    screening: tuple[tuple[Question, str], ...]
    # Questions the patient was not sure about: the desk asks these first.
    ask_first: tuple[Question, ...]
    # Where the patient's own words raised a flag: merged (start, end) offsets into the reason.
    spans: tuple[tuple[int, int], ...]
    # Words from a repeat submission that raised a flag: they are in its note, not in this reason.
    repeat_quotes: tuple[str, ...]
    # Words from this reason whose offsets no longer point at them (never expected; shown rather than lost).
    unplaced_quotes: tuple[str, ...]


def _placed(row: dict, reason: str) -> tuple[int, int] | None:
    """The row's offsets into `reason`, if they are there and still point at its quote."""
    start, end = row.get("start"), row.get("end")
    if row.get("repeat") or not isinstance(start, int) or not isinstance(end, int):
        return None
    if not 0 <= start < end <= len(reason) or reason[start:end] != row.get("quote", reason[start:end]):
        return None
    return start, end


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching (start, end) spans joined into one, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def request_triage_summary(*, request: AppointmentRequest) -> TriageSummary:
    """The flags with the evidence behind each, the screening answers and what to ask first.

    Flags stored under a code from before the three tiers are shown as the
    flag they became. An evidence row for a flag the request does not list
    (it cannot happen through intake) is still shown under that flag.
    """
    rows = [row for row in request.triage_evidence if isinstance(row, dict)]
    flags: dict[str, RedFlag] = {}
    for code in [*request.red_flags, *(row.get("flag", "") for row in rows)]:
        flag = flag_for(code) if code else None
        if flag is not None:
            flags.setdefault(flag.code, flag)
    evidence: dict[str, list[dict]] = {code: [] for code in flags}
    for row in rows:
        flag = flag_for(row.get("flag", ""))
        if flag is not None:
            evidence[flag.code].append(row)

    answers = request.screening if isinstance(request.screening, dict) else {}
    screening = tuple(
        (question, answers[question.code] if answers.get(question.code) in ANSWERS else SKIPPED)
        for question in QUESTIONS
    )
    unsure = {code for code, answer in answers.items() if answer == NOT_SURE}
    unsure |= {
        row.get("question") for row in rows if row.get("answer") == NOT_SURE and row.get("source") == "screening"
    }
    ask_first = tuple(question for question in QUESTIONS if question.code in unsure)

    reason = request.reason or ""
    placed: list[tuple[int, int]] = []
    repeat_quotes: list[str] = []
    unplaced_quotes: list[str] = []
    for row in rows:
        if row.get("source") != "text":
            continue
        span = _placed(row, reason)
        if span is not None:
            placed.append(span)
            continue
        quotes = repeat_quotes if row.get("repeat") else unplaced_quotes
        if row.get("quote") and row["quote"] not in quotes:
            quotes.append(row["quote"])
    # Sorted by tier (emergency first), then in the order the flags are listed.
    ordered = sorted(flags.values(), key=lambda flag: -flag.tier)
    return TriageSummary(
        flags=tuple(FlagWithEvidence(flag=flag, evidence=tuple(evidence[flag.code])) for flag in ordered),
        screening=screening,
        ask_first=ask_first,
        spans=tuple(merge_spans(placed)),
        repeat_quotes=tuple(repeat_quotes),
        unplaced_quotes=tuple(unplaced_quotes),
    )


def raised_by_repeat(request: AppointmentRequest) -> str:
    """The reference of the repeat submission that raised the request to its tier; "" if its own words did.

    Read from the evidence: a repeat's rows carry its reference. A tier no
    evidence explains (a supervisor raised it) was not raised by a repeat.
    """
    own = Tier.ROUTINE
    repeats: dict[Tier, str] = {}
    for row in request.triage_evidence:
        if not isinstance(row, dict):
            continue
        flag = flag_for(row.get("flag", "")) if row.get("flag") else None
        tier = flag.tier if flag is not None else Tier.URGENT if row.get("answer") == NOT_SURE else Tier.ROUTINE
        reference = row.get("repeat")
        if reference:
            if isinstance(reference, str):
                repeats.setdefault(tier, reference)
        else:
            own = max(own, tier)
    current = Tier.from_code(request.priority)
    return repeats.get(current, "") if current > own else ""


# --- the call console and the next call ------------------------------------------------------------


def best_time_is_now(*, slots, days, now: datetime | None = None) -> bool | None:
    """Whether `now` falls in the patient's best time to call; None when they gave none the clinic keeps.

    The best time is what the clinic keeps of it (`keep_best_time`): a slot or
    a day the clinic is never open in is no preference. A slot runs on the
    clinic's clock, from its start to its end (`business_hours.SLOTS`).
    """
    kept = keep_best_time(clinic_opening_hours(), slots or (), days or ())
    if not kept.kept:
        return None
    local = clinic_local(now or timezone.now())
    if kept.days and DAY_CODES[local.weekday()] not in kept.days:
        return False
    clock = local.time()
    return not kept.slots or any(SLOTS_BY_CODE[code].start <= clock < SLOTS_BY_CODE[code].end for code in kept.slots)


def staff_on_shift(*, user) -> bool:
    """Whether `user` is on shift (gets new callbacks round-robin); a user without a staff profile is not."""
    return bool(StaffProfile.objects.filter(user=user).values_list("on_shift", flat=True).first())


def suggested_appointment(*, request: AppointmentRequest, now: datetime | None = None) -> tuple[date, time] | None:
    """A first guess at the booking: the next opening from tomorrow on inside the patient's best time.

    The start of the first window of their best time the clinic keeps (or of
    the next open period when they gave none); None when the clinic has no
    opening hours in the weeks ahead.
    """
    now = now or timezone.now()
    calendar = clinic_calendar(now)
    tomorrow = datetime.combine(clinic_local(now).date() + timedelta(days=1), time(0), calendar.tz)
    kept = keep_best_time(calendar.hours, request.best_time_slots or (), request.best_days or ())
    windows = calendar.preferred_windows(tomorrow, kept.slots, kept.days) if kept.kept else iter(())
    for start, _ in windows:
        return start.date(), start.time()
    for start, _ in calendar.open_periods(tomorrow):
        return start.date(), start.time()
    return None
