"""Building each notification's email from `templates/emails/`.

Every email has a plain-text and an HTML part with the clinic's name, phone
and address. Patient emails never repeat symptoms or the reason for the
visit (email is not a secure channel); staff emails carry the reference,
priority, due time and a link to the admin, never the patient's name.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Notification

UNREACHABLE_LINK_SALT = "requests_app.better-time"
UNREACHABLE_LINK_MAX_AGE = timedelta(days=14)

SUBJECTS = {
    "patient_acknowledgement": "We received your appointment request ({reference})",
    "desk_new_request": "New appointment request {reference} ({priority})",
    "urgent_alert": "URGENT appointment request {reference}: call back by {due}",
    "emergency_alert": "EMERGENCY appointment request {reference}: call now",
    "appointment_scheduled": "Your appointment on {appointment}",
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


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))


def format_moment(moment: datetime) -> str:
    local = _local(moment)
    return local.strftime("%A %-d %B at %-I:%M %p").replace("AM", "am").replace("PM", "pm")


def _context(notification: Notification) -> dict:
    from requests_app.selectors import queue_summary, raised_by_repeat
    from requests_app.services.intake import expected_callback, patient_guidance
    from requests_app.triage.guidance import guidance_title

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
            if callback.appointment_date and callback.appointment_time:
                start = timezone.make_aware(
                    datetime.combine(callback.appointment_date, callback.appointment_time),
                    ZoneInfo(settings.TIME_ZONE),
                )
                context["appointment_start"] = start
                context["appointment"] = format_moment(start)
        else:
            context["due"] = format_moment(expected_callback(request))
        context["expected_call"] = format_moment(expected_callback(request))
        context["guidance"] = patient_guidance(request)
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


def appointment_ics(context: dict) -> bytes:
    """An iCalendar file for the appointment, in the clinic's time zone."""
    from icalendar import Calendar, Event

    clinic = settings.CLINIC
    start = context["appointment_start"]
    calendar = Calendar()
    calendar.add("prodid", f"-//{clinic['NAME']}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{context['reference']}@{settings.SITE_URL.split('://')[-1]}")
    event.add("summary", f"Appointment at {clinic['NAME']}")
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=45))
    event.add("dtstamp", timezone.now())
    event.add("location", context["callback"].appointment_location)
    event.add("description", f"Reference {context['reference']}. To change it, call {clinic['PHONE']}.")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def build_email(notification: Notification) -> EmailMultiAlternatives:
    context = _context(notification)
    subject = SUBJECTS[notification.event].format_map(_Defaults(context))
    text = render_to_string(f"emails/{notification.event}.txt", context)
    html = render_to_string(f"emails/{notification.event}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.recipient]
    )
    message.attach_alternative(html, "text/html")
    if notification.event == "appointment_scheduled":
        message.attach("appointment.ics", appointment_ics(context), "text/calendar; method=PUBLISH")
    return message


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""
