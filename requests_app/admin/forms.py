"""Forms behind the callback's buttons in the admin."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from requests_app.models import ClosingReason, Priority
from requests_app.services.priority import REASON_MAX_LENGTH, REASON_REQUIRED

CLOSE_REASONS = [
    (value, label)
    for value, label in ClosingReason.choices
    if value not in (ClosingReason.SCHEDULED, ClosingReason.UNREACHABLE)
]


class ScheduleForm(forms.Form):
    appointment_date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    appointment_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label="Location", max_length=200, initial="Harbourview clinic, main reception")
    note = forms.CharField(
        label="Note for the patient (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_appointment_date(self):
        value = self.cleaned_data["appointment_date"]
        if value < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        return value


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
