"""Serializers for the staff API: what a callback needs, and the inputs of the desk's actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from requests_app.api.fields import (
    MULTI_LINE,
    MULTI_LINE_NOT_BLANK,
    ClockTimeInputField,
    IsoDateField,
    PlainTextField,
    django_validator,
)
from requests_app.formatting import best_time_text, format_moment
from requests_app.models import Appointment, CallAttempt, Callback, CallOutcome, ClosingReason, Priority
from requests_app.selectors import request_triage_summary
from requests_app.services.priority import REASON_MAX_LENGTH, REASON_REQUIRED
from requests_app.triage import SYMPTOMS_BY_CODE
from requests_app.triage.screening import ANSWERS, QUESTIONS, SKIPPED
from requests_app.validation import no_control_characters

NOTE_MAX_LENGTH = 1000
# Scheduled and unreachable are closings with their own endpoints (and their own emails).
CLOSE_REASONS = [
    (value, label)
    for value, label in ClosingReason.choices
    if value not in (ClosingReason.SCHEDULED, ClosingReason.UNREACHABLE)
]


class CallbackListItemSerializer(serializers.ModelSerializer):
    """One row of the queue: enough to decide whom to call next, and to call them."""

    reference = serializers.CharField(source="request.reference", read_only=True)
    first_name = serializers.CharField(source="request.first_name", read_only=True)
    last_name = serializers.CharField(source="request.last_name", read_only=True)
    phone = serializers.SerializerMethodField(help_text="E.164, e.g. +16035550142.")
    overdue = serializers.SerializerMethodField(help_text="Open and past its due time.")
    assigned_to: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Username of who holds it, or null."
    )
    best_time = serializers.SerializerMethodField(help_text="The patient's best time to call, in words.")
    best_time_slots = serializers.ListField(
        source="request.best_time_slots", child=serializers.CharField(), read_only=True
    )
    best_days = serializers.ListField(source="request.best_days", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Callback
        fields = [
            "id",
            "reference",
            "first_name",
            "last_name",
            "phone",
            "priority",
            "status",
            "due_at",
            "overdue",
            "attempt_count",
            "assigned_to",
            "best_time",
            "best_time_slots",
            "best_days",
        ]
        read_only_fields = fields

    def get_phone(self, obj: Callback) -> str:
        return obj.request.phone.as_e164 if obj.request.phone else ""

    def get_overdue(self, obj: Callback) -> bool:
        return obj.is_open and obj.due_at < self.context.get("now", timezone.now())

    def get_best_time(self, obj: Callback) -> str:
        return best_time_text(obj.request.best_time_slots, obj.request.best_days)


class CallAttemptSerializer(serializers.ModelSerializer):
    made_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = CallAttempt
        fields = ["id", "made_at", "made_by", "outcome", "outcome_label", "note"]
        read_only_fields = fields


# A field named like an attribute of DRF's Field (label, source) is a declared field all the same:
# SerializerMetaclass takes it out of the class body. djangorestframework-stubs type the class body
# as Field's attributes, hence the ignores below.
class LabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


QUESTION_CODES = [question.code for question in QUESTIONS]


class EvidenceSerializer(serializers.Serializer):
    """One reason a flag was raised."""

    source = serializers.ChoiceField(  # type: ignore[assignment]  # declared field (see LabelSerializer)
        choices=["text", "screening", "checklist"],
        help_text="`text`: the patient's words; `screening`: a question answered yes; `checklist`: a ticked box.",
    )
    quote = serializers.CharField(
        default="", help_text="The patient's words that raised the flag (text only; empty otherwise)."
    )
    start = serializers.IntegerField(
        allow_null=True,
        default=None,
        help_text="Where the quote starts in `reason`; null for a screening answer, a ticked box, or words from a "
        "repeat submission (they are in its note, not in this reason).",
    )
    end = serializers.IntegerField(allow_null=True, default=None, help_text="Where the quote ends in `reason`.")


class RedFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # declared field (see LabelSerializer)
    tier = serializers.ChoiceField(choices=Priority.choices, help_text="The tier this flag raises a request to.")
    reason = serializers.CharField(help_text="Why it matters, for the person on the phone.")
    call_script = serializers.CharField(help_text="What to ask first on the call, and when to send to emergency.")
    evidence = EvidenceSerializer(many=True, help_text="Why triage raised it for this request.")


class ScreeningAnswerSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=QUESTION_CODES, help_text="The question's code.")
    question = serializers.CharField(help_text="The question as the patient saw it.")
    answer = serializers.ChoiceField(
        choices=[*ANSWERS, SKIPPED], help_text="`skipped`: not answered; ask it on the call."
    )


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "nullable": True})
class ClockTimeField(serializers.TimeField):
    """A wall-clock time in the clinic's zone, "14:30": no seconds, no offset."""


class AppointmentSerializer(serializers.ModelSerializer):
    """The appointment as the desk sees it: when and where, what became of it, and why (staff only)."""

    when = serializers.SerializerMethodField(help_text='On the clinic\'s clock: "Tuesday 8 December at 10:30 am EST".')
    ends_at = serializers.DateTimeField(read_only=True)
    rescheduled = serializers.BooleanField(
        source="was_rescheduled", read_only=True, help_text="Booked, and moved at least once (sequence above 0)."
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "status",
            "starts_at",
            "ends_at",
            "when",
            "minutes",
            "location",
            "note",
            "sequence",
            "rescheduled",
            "uid",
            "hours_override_reason",
            "cancel_reason",
            "cancelled_at",
            "outcome_at",
        ]
        read_only_fields = fields

    def get_when(self, obj: Appointment) -> str:
        return format_moment(obj.starts_at)


class CallbackDetailSerializer(CallbackListItemSerializer):
    """The callback with the request behind it: the reason, ticked symptoms, red flags and every attempt."""

    email = serializers.EmailField(source="request.email", read_only=True)
    preferred_contact = serializers.CharField(source="request.preferred_contact", read_only=True)
    received_at = serializers.DateTimeField(source="request.created_at", read_only=True)
    reason = serializers.CharField(source="request.reason", read_only=True, help_text="In the patient's words.")
    symptoms = serializers.SerializerMethodField()
    red_flags = serializers.SerializerMethodField(help_text="Most pressing first.")
    screening = serializers.SerializerMethodField(help_text="Every screening question, in the order the form asks.")
    ask_first = serializers.SerializerMethodField(
        help_text="Codes of the questions the patient answered not sure: ask these first on the call."
    )
    pain_duration = serializers.CharField(source="request.pain_duration", read_only=True)
    patient_type = serializers.CharField(source="request.patient_type", read_only=True)
    insurance_note = serializers.CharField(source="request.insurance_note", read_only=True)
    attempts = CallAttemptSerializer(many=True, read_only=True)
    appointment = serializers.SerializerMethodField(
        help_text="The latest appointment (booked, cancelled, no_show or attended), or null before the first."
    )
    closing_reason = serializers.ChoiceField(choices=ClosingReason.choices, allow_blank=True, read_only=True)
    appointment_time = ClockTimeField(format="%H:%M", read_only=True, allow_null=True)

    class Meta(CallbackListItemSerializer.Meta):
        fields = [
            *CallbackListItemSerializer.Meta.fields,
            "email",
            "preferred_contact",
            "received_at",
            "reason",
            "symptoms",
            "red_flags",
            "screening",
            "ask_first",
            "pain_duration",
            "patient_type",
            "insurance_note",
            "claimed_at",
            "escalated_at",
            "closing_reason",
            "closed_at",
            "appointment_date",
            "appointment_time",
            "appointment_location",
            "appointment_note",
            "appointment",
            "attempts",
        ]
        read_only_fields = fields

    @extend_schema_field(AppointmentSerializer(allow_null=True))
    def get_appointment(self, obj: Callback) -> dict | None:
        appointment = obj.appointments.order_by("-created_at", "-id").first()
        return AppointmentSerializer(appointment).data if appointment is not None else None

    @staticmethod
    def _labels(codes, table) -> list:
        return [table[code] for code in codes if code in table]

    # `Serializer(..., many=True)` is a ListSerializer, whose data is a list; djangorestframework-stubs type
    # it as the serializer itself, whose data is a dict: hence the ignores on the three returns below.
    @extend_schema_field(LabelSerializer(many=True))
    def get_symptoms(self, obj: Callback) -> list[dict]:
        symptoms = self._labels(obj.request.symptoms, SYMPTOMS_BY_CODE)
        return LabelSerializer(symptoms, many=True).data  # type: ignore[return-value]

    @extend_schema_field(RedFlagSerializer(many=True))
    def get_red_flags(self, obj: Callback) -> list[dict]:
        flags = [
            {
                "code": item.flag.code,
                "label": item.flag.label,
                "tier": item.flag.tier.code,
                "reason": item.flag.reason,
                "call_script": item.flag.call_script,
                "evidence": [row for row in item.evidence if row.get("source") in ("text", "screening", "checklist")],
            }
            for item in request_triage_summary(request=obj.request).flags
        ]
        return RedFlagSerializer(flags, many=True).data  # type: ignore[return-value]

    @extend_schema_field(ScreeningAnswerSerializer(many=True))
    def get_screening(self, obj: Callback) -> list[dict]:
        rows = [
            {"code": question.code, "question": question.text, "answer": answer}
            for question, answer in request_triage_summary(request=obj.request).screening
        ]
        return ScreeningAnswerSerializer(rows, many=True).data  # type: ignore[return-value]

    # Plain strings in the schema: the codes are `screening[].code`'s enum, and a second field with the same
    # choices would need an ENUM_NAME_OVERRIDES entry to keep one name.
    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_ask_first(self, obj: Callback) -> list[str]:
        return [question.code for question in request_triage_summary(request=obj.request).ask_first]


