"""Forms behind the callback's buttons in the admin."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.utils import timezone

from requests_app.formatting import clinic_zone_abbreviation
from requests_app.models import ClosingReason, Priority
from requests_app.services.priority import REASON_MAX_LENGTH, REASON_REQUIRED

CLOSE_REASONS = [
    (value, label)
    for value, label in ClosingReason.choices
    if value not in (ClosingReason.SCHEDULED, ClosingReason.UNREACHABLE)
]


def location_choices() -> list[tuple[str, str]]:
    """The clinic's locations (settings.CLINIC_LOCATIONS), read when a form is made, not at import."""
    return [(place, place) for place in settings.CLINIC_LOCATIONS]


class ScheduleForm(forms.Form):
    """A date and time on the clinic's clock, a location, a note; a supervisor also sees the hours override."""

    appointment_date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    appointment_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.ChoiceField(label="Location")
    note = forms.CharField(
        label="Note for the patient (optional; it goes into the email)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_reason = forms.CharField(
        label="Outside opening hours or on a closure? Why (supervisors only; kept on record)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave empty unless the time is outside the opening hours on purpose.",
    )

    def __init__(self, *args, supervisor: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Declared above as a ChoiceField; `fields` holds a copy of each declared field, of the same class.
        cast(forms.ChoiceField, self.fields["location"]).choices = location_choices()
        self.fields["location"].initial = settings.CLINIC_LOCATIONS[0]
        minutes = settings.APPOINTMENT_MINUTES
        self.fields["appointment_time"].help_text = (
            f"On the clinic's clock ({settings.TIME_ZONE}, {clinic_zone_abbreviation()} today). "
            f"The appointment lasts {minutes} minutes and must end by closing time."
        )
        if not supervisor:
            del self.fields["override_reason"]

    def clean_appointment_date(self):
        value = self.cleaned_data["appointment_date"]
        if value < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        return value


class RescheduleForm(ScheduleForm):
    """The new date, time and location; the note as it should read from now on."""


class CancelAppointmentForm(forms.Form):
    """Why the appointment is cancelled: kept with it and in its history, never emailed."""

    reason = forms.CharField(
        label="Why is it cancelled? Who asked? (kept on record; the patient's email does not include it)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the appointment is cancelled (who asked, and why)."},
    )


class AttendanceForm(forms.Form):
    """One box to tick: the page says what is recorded and sent, and the desk confirms what they saw."""

    confirmed = forms.BooleanField(error_messages={"required": "Tick the box to confirm."})

    def __init__(self, *args, label: str = "Confirmed", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].label = label


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label="Why is it closed?", choices=CLOSE_REASONS)
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PriorityForm(forms.Form):
    """A supervisor's new tier for the request, and why: both go on the record."""

    priority = forms.ChoiceField(label="New tier", choices=Priority.choices)
    reason = forms.CharField(
        label="Why? (kept with the request and shown to the desk)",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
    )


class TakeOverForm(forms.Form):
    """A supervisor takes a colleague's callback: the reason is kept and shown to the colleague."""

    reason = forms.CharField(
        label="Why are you taking it over? (kept with the callback; the colleague who held it will see it)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why you are taking it over."},
    )
