"""The appointment request form: works without JavaScript, says what is wrong next to each field."""

from __future__ import annotations

import time
import uuid

from django import forms
from django.conf import settings
from django.core import signing
from phonenumber_field.formfields import PhoneNumberField

from requests_app.business_hours import DAY_CHOICES, TIME_SLOT_CHOICES
from requests_app.models import ContactMethod, PainDuration, PatientType
from requests_app.models.intake import REASON_MAX_LENGTH
from requests_app.triage import SYMPTOM_CHOICES
from requests_app.triage.screening import ANSWER_LABELS, GROUPS, QUESTIONS
from requests_app.validation import (
    NAME_MAX_LENGTH,
    no_control_characters,
    plain_email_address,
    require_consent,
    single_line,
)

FORM_TOKEN_SALT = "requests_app.form-started"  # noqa: S105 (a signing namespace, not a secret)
# Faster than a person can read and fill the form: a bot.
MIN_FILL_SECONDS = 3
FORM_TOKEN_MAX_AGE = 24 * 3600


def screening_field(code: str) -> str:
    return f"screening_{code}"


class BotSuspected(Exception):
    """The honeypot was filled in or the form came back too fast."""


def new_form_token() -> str:
    """A signed token with the time the form was shown and a submission id."""
    return signing.dumps({"t": time.time(), "id": uuid.uuid4().hex}, salt=FORM_TOKEN_SALT)


def best_time_slots_field(**extra) -> forms.MultipleChoiceField:
    """The patient's best time of day to call, as checkboxes (shared by both forms)."""
    return forms.MultipleChoiceField(
        label="Best time to call",
        choices=TIME_SLOT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        **extra,
    )


def best_days_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Best days to call", choices=DAY_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )


class AppointmentRequestForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=NAME_MAX_LENGTH, validators=[single_line], widget=forms.TextInput()
    )
    last_name = forms.CharField(label="Last name", max_length=NAME_MAX_LENGTH, validators=[single_line])
    phone = PhoneNumberField(
        label="Phone number",
        help_text="The number we should call. Include the country code if it is not a US number.",
        error_messages={"invalid": "Enter a phone number we can call, like (603) 555-0142."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send a confirmation here. We never email medical details.",
        error_messages={"invalid": "Enter an email address like name@example.com."},
        validators=[plain_email_address],
    )
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
        required=False,
    )
    best_time_slots = best_time_slots_field(help_text="Tick all that suit you. Leave empty for any time we are open.")
    best_days = best_days_field()
    reason = forms.CharField(
        label="What would you like help with?",
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[no_control_characters],
        help_text=f"A few words about your back pain and your running. At most {REASON_MAX_LENGTH} characters.",
    )
    symptoms = forms.MultipleChoiceField(
        label="Where does it hurt?",
        choices=SYMPTOM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick all that apply.",
    )
    screening_skip = forms.BooleanField(
        label="I would rather answer these questions on the phone",
        required=False,
        help_text="Then we ask them first when we call. If any of them is a yes for you, please answer it here.",
    )
    pain_duration = forms.ChoiceField(
        label="How long have you had the pain?",
        choices=[("", "Choose one (optional)"), *PainDuration.choices],
        required=False,
    )
    patient_type = forms.ChoiceField(
        label="Have you been to our clinic before?",
        choices=PatientType.choices,
        initial=PatientType.NEW,
        widget=forms.RadioSelect,
        required=False,
    )
    insurance_note = forms.CharField(
        label="Insurance",
        max_length=200,
        required=False,
        validators=[single_line],
        help_text="Your insurer's name, if you would like us to check your cover before the visit.",
    )
    consent = forms.BooleanField(
        label="I agree that the clinic may contact me by phone and email about this request.",
        error_messages={"required": "Tick the box to agree that we may contact you: we need it to call you back."},
        validators=[require_consent],
    )
    # Hidden fields: where the patient came from, and the anti-bot token.
    article = forms.SlugField(required=False, widget=forms.HiddenInput, max_length=200)
    referrer = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500, validators=[single_line])
    campaign = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100, validators=[single_line])
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by bots.
    website = forms.CharField(required=False, label="Leave this field empty", max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[screening_field(question.code)] = forms.ChoiceField(
                label=question.text,
                choices=list(ANSWER_LABELS.items()),
                widget=forms.RadioSelect,
                required=False,
                help_text=question.hint,
                error_messages={"invalid_choice": "Choose yes, no or not sure."},
            )
        self.fields["phone"].region = settings.PHONENUMBER_DEFAULT_REGION
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "phone": "tel",
            "email": "email",
            "website": "off",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.input_type = "tel"
        self.fields["website"].widget.attrs["tabindex"] = "-1"
        self.submission_id = ""

    def screening_groups(self) -> list[tuple[str, list]]:
        """The screening questions' bound fields, by group, in the order the form shows them."""
        return [(group, [self[screening_field(q.code)] for q in QUESTIONS if q.group == group]) for group in GROUPS]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("screening_skip"):
            for question in QUESTIONS:
                name = screening_field(question.code)
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(
                        name, "Answer yes, no or not sure, or tick the box to answer these questions on the phone."
                    )
        return cleaned

    def screening_answers(self) -> dict[str, str]:
        """The questions answered; one left blank (with the skip box ticked) is skipped."""
        return {
            q.code: self.cleaned_data[screening_field(q.code)]
            for q in QUESTIONS
            if self.cleaned_data.get(screening_field(q.code))
        }

    def clean_form_token(self) -> str:
        token = self.cleaned_data["form_token"]
        try:
            data = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
        except signing.SignatureExpired as error:
            raise forms.ValidationError(
                "This form was open for more than a day. Please check it and send it again."
            ) from error
        except signing.BadSignature as error:
            raise forms.ValidationError("We could not accept this form. Please check it and send it again.") from error
        self.submission_id = str(data.get("id", ""))
        self.started_at = float(data.get("t", 0))
        return token

    def bot_suspected(self) -> bool:
        """Honeypot filled in, or the form sent back faster than a person could fill it."""
        if self.cleaned_data.get("website"):
            return True
        started = getattr(self, "started_at", None)
        return started is not None and time.time() - started < MIN_FILL_SECONDS


class BetterTimeForm(forms.Form):
    """From the "we could not reach you" email: when to try again."""

    best_time_slots = best_time_slots_field()
    best_days = best_days_field()
    note = forms.CharField(
        label="Anything else we should know to reach you? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )
