"""The appointment request form: works without JavaScript, says what is wrong next to each field.

Each field has its own messages ("Enter your first name"), so the error
summary at the top lists them as they are, each linked to its field. The
best-time choices are the clinic's: only the days it opens and the times of
day it is open, labelled with their real hours.
"""

from __future__ import annotations

import time
import uuid
from typing import cast

from django import forms
from django.conf import settings
from django.core import signing
from phonenumber_field.formfields import PhoneNumberField

from requests_app.business_hours import clinic_opening_hours, day_choices, slot_choices
from requests_app.formatting import clinic_zone_abbreviation
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
# Faster than most people read and fill the form. Browser autofill makes a
# person that fast too, so this alone never refuses a request: the desk is
# asked to check it (see `sent_too_fast`).
MIN_FILL_SECONDS = 3
FORM_TOKEN_MAX_AGE = 24 * 3600
SCREENING_ERROR = "Answer yes, no or not sure, or tick the box to answer these questions on the phone."


class _SharedChoices:
    """A choice field whose choices the form's copies of it share, not copy.

    Django deep-copies each declared field for every form it builds (every
    page view and every submission), and a choice field's copy copies its
    choices twice over, normalizing them again: for this form's 19 choice
    fields, most of the cost of building it. The choices here are built once
    and never changed in place (a form that offers other choices assigns new
    ones, as `offer_best_times` does, which sets them on that form's copy), so
    the copies keep the class's. The field, its widget and the widget's
    attributes, validators and messages are still copied for each form:
    `Field.__deepcopy__`, with the widget copied first as a plain widget is
    (its attributes, not its choices) and found in `memo` by the field's copy.
    """

    widget: forms.Widget

    def __deepcopy__(self, memo: dict):
        forms.Widget.__deepcopy__(self.widget, memo)  # type: ignore[operator]  # django-stubs: Widget.__deepcopy__
        return forms.Field.__deepcopy__(self, memo)  # type: ignore[attr-defined]  # django-stubs: Field.__deepcopy__


class SharedChoiceField(_SharedChoices, forms.ChoiceField):
    """A choice field whose choices the form's copies share (see `_SharedChoices`)."""


class SharedMultipleChoiceField(_SharedChoices, forms.MultipleChoiceField):
    """A multiple choice field whose choices the form's copies share (see `_SharedChoices`)."""


def screening_field(code: str) -> str:
    return f"screening_{code}"


def new_form_token() -> str:
    """A signed token with the time the form was shown and a submission id."""
    return signing.dumps({"t": time.time(), "id": uuid.uuid4().hex}, salt=FORM_TOKEN_SALT)


def best_time_slots_field() -> forms.MultipleChoiceField:
    """The patient's best time of day to call, as checkboxes (shared by both forms); choices: `offer_best_times`."""
    return SharedMultipleChoiceField(
        label="Best time to call",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose from the times listed: they are the times we are open."},
    )


def best_days_field() -> forms.MultipleChoiceField:
    return SharedMultipleChoiceField(
        label="Best days to call",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose from the days listed: they are the days we are open."},
    )


def offer_best_times(form: forms.Form) -> None:
    """Offer only the days and times of day the clinic is open, with the real hours and the clinic's clock."""
    hours = clinic_opening_hours()
    # Both declared by best_time_slots_field() and best_days_field(): multiple-choice fields.
    cast(forms.MultipleChoiceField, form.fields["best_time_slots"]).choices = slot_choices(hours)
    cast(forms.MultipleChoiceField, form.fields["best_days"]).choices = day_choices(hours)
    form.fields["best_time_slots"].help_text = (
        f"Tick all that suit you. Times are our local time ({clinic_zone_abbreviation()}). "
        "Leave empty for any time we are open."
    )


