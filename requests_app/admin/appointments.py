"""The appointment's pages in the admin: reschedule, cancel, no-show, attended.

Each is a small form page on CallbackAdmin's `_form_view` (GET shows it,
POST calls one service in `requests_app.services.appointments`, which
decides who may), so the call console can link to any of them. Registered
by CallbackAdmin.get_urls through `appointment_urls`; booking the first
appointment is CallbackAdmin's own schedule page (ScheduleForm, the same
service).
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from requests_app.admin.forms import AttendanceForm, CancelAppointmentForm, RescheduleForm
from requests_app.formatting import clinic_local, format_moment
from requests_app.models import Appointment, AppointmentStatus, Callback, CallbackStatus
from requests_app.policy import Action, allowed, is_front_desk, is_supervisor
from requests_app.services import appointments as services

# (path under the callback, URL name after "requests_app_callback_").
PAGES = (
    ("reschedule", "reschedule"),
    ("cancel", "cancel"),
    ("no-show", "no_show"),
    ("attended", "attended"),
)


def latest_appointment(callback_id: int) -> Appointment | None:
    return Appointment.objects.filter(callback_id=callback_id).order_by("-created_at", "-id").first()


def _when(appointment: Appointment) -> str:
    return f"{format_moment(appointment.starts_at)}, {appointment.location}"


def reschedule_view(model_admin, request, pk):
    current = latest_appointment(pk)

    def initial(_callback):
        if current is None or not current.is_booked:
            return None
        local = clinic_local(current.starts_at)
        return {
            "appointment_date": local.date(),
            "appointment_time": local.time().replace(tzinfo=None),
            "location": current.location,
            "note": current.note,
        }

    def handle(callback, data):
        before = current.sequence if current else None
        appointment = services.appointment_reschedule(
            callback_id=callback.pk,
            user=request.user,
            appointment_date=data["appointment_date"],
            appointment_time=data["appointment_time"],
            location=data["location"],
            note=data["note"],
            override_reason=data.get("override_reason", ""),
        )
        if appointment.sequence == before:
            model_admin.message_user(request, f"Nothing to move: it is already {_when(appointment)}.", messages.INFO)
        else:
            model_admin.message_user(
                request,
                f"Moved to {_when(appointment)}; the patient is emailed the new time and an updated calendar file.",
                messages.SUCCESS,
            )

    title = "Reschedule the appointment"
    if current is not None and current.is_booked:
        title += f" (now {format_moment(current.starts_at)})"
    form = partial(RescheduleForm, supervisor=is_supervisor(request.user))
    return model_admin._form_view(request, pk, form, title, handle, initial=initial)


def cancel_view(model_admin, request, pk):
    def handle(callback, data):
        appointment = services.appointment_cancel(callback_id=callback.pk, user=request.user, reason=data["reason"])
        model_admin.message_user(
            request,
            f"Cancelled the appointment of {format_moment(appointment.starts_at)}; the patient is emailed, with how "
            "to book again and a calendar file that removes it.",
            messages.SUCCESS,
        )

    current = latest_appointment(pk)
    title = "Cancel the appointment"
    if current is not None and current.is_booked:
        title += f" of {format_moment(current.starts_at)}"
    return model_admin._form_view(request, pk, CancelAppointmentForm, title, handle)


def _outcome_view(model_admin, request, pk, *, outcome: str):
    no_show = outcome == AppointmentStatus.NO_SHOW
    record = services.appointment_mark_no_show if no_show else services.appointment_mark_attended

    def handle(callback, _data):  # the form is one box the desk must tick: nothing else to read
        appointment = record(callback_id=callback.pk, user=request.user)
        what = "did not come" if no_show else "came"
        model_admin.message_user(
            request, f"Recorded: the patient {what} ({format_moment(appointment.starts_at)}).", messages.SUCCESS
        )

    current = latest_appointment(pk)
    when = f" ({format_moment(current.starts_at)})" if current is not None else ""
    if no_show:
        title = f"Record that the patient did not come{when}"
        lead = "The patient is emailed, kindly, that we missed them and how to book again."
    else:
        title = f"Record that the patient came{when}"
        lead = "The patient is emailed a short thank-you with the clinic's phone number."
    lead += " If this corrects an earlier record (came after all, or did not), no email is sent."
    label = "Yes, the patient did not come" if no_show else "Yes, the patient came"
    return model_admin._form_view(request, pk, partial(AttendanceForm, label=label), title, handle, lead=lead)


def no_show_view(model_admin, request, pk):
    return _outcome_view(model_admin, request, pk, outcome=AppointmentStatus.NO_SHOW)


def attended_view(model_admin, request, pk):
    return _outcome_view(model_admin, request, pk, outcome=AppointmentStatus.ATTENDED)


VIEWS = {
    "reschedule": reschedule_view,
    "cancel": cancel_view,
    "no_show": no_show_view,
    "attended": attended_view,
}


def appointment_urls(model_admin) -> list[URLPattern]:
    """The pages under a callback: `<pk>/schedule/`, `<pk>/no-show/`..., named `requests_app_callback_<name>`."""
    return [
        path(
            f"<int:pk>/{route}/",
            model_admin.admin_site.admin_view(partial(VIEWS[name], model_admin)),
            name=f"requests_app_callback_{name}",
        )
        for route, name in PAGES
    ]


def appointment_console_context(callback: Callback, user) -> dict:
    """What the call console shows about the callback's appointment, and which of its pages to link to.

    `appointment`: the latest one (or None); `appointment_live`: it is booked;
    `appointment_when`: "Tuesday 8 December at 10:30 am EST"; `appointment_status`:
    its label; `appointment_links`: [(label, url)] of the pages this user may use now.
    """
    appointment = latest_appointment(callback.pk)
    live = appointment is not None and appointment.is_booked
    now = timezone.now()
    desk = is_front_desk(user)
    links: list[tuple[str, str]] = []

    def link(name: str, label: str) -> None:
        links.append((label, reverse(f"admin:requests_app_callback_{name}", args=[callback.pk])))

    bookable = callback.is_open or (callback.status == CallbackStatus.SCHEDULED and not live)
    if desk and bookable and allowed(user, Action.WORK, callback, now):
        link("schedule", "Book again…" if appointment is not None else "Mark scheduled…")
    if live and allowed(user, Action.WORK, callback, now):
        link("reschedule", "Reschedule…")
        link("cancel", "Cancel the appointment…")
    recordable = appointment is not None and appointment.status != AppointmentStatus.CANCELLED
    if appointment is not None and recordable and allowed(user, Action.RECORD_ATTENDANCE, callback, now):
        on_the_day = clinic_local(now).date() >= clinic_local(appointment.starts_at).date()
        if appointment.status != AppointmentStatus.ATTENDED and on_the_day:
            link("attended", "Attended…")
        if appointment.status != AppointmentStatus.NO_SHOW and now >= appointment.starts_at:
            link("no_show", "No-show…")
    return {
        "appointment": appointment,
        "appointment_live": live,
        "appointment_when": format_moment(appointment.starts_at) if appointment else "",
        "appointment_status": appointment.get_status_display() if appointment else "",
        "appointment_links": links,
    }