def _note(**kwargs) -> PlainTextField:
    """An optional note: line breaks and tabs are fine, other control characters are not."""
    return PlainTextField(
        max_length=NOTE_MAX_LENGTH,
        pattern=MULTI_LINE,
        required=False,
        allow_blank=True,
        default="",
        validators=[django_validator(no_control_characters)],
        **kwargs,
    )


class AttemptInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    note = _note()


class LocationField(serializers.ChoiceField):
    """One of the clinic's locations (settings.CLINIC_LOCATIONS), read when the serializer is made."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=[], **kwargs)
        self.choices = [(place, place) for place in settings.CLINIC_LOCATIONS]


APPOINTMENT_DATE_HELP = (
    "YYYY-MM-DD, in the clinic's time zone. With the time: in the future, at most a year ahead, on a day the "
    "clinic is open (no public holiday or closure), and starting and ending (APPOINTMENT_MINUTES later) inside "
    "the opening hours; 400 otherwise, saying when the clinic is open that day."
)
APPOINTMENT_TIME_HELP = (
    "HH:MM or HH:MM:SS, 24-hour clock, in the clinic's time zone. A time the clocks skip that day is refused; "
    "one they repeat is the first of the two (daylight time)."
)
OVERRIDE_HELP = (
    "Supervisors only (403 for anyone else, when it is needed): why the appointment is outside the opening "
    "hours or on a closure. Kept in the history and as a staff note. Ignored when the time is inside the hours."
)


class ScheduleInputSerializer(serializers.Serializer):
    appointment_date = IsoDateField(help_text=APPOINTMENT_DATE_HELP)
    appointment_time = ClockTimeInputField(help_text=APPOINTMENT_TIME_HELP)
    location = LocationField(
        required=False,
        help_text="One of the clinic's locations; may be left out when the clinic has only one. It goes into the "
        "confirmation email and its calendar file.",
    )
    note = _note(help_text="For the patient; it goes into the confirmation email.")
    override_reason = _note(help_text=OVERRIDE_HELP)


class RescheduleInputSerializer(serializers.Serializer):
    appointment_date = IsoDateField(help_text=APPOINTMENT_DATE_HELP)
    appointment_time = ClockTimeInputField(help_text=APPOINTMENT_TIME_HELP)
    location = LocationField(required=False, help_text="One of the clinic's locations; left out: where it is now.")
    note = PlainTextField(
        max_length=NOTE_MAX_LENGTH,
        pattern=MULTI_LINE,
        required=False,
        allow_blank=True,
        validators=[django_validator(no_control_characters)],
        help_text="For the patient, replacing the current note; left out: the current note stays.",
    )
    override_reason = _note(help_text=OVERRIDE_HELP)


class AppointmentCancelInputSerializer(serializers.Serializer):
    reason = PlainTextField(
        max_length=NOTE_MAX_LENGTH,
        pattern=MULTI_LINE_NOT_BLANK,
        validators=[django_validator(no_control_characters)],
        help_text="Why, and who asked: kept with the appointment and in its history, never emailed. Not blank.",
        error_messages={
            "blank": "Say why the appointment is cancelled (who asked, and why).",
            "required": "Say why the appointment is cancelled (who asked, and why).",
        },
    )


class CloseInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=CLOSE_REASONS,
        help_text="Scheduling and unreachable have their own endpoints.",
    )
    note = _note()


class PriorityInputSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices, help_text="The new tier.")
    reason = PlainTextField(
        max_length=REASON_MAX_LENGTH,
        pattern=MULTI_LINE_NOT_BLANK,
        validators=[django_validator(no_control_characters)],
        help_text="Why the tier changes; kept with the request, its history and its notes. Not blank; line "
        "breaks are fine, other control characters are not.",
        error_messages={"blank": REASON_REQUIRED, "required": REASON_REQUIRED},
    )


class TakeOverInputSerializer(serializers.Serializer):
    reason = PlainTextField(
        max_length=1000,
        pattern=MULTI_LINE_NOT_BLANK,
        validators=[django_validator(no_control_characters)],
        help_text="Why a supervisor takes the callback from its holder; kept in the history and as a note the "
        "colleague sees. Not blank.",
        error_messages={
            "blank": "Say why you are taking it over.",
            "required": "Say why you are taking it over.",
        },
    )


class StaffErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