class AppointmentRequestForm(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=NAME_MAX_LENGTH,
        validators=[single_line],
        error_messages={
            "required": "Enter your first name",
            "max_length": "Enter a first name of at most %(limit_value)d characters",
        },
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=NAME_MAX_LENGTH,
        validators=[single_line],
        error_messages={
            "required": "Enter your last name",
            "max_length": "Enter a last name of at most %(limit_value)d characters",
        },
    )
    phone = PhoneNumberField(
        label="Phone number",
        help_text="The number we should call. Include the country code if it is not a US number.",
        # A plain text box: after an error the number is shown back exactly as it was typed.
        widget=forms.TextInput(),
        error_messages={
            "required": "Enter your phone number",
            "invalid": "Enter a phone number we can call, like (603) 555-0142.",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send a confirmation here. We never email medical details.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.com.",
            "max_length": "Enter an email address of at most %(limit_value)d characters",
        },
        validators=[plain_email_address],
    )
    preferred_contact = SharedChoiceField(
        label="How should we contact you?",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose a phone call, or email first and then a call."},
    )
    best_time_slots = best_time_slots_field()
    best_days = best_days_field()
    reason = forms.CharField(
        label="What would you like help with?",
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[no_control_characters],
        help_text=f"A few words about your back pain and your running. At most {REASON_MAX_LENGTH} characters.",
        error_messages={
            "max_length": "Shorten what you would like help with to %(limit_value)d characters (it has %(show_value)d)"
        },
    )
    symptoms = SharedMultipleChoiceField(
        label="Where does it hurt?",
        choices=SYMPTOM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick all that apply.",
        error_messages={"invalid_choice": "Choose where it hurts from the list."},
    )
    screening_skip = forms.BooleanField(
        label="I would rather answer these questions on the phone",
        required=False,
        help_text="Then we ask them first when we call. If any of them is a yes for you, please answer it here.",
    )
    pain_duration = SharedChoiceField(
        label="How long have you had the pain?",
        choices=[("", "Choose one"), *PainDuration.choices],
        required=False,
        error_messages={"invalid_choice": "Choose how long you have had the pain from the list."},
    )
    patient_type = SharedChoiceField(
        label="Have you been to our clinic before?",
        choices=PatientType.choices,
        initial=PatientType.NEW,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose new patient or returning patient."},
    )
    insurance_note = forms.CharField(
        label="Insurance",
        max_length=200,
        required=False,
        validators=[single_line],
        help_text="Your insurer's name, if you would like us to check your cover before the visit.",
        error_messages={"max_length": "Shorten your insurer's name to %(limit_value)d characters"},
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
    form_token = forms.CharField(
        widget=forms.HiddenInput,
        max_length=500,
        error_messages={"required": "We could not accept this form. Please check it and send it again."},
    )
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by bots.
    website = forms.CharField(required=False, label="Leave this field empty", max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_best_times(self)
        cast(PhoneNumberField, self.fields["phone"]).region = settings.PHONENUMBER_DEFAULT_REGION  # declared above
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
        self.started_at: float | None = None

    def screening_groups(self) -> list[tuple[str, list]]:
        """The screening questions' bound fields, by group, in the order the form shows them."""
        return [(group, [self[screening_field(q.code)] for q in QUESTIONS if q.group == group]) for group in GROUPS]

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("screening_skip"):
            for question in QUESTIONS:
                name = screening_field(question.code)
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, SCREENING_ERROR)
        return cleaned

    def error_summary(self) -> list[tuple[str, str]]:
        """What is wrong, in the form's order: (the id of the input to go to, or "" for the form, the message).

        The messages name their field ("Enter your first name"), so they stand
        alone; a safety question's message follows the question itself.
        """
        items = [("", str(error)) for error in self.non_field_errors()]
        for field in self:
            for error in field.errors:
                if field.is_hidden:
                    items.append(("", str(error)))
                    continue
                anchor = field.auto_id
                if isinstance(field.field.widget, forms.RadioSelect):  # radios and checkbox groups
                    anchor = f"{anchor}_0"
                message = f"{field.label} {error}" if field.name.startswith("screening_") else str(error)
                items.append((anchor, message))
        return items

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

    def honeypot_filled(self) -> bool:
        """The hidden field no person sees was filled in: a bot."""
        return bool(self.cleaned_data.get("website"))

    def seconds_to_send(self) -> float | None:
        """Seconds from showing the form to receiving it back (None without a valid token)."""
        if self.started_at is None:
            return None
        return max(0.0, time.time() - self.started_at)

    def sent_too_fast(self) -> bool:
        """Sent back sooner than most people fill it in; autofill does that too, so only worth a check."""
        seconds = self.seconds_to_send()
        return seconds is not None and seconds < MIN_FILL_SECONDS

    def review_reasons(self) -> list[str]:
        """What the front desk should check before calling, in words (empty for an ordinary request)."""
        if not self.sent_too_fast():
            return []
        seconds = round(self.seconds_to_send() or 0.0)
        after = "less than a second" if seconds < 1 else f"{seconds} second{'' if seconds == 1 else 's'}"
        return [
            f"Sent {after} after the page loaded (browser autofill does that, and so do bots): "
            "check it is a real request before booking."
        ]


# The screening questions, one field each, after the form's own fields: declared on the class, built
# once (Django copies the declared fields for each form; building them in __init__ cost every
# submission and every page 13 new fields).
AppointmentRequestForm.base_fields.update(
    {
        screening_field(question.code): SharedChoiceField(
            label=question.text,
            choices=list(ANSWER_LABELS.items()),
            widget=forms.RadioSelect,
            required=False,
            help_text=question.hint,
            error_messages={"invalid_choice": "Choose yes, no or not sure."},
        )
        for question in QUESTIONS
    }
)


class BetterTimeForm(forms.Form):
    """From the "we could not reach you" email: when to try again."""

    best_time_slots = best_time_slots_field()
    best_days = best_days_field()
    note = forms.CharField(
        label="Anything else we should know to reach you?",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
        error_messages={"max_length": "Shorten your note to %(limit_value)d characters (it has %(show_value)d)"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_best_times(self)
