"""What the patient is told to do now, by tier: on the confirmation page, in the API answer and in the email.

Emergency: go to an emergency department or call the emergency number now,
and the clinic will also call. Urgent: the clinic calls within an hour of
opening, and these are the signs that would make it an emergency. Routine:
nothing beyond the usual confirmation. The words never repeat the patient's
symptoms (the email is not a secure channel).
"""

from __future__ import annotations

from django.conf import settings

EMERGENCY_SIGNS = (
    "numbness between your legs or around your bottom, new trouble peeing or controlling your bladder or bowels, "
    "or weakness in both legs or a leg that is quickly getting weaker"
)


def guidance_for(priority: str) -> str | None:
    """The advice for a tier ("emergency", "urgent" or "routine"); None for routine."""
    clinic = settings.CLINIC
    if priority == "emergency":
        return (
            f"What you told us can be a sign of a problem that needs emergency care today. Please go to the "
            f"nearest emergency department now, or call {clinic['EMERGENCY_NUMBER']} if you cannot get there "
            f"safely. Do not wait for our call. Our front desk will also call you as soon as they can."
        )
    if priority == "urgent":
        return (
            f"Some of what you told us should be checked soon, so our front desk will call you within an hour "
            f"of opening. If you would rather not wait, call us on {clinic['PHONE']}. Go to the nearest "
            f"emergency department or call {clinic['EMERGENCY_NUMBER']} at once if you get {EMERGENCY_SIGNS}."
        )
    return None


def guidance_title(priority: str) -> str | None:
    return {"emergency": "Go to an emergency department now", "urgent": "We will call you soon"}.get(priority)
