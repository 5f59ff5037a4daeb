"""Serializers for the public API. Field names match the form's."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from requests_app.business_hours import DAY_CODES, TIME_SLOTS
from requests_app.models import ContactMethod, PainDuration, PatientType
from requests_app.models.intake import REASON_MAX_LENGTH, Priority
from requests_app.triage import SYMPTOMS_BY_CODE
from requests_app.triage.screening import ANSWER_CHOICES, QUESTIONS
from requests_app.validation import (
    NAME_MAX_LENGTH,
    no_control_characters,
    plain_email_address,
    require_consent,
    single_line,
)


def _django_validator(function):
    """Run a Django validator and report its message as a DRF error."""

    def validate(value):
        from django.core.exceptions import ValidationError

        try:
            function(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    return validate


@extend_schema_field({"type": "boolean", "enum": [True]})
class ConsentField(serializers.BooleanField):
    """A boolean that must be true; the schema says so, so that a client knows before it sends."""


class ScreeningSerializer(serializers.Serializer):
    """The red-flag screening questions, each answered "yes", "no" or "not_sure"; leave one out to skip it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.code] = serializers.ChoiceField(
                choices=ANSWER_CHOICES, required=False, help_text=question.text
            )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key)[:50] for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Not a screening question. Known: " + ", ".join(self.fields)] for key in unknown[:5]}
                )
        return super().to_internal_value(data)


class AppointmentRequestInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=NAME_MAX_LENGTH, validators=[_django_validator(single_line)])
    last_name = serializers.CharField(max_length=NAME_MAX_LENGTH, validators=[_django_validator(single_line)])
    phone = PhoneNumberField(region=None, help_text="E.164 (+16035550142) or a national number in the clinic's region.")
    email = serializers.EmailField(max_length=254, validators=[_django_validator(plain_email_address)])
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        allow_blank=True,
        validators=[_django_validator(no_control_characters)],
        help_text="Free text about the back pain; email never repeats it.",
    )
    consent = ConsentField(
        help_text="Must be true: the patient agrees to be contacted.", validators=[_django_validator(require_consent)]
    )
    preferred_contact = serializers.ChoiceField(choices=ContactMethod.choices, required=False, default="phone")
    best_time_slots = serializers.ListField(
        child=serializers.ChoiceField(choices=list(TIME_SLOTS)), required=False, default=list, max_length=4
    )
    best_days = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DAY_CODES)), required=False, default=list, max_length=7
    )
    symptoms = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SYMPTOMS_BY_CODE)), required=False, default=list, max_length=20
    )
    screening = ScreeningSerializer(
        required=False,
        help_text='Red-flag screening: question code -> "yes", "no" or "not_sure". A question left out is recorded '
        'as skipped (the desk asks it on the call). "not_sure" raises the request to at least urgent.',
    )
    pain_duration = serializers.ChoiceField(choices=PainDuration.choices, required=False, allow_blank=True, default="")
    patient_type = serializers.ChoiceField(choices=PatientType.choices, required=False, default="new")
    insurance_note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[_django_validator(single_line)]
    )
    source_article = serializers.SlugField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Slug of the article the patient read."
    )
    referrer = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", validators=[_django_validator(single_line)]
    )
    campaign = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", validators=[_django_validator(single_line)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = settings.PHONENUMBER_DEFAULT_REGION


class CallbackWindowSerializer(serializers.Serializer):
    by = serializers.DateTimeField(help_text="The latest time the front desk will call.")
    text = serializers.CharField(help_text="The same, in words, in the clinic's time zone.")


class AppointmentRequestCreatedSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="This submission's own reference; quote it when calling the clinic.")
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        help_text="Triage's tier for this submission. emergency: go to an emergency department now; urgent: a "
        "call within one business hour; routine: within one business day.",
    )
    urgent = serializers.BooleanField(help_text="True for both raised tiers (emergency and urgent).")
    expected_callback = CallbackWindowSerializer()
    guidance = serializers.CharField(allow_null=True, help_text="What to do now; null for routine.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
