"""Staff shifts: who is on shift gets new callbacks round-robin (services/pipeline.py)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from requests_app.models import StaffProfile
from requests_app.policy import Action, require


def staff_profile_ensure(*, user: User) -> StaffProfile:
    """The staff member's profile, created (off shift) if they have none yet."""
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    return profile


def staff_set_on_shift(*, user: User, on_shift: bool) -> StaffProfile:
    """`user` goes on or off shift. Only the front desk (supervisors included) take callbacks, so only they may.

    A staff member without a profile gets one. The history keeps who changed it and when.
    """
    require(user, Action.VIEW)
    with transaction.atomic():
        staff_profile_ensure(user=user)
        profile = StaffProfile.objects.select_for_update().get(user=user)
        if profile.on_shift != on_shift:
            profile.on_shift = on_shift
            profile._change_reason = "On shift" if on_shift else "Off shift"
            profile.save(update_fields=["on_shift"])
    return profile
