"""Serializers for the public API. Field names match the form's.

The schema states each input rule (requests_app.api.fields): a string is
checked as sent against the pattern and length the schema shows, so that
what the schema calls valid is accepted and what it calls invalid is refused.
Two rules no schema can state: a phone number must also be one that
libphonenumber calls valid, and an email address must pass Django's validator.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from requests_app.api.fields import (
    MULTI_LINE,
    SINGLE_LINE,
    SINGLE_LINE_NOT_BLANK,
    SLUG_OR_BLANK,
    ClosedObjectSerializer,
    E164PhoneField,
    EmailAddressField,
    FieldsCopiedSerializer,
    PlainTextField,
    StrictTrueField,
    django_validator,
)
from requests_app.business_hours import SLOTS
from requests_app.models import ContactMethod, PainDuration, PatientType
from requests_app.models.intake import REASON_MAX_LENGTH, Priority
from requests_app.opening_hours import DAY_CODES
from requests_app.triage import SYMPTOMS_BY_CODE
from requests_app.triage.screening import ANSWER_CHOICES, QUESTIONS
from requests_app.validation import (
    NAME_MAX_LENGTH,
    no_control_characters,
    plain_email_address,
    require_consent,
    single_line,
)

EMAIL_MAX_LENGTH = 254


@extend_schema_field({"type": "boolean", "enum": [True]})
class ConsentField(StrictTrueField):
    """A boolean that must be true; the schema says so, so that a client knows before it sends."""


# The red-flag screening questions as a serializer with one declared field per question. Made with
# type() so that the fields are declared on the class, built once: DRF copies a serializer's declared
# fields for each instance, and fields added in __init__ were built again (13 of them) for every
# submission, answers or not.
ScreeningSerializer = type(
    "ScreeningSerializer",
    (FieldsCopiedSerializer, ClosedObjectSerializer),
    {
        "__module__": __name__,
        "__doc__": 'The red-flag screening questions, each answered "yes", "no" or "not_sure"; '
        "leave one out to skip it.",
        "unknown_key_message": "Not a screening question.",
        **{
            question.code: serializers.ChoiceField(choices=ANSWER_CHOICES, required=False, help_text=question.text)
            for question in QUESTIONS
        },
    },
)


def _single_line(max_length: int, **kwargs) -> PlainTextField:
    """Optional one-line text: no control characters, tabs or line breaks."""
    return PlainTextField(
        max_length=max_length,
        pattern=SINGLE_LINE,
        required=False,
        allow_blank=True,
        default="",
        validators=[django_validator(single_line)],
        **kwargs,
    )


class AppointmentRequestInputSerializer(FieldsCopiedSerializer):
    first_name = PlainTextField(
        max_length=NAME_MAX_LENGTH,
        pattern=SINGLE_LINE_NOT_BLANK,
        validators=[django_validator(single_line)],
        help_text="One line, not blank; no control characters, tabs or line breaks. The ends are trimmed.",
    )
    last_name = PlainTextField(
        max_length=NAME_MAX_LENGTH,
        pattern=SINGLE_LINE_NOT_BLANK,
        validators=[django_validator(single_line)],
        help_text="One line, not blank; no control characters, tabs or line breaks. The ends are trimmed.",
    )
    phone = E164PhoneField(
        help_text="International (E.164) format only: + then the country code and the number, digits only, like "
        "+16035550142 (the request form also takes national numbers; the API does not). The number must also be "
        "one in use under its country's numbering plan (libphonenumber): +10000000000 matches the pattern and is "
        "refused with 400."
    )
    email = EmailAddressField(
        max_length=EMAIL_MAX_LENGTH,
        validators=[django_validator(plain_email_address)],
        help_text="An address Django's EmailValidator accepts, with no spaces or control characters inside. The "
        "ends are trimmed.",
    )
    reason = PlainTextField(
        max_length=REASON_MAX_LENGTH,
        pattern=MULTI_LINE,
        allow_blank=True,
        required=False,
        default="",
        validators=[django_validator(no_control_characters)],
        help_text="Optional, as on the form: free text about the back pain; email never repeats it. Line breaks "
        "and tabs are fine; other control characters are not.",
    )
    consent = ConsentField(
        help_text="Must be true: the patient agrees to be contacted.", validators=[django_validator(require_consent)]
    )
    preferred_contact = serializers.ChoiceField(choices=ContactMethod.choices, required=False, default="phone")
    best_time_slots = serializers.ListField(
        child=serializers.ChoiceField(choices=[slot.code for slot in SLOTS]), required=False, default=list, max_length=4
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
        'as skipped (the desk asks it on the call). "not_sure" raises the request to at least urgent. Any other '
        "key is refused.",
    )
    pain_duration = serializers.ChoiceField(choices=PainDuration.choices, required=False, allow_blank=True, default="")
    patient_type = serializers.ChoiceField(choices=PatientType.choices, required=False, default="new")
    insurance_note = _single_line(200)
    source_article = PlainTextField(
        max_length=200,
        pattern=SLUG_OR_BLANK,
        required=False,
        allow_blank=True,
        default="",
        help_text="Slug of the article the patient read (letters, digits, - and _), or empty.",
    )
    referrer = _single_line(500)
    campaign = _single_line(100)


class CallbackWindowSerializer(serializers.Serializer):
    by = serializers.DateTimeField(help_text="The latest time the front desk will call.")
    text = serializers.CharField(help_text="The same, in words, on the clinic's clock with its abbreviation.")
    note = serializers.CharField(
        allow_blank=True,
        help_text="Why the call comes when it does, when the patient's best time moved it (else empty).",
    )


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
