"""Who may do what to a callback: the one authorization policy.

The services call `require()` with the acting user before they change
anything, so the admin, the staff API and tasks cannot differ. The admin and
the API may also ask `allowed()` to decide which buttons to show, never to
decide what happens.

Roles come from permissions (the groups in `roles.py` hold them):

- front desk: `work_callback`; supervisors hold it too;
- supervisor: `supervise_callback`;
- a superuser is both, everywhere (alerts and escalations included).

Ownership: a callback's holder (`assigned_to`) is the only person who works
it: logs attempts, schedules, reschedules, cancels, marks it unreachable or
closes it. Acting on a callback nobody holds claims it. A claim lapses after
CALLBACK_CLAIM_LAPSE_MINUTES without activity by its holder, and the callback
is anyone's again. A supervisor who must act on a held callback takes it
over first, with a reason (audited); nobody steps on a colleague's call by
accident, not even a supervisor.

The same holds for the appointment a callback booked: rescheduling and
cancelling it is work on the callback (its holder, or anyone once the claim
lapsed). Whether the patient came or not is a fact seen at reception, on
the appointment's day, usually long after the booking: anyone on the front
desk records it (Action.RECORD_ATTENDANCE), holder or not, and doing so
claims nothing.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from requests_app.formatting import clinic_time

WORK_PERMISSION = "work_callback"
SUPERVISE_PERMISSION = "supervise_callback"


class Action(enum.StrEnum):
    VIEW = "view"
    CLAIM = "claim"
    RELEASE = "release"
    # Log an attempt, schedule, reschedule, cancel, record attendance, unreachable, close.
    WORK = "work"
    TAKE_OVER = "take_over"
    REASSIGN = "reassign"
    CHANGE_TIER = "change_tier"
    # Book outside opening hours or on a closure.
    OVERRIDE_HOURS = "override_hours"
    # Record that the patient came to an appointment or did not: whoever is at the desk sees it.
    RECORD_ATTENDANCE = "record_attendance"


class NotAllowed(PermissionDenied):
    """The policy refused: the message says why, and who to ask, for the desk to read."""


class HeldByAnother(NotAllowed):
    """Someone else holds the callback (a conflict with its state, not a missing role: the API answers 409)."""


def is_staff_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def is_front_desk(user) -> bool:
    return is_staff_member(user) and (user.is_superuser or user.has_perm(f"requests_app.{WORK_PERMISSION}"))


def is_supervisor(user) -> bool:
    return is_staff_member(user) and (user.is_superuser or user.has_perm(f"requests_app.{SUPERVISE_PERMISSION}"))


def _holding(codename: str) -> Q:
    """Users who hold the permission through a group or directly, or are superusers (as has_perm says)."""
    return (
        Q(is_superuser=True)
        | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="requests_app")
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="requests_app")
    )


def front_desk_users() -> QuerySet:
    """Active staff who may work callbacks (the same people `is_front_desk` says yes to)."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).filter(_holding(WORK_PERMISSION))
    return get_user_model().objects.filter(pk__in=users.values("pk"))


def supervisor_users() -> QuerySet:
    """Active staff who supervise (the same people `is_supervisor` says yes to), superusers included."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).filter(_holding(SUPERVISE_PERMISSION))
    return get_user_model().objects.filter(pk__in=users.values("pk"))


def claim_lapse() -> timedelta:
    return timedelta(minutes=settings.CALLBACK_CLAIM_LAPSE_MINUTES)


def claim_expires_at(callback) -> datetime | None:
    """When the holder's claim lapses, counted from their last activity on it; None if nobody holds it."""
    if callback.assigned_to_id is None:
        return None
    last = callback.holder_active_at or callback.claimed_at
    if last is None:
        return None
    return last + claim_lapse()


def live_holder_id(callback, now: datetime | None = None) -> int | None:
    """The holder's user id while their claim is live; None when nobody holds it or the claim lapsed."""
    expires = claim_expires_at(callback)
    if expires is None or expires <= (now or timezone.now()):
        return None
    return callback.assigned_to_id


def holder_text(callback) -> str:
    """ "Dana Reyes holds this callback (since 10:12 am EST)": who to talk to."""
    holder = callback.assigned_to
    name = holder.get_full_name() or holder.get_username()
    since = f" (since {clinic_time(callback.claimed_at)})" if callback.claimed_at else ""
    return f"{name} is already working on this callback{since}"


def _decide(user, action: Action, callback, now: datetime | None) -> tuple[str, bool]:
    """(why not, or "" when allowed; whether the reason is a colleague's live claim)."""
    if not is_front_desk(user):
        return "Only the front desk and supervisors work callbacks.", False
    supervisor = is_supervisor(user)
    if action in SUPERVISOR_ONLY:
        return ("" if supervisor else SUPERVISOR_ONLY[action]), False
    if action in (Action.VIEW, Action.RECORD_ATTENDANCE):
        return "", False
    holder = live_holder_id(callback, now)
    if holder is None or holder == user.pk or (action == Action.RELEASE and supervisor):
        return "", False
    what = {Action.CLAIM: "claim it", Action.RELEASE: "release it", Action.WORK: "work on it"}[action]
    ask = "Take it over (with a reason) to" if supervisor else "Ask them or a supervisor if you need to"
    return f"{holder_text(callback)}. {ask} {what}.", True


SUPERVISOR_ONLY = {
    Action.TAKE_OVER: "Only a supervisor can take over a colleague's callback.",
    Action.REASSIGN: "Only a supervisor can give a callback to someone else.",
    Action.CHANGE_TIER: "Only a supervisor can change a request's tier.",
    Action.OVERRIDE_HOURS: "Only a supervisor can book outside opening hours or on a closure.",
}


def refusal(user, action: Action, callback=None, now: datetime | None = None) -> str:
    """Why `user` may not do `action` to `callback` now; "" when they may."""
    return _decide(user, action, callback, now)[0]


def allowed(user, action: Action, callback=None, now: datetime | None = None) -> bool:
    return not refusal(user, action, callback, now)


def require(user, action: Action, callback=None, now: datetime | None = None) -> None:
    """Raise NotAllowed (HeldByAnother when a colleague holds it), with the reason, unless `user` may act now."""
    reason, held = _decide(user, action, callback, now)
    if held:
        raise HeldByAnother(reason)
    if reason:
        raise NotAllowed(reason)
