"""/api/v1/staff/callbacks/{id}/...: the appointment's lifecycle, on the same services as the admin.

schedule, reschedule, cancel, no-show, attended: each a POST that calls one
service in `requests_app.services.appointments` and answers with the
callback (its `appointment` says what became of it). The errors are the
staff API's (StaffCallbackViewSet._act): 400 for a time outside the opening
hours or in the past (keyed by field, saying when the clinic is open that
day), 403 when the policy refuses (an hours override by anyone but a
supervisor), 404 for no such callback, 409 when the state does not allow it
(a colleague holds it, nothing is booked, the callback is closed).
"""

from __future__ import annotations

from django.urls import re_path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from requests_app.api.staff import BAD_INPUT, CALLBACK_ID, CONFLICT, ERRORS, TAGS, StaffCallbackViewSet, desk_user
from requests_app.api.staff_serializers import (
    AppointmentCancelInputSerializer,
    CallbackDetailSerializer,
    RescheduleInputSerializer,
    ScheduleInputSerializer,
)
from requests_app.services import appointments as services


class StaffAppointmentViewSet(StaffCallbackViewSet):
    """The appointment's actions (the queue's authentication, permissions, throttle and error answers)."""

    @extend_schema(
        operation_id="staff_callback_schedule",
        summary="Book the appointment",
        description="Closes the callback as scheduled and emails the patient a confirmation with a calendar file. "
        "On a scheduled callback whose appointment was cancelled or missed, books a new one. 409 when the "
        "patient already has a booked appointment (reschedule it) or the callback was closed otherwise.",
        request=ScheduleInputSerializer,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **BAD_INPUT, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    def schedule(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        data = self._input(ScheduleInputSerializer)
        return self._act(
            callback_id,
            lambda: services.appointment_schedule(
                callback_id=callback_id,
                user=desk_user(request),
                appointment_date=data["appointment_date"],
                appointment_time=data["appointment_time"],
                location=data.get("location", ""),
                note=data["note"],
                override_reason=data["override_reason"],
            ),
        )

    @extend_schema(
        operation_id="staff_callback_reschedule",
        summary="Move the booked appointment",
        description="Emails the patient the new time with a calendar file that keeps the appointment's UID with a "
        "higher SEQUENCE (their calendar moves the event). The time and place it already has: nothing changes and "
        "nothing is sent (a retry is safe). 409 when nothing is booked.",
        request=RescheduleInputSerializer,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **BAD_INPUT, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    def reschedule(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        data = self._input(RescheduleInputSerializer)
        return self._act(
            callback_id,
            lambda: services.appointment_reschedule(
                callback_id=callback_id,
                user=desk_user(request),
                appointment_date=data["appointment_date"],
                appointment_time=data["appointment_time"],
                location=data.get("location", ""),
                note=data.get("note"),
                override_reason=data["override_reason"],
            ),
        )

    @extend_schema(
        operation_id="staff_callback_cancel_appointment",
        summary="Cancel the booked appointment",
        description="Emails the patient (how to book again, and a calendar file with METHOD:CANCEL that removes "
        "it); no reminder goes out for it. The reason is kept, never emailed. An appointment already cancelled: "
        "nothing changes and nothing is sent. 409 when nothing is booked.",
        request=AppointmentCancelInputSerializer,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **BAD_INPUT, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    def cancel(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        data = self._input(AppointmentCancelInputSerializer)
        return self._act(
            callback_id,
            lambda: services.appointment_cancel(
                callback_id=callback_id, user=desk_user(request), reason=data["reason"]
            ),
        )

    @extend_schema(
        operation_id="staff_callback_no_show",
        summary="Record that the patient did not come",
        description="From the appointment's start on; anyone on the desk. Emails the patient, kindly, how to book "
        "again (not when it corrects an earlier 'attended'). 409 before the start, or with no booked appointment.",
        request=None,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    def no_show(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        return self._act(
            callback_id, lambda: services.appointment_mark_no_show(callback_id=callback_id, user=desk_user(request))
        )

    @extend_schema(
        operation_id="staff_callback_attended",
        summary="Record that the patient came",
        description="On the appointment's day or later; anyone on the desk. Sends a short thank-you (not when it "
        "corrects an earlier no-show). 409 before the day, or with no booked appointment.",
        request=None,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    def attended(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        return self._act(
            callback_id, lambda: services.appointment_mark_attended(callback_id=callback_id, user=desk_user(request))
        )


# (path under callbacks/<id>/, the view's method), registered before the queue's own routes.
ACTIONS = (
    ("schedule", "schedule"),
    ("reschedule", "reschedule"),
    ("cancel", "cancel"),
    ("no-show", "no_show"),
    ("attended", "attended"),
)

urlpatterns = [
    re_path(
        rf"^callbacks/(?P<pk>[0-9]{{1,18}})/{route}/$",
        StaffAppointmentViewSet.as_view({"post": method}),
        name=f"staff-callback-{route}",
    )
    for route, method in ACTIONS
]
