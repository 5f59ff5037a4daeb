"""Building each notification's email from `templates/emails/`.

Every email has a plain-text and an HTML part with the clinic's name, phone
and address. Patient emails never repeat symptoms or the reason for the
visit (email is not a secure channel); staff emails carry the reference,
priority, due time and a link to the admin, never the patient's name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from requests_app.deadlines import expected_callback
from requests_app.formatting import format_moment
from requests_app.models import Notification
from requests_app.selectors import queue_summary, raised_by_repeat
from requests_app.triage.guidance import guidance_for, guidance_title

UNREACHABLE_LINK_SALT = "requests_app.better-time"
UNREACHABLE_LINK_MAX_AGE = timedelta(days=14)

SUBJECTS = {
    "patient_acknowledgement": "We received your appointment request ({reference})",
    "desk_new_request": "New appointment request {reference} ({priority})",
    "urgent_alert": "URGENT appointment request {reference}: call back by {due}",
    "emergency_alert": "EMERGENCY appointment request {reference}: call now",
    "appointment_scheduled": "Your appointment on {appointment}",
    "appointment_rescheduled": "Your appointment has moved to {appointment}",
    "appointment_cancelled": "Your appointment on {appointment} is cancelled",
    "appointment_missed": "We missed you at your appointment ({reference})",
    "appointment_attended": "Thank you for coming in ({reference})",
    "appointment_reminder": "Reminder: your appointment tomorrow, {appointment}",
    "patient_unreachable": "We tried to call you about your appointment request ({reference})",
    "escalation": "Overdue callback {reference} (was due {due})",
    "daily_digest": "Callback queue for {today}",
}


def better_time_token(request_id: int) -> str:
    return signing.dumps({"r": request_id}, salt=UNREACHABLE_LINK_SALT)


def read_better_time_token(token: str) -> int:
    """The request id in a signed link; raises signing.BadSignature if tampered with or expired."""
    data = signing.loads(token, salt=UNREACHABLE_LINK_SALT, max_age=UNREACHABLE_LINK_MAX_AGE)
    return int(data["r"])


def _context(notification: Notification) -> dict:
    context: dict = {"clinic": settings.CLINIC, "site_url": settings.SITE_URL, "event": notification.event}
    request = notification.request
    if request is not None:
        context["request"] = request
        context["reference"] = request.reference
        context["priority"] = request.get_priority_display().lower()
        callback = getattr(request, "callback", None)
        context["callback"] = callback
        if callback is not None:
            context["due"] = format_moment(callback.due_at)
            context["admin_url"] = settings.SITE_URL + reverse("admin:requests_app_callback_change", args=[callback.pk])
            context.update(_appointment_context(notification, callback))
        expected = format_moment(expected_callback(request))
        context.setdefault("due", expected)
        context["expected_call"] = expected
        context["guidance"] = guidance_for(request.priority)
        context["guidance_title"] = guidance_title(request.priority)
        if notification.event in ("urgent_alert", "emergency_alert"):
            context["raised_by_repeat"] = raised_by_repeat(request)
        if notification.event == "patient_unreachable":
            context["better_time_url"] = settings.SITE_URL + reverse(
                "requests_app:better-time", args=[better_time_token(request.pk)]
            )
    if notification.event == "daily_digest":
        context["today"] = timezone.localdate().strftime("%A %-d %B %Y")
        context["summary"] = queue_summary()
        context["dashboard_url"] = settings.SITE_URL + reverse("admin:requests_app_dashboard")
    return context


def _appointment_context(notification: Notification, callback) -> dict:
    """The appointment as the email tells it: as it was when the email was queued (the notification's snapshot).

    An email built without one (a preview, or a row queued before snapshots)
    tells the callback's latest appointment as it is now.
    """
    booking = (notification.context or {}).get("appointment")
    if not booking:
        latest = callback.appointments.order_by("-created_at", "-id").first()
        if latest is None:
            return {}
        booking = latest.snapshot()
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.fromisoformat(booking["starts_at"]).astimezone(zone)
    previous = booking.get("previous_starts_at")
    return {
        "appointment": format_moment(start),
        "appointment_start": start,
        # Added in UTC: added on the clock, it would be an hour off across a change of clocks.
        "appointment_end": (start.astimezone(UTC) + timedelta(minutes=booking["minutes"])).astimezone(zone),
        "appointment_minutes": booking["minutes"],
        "appointment_location": booking["location"],
        "appointment_note": booking.get("note", ""),
        "appointment_uid": booking["uid"],
        "appointment_sequence": booking["sequence"],
        "appointment_cancelled": booking["status"] == "cancelled",
        "previous_appointment": format_moment(datetime.fromisoformat(previous)) if previous else "",
    }


def _mailbox(address: str) -> str:
    return parseaddr(address)[1] or address


def appointment_ics(context: dict, *, attendee: str = "") -> bytes:
    """An iCalendar file for the appointment, in the clinic's time zone.

    Every file about one appointment has its UID; each change has a higher
    SEQUENCE, so a calendar replaces the event it holds rather than adding
    one. A cancellation is METHOD:CANCEL with STATUS:CANCELLED (and the
    patient as the attendee it removes), which takes the event away.
    """
    clinic = settings.CLINIC
    cancelled = context.get("appointment_cancelled", False)
    calendar = Calendar()
    calendar.add("prodid", f"-//{clinic['NAME']}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", context["appointment_uid"])
    event.add("sequence", context["appointment_sequence"])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", f"Appointment at {clinic['NAME']}")
    event.add("dtstart", context["appointment_start"])
    event.add("dtend", context["appointment_end"])
    event.add("dtstamp", timezone.now())
    event.add("location", context["appointment_location"])
    organizer = vCalAddress(f"mailto:{_mailbox(settings.DEFAULT_FROM_EMAIL)}")
    organizer.params["cn"] = clinic["NAME"]
    event.add("organizer", organizer)
    if cancelled and attendee:
        event.add("attendee", vCalAddress(f"mailto:{attendee}"))
    if cancelled:
        description = f"Cancelled. Reference {context['reference']}. To book again, call {clinic['PHONE']}."
    else:
        description = f"Reference {context['reference']}. To change it, call {clinic['PHONE']}."
    event.add("description", description)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# Emails that carry the appointment's calendar file.
WITH_CALENDAR_FILE = ("appointment_scheduled", "appointment_rescheduled", "appointment_cancelled")


def build_email(notification: Notification) -> EmailMultiAlternatives:
    context = _context(notification)
    subject = SUBJECTS[notification.event].format_map(_Defaults(context))
    text = render_to_string(f"emails/{notification.event}.txt", context)
    html = render_to_string(f"emails/{notification.event}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.recipient]
    )
    message.attach_alternative(html, "text/html")
    if notification.event in WITH_CALENDAR_FILE and "appointment_uid" in context:
        method = "CANCEL" if context["appointment_cancelled"] else "PUBLISH"
        ics = appointment_ics(context, attendee=notification.recipient)
        message.attach("appointment.ics", ics, f"text/calendar; method={method}")
    return message


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""
