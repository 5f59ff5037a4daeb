"""Submitting requests through the real service, as the form and the API do."""

from __future__ import annotations

import itertools

from requests_app.forms import screening_field
from requests_app.models import Channel
from requests_app.services.intake import IntakeResult, appointment_request_create
from requests_app.triage.screening import QUESTIONS

# From 2000 up: hand-written numbers in tests are +1 603 555 01xx and must never
# be reached by the counter (a second submission from a phone is merged).
_numbers = itertools.count(2000)


def patient_fields(**overrides) -> dict:
    """Valid fields for a new patient; each call gets its own phone number and email."""
    n = next(_numbers)
    fields = {
        "first_name": "Jordan",
        "last_name": f"Runner{n}",
        "phone": f"+1603555{n % 8000 + 2000:04d}",
        "email": f"jordan{n}@example.org",
        "reason": "My lower back is sore after long runs.",
        "consent": True,
    }
    fields.update(overrides)
    return fields


def submit(channel: str = Channel.API, **overrides) -> IntakeResult:
    return appointment_request_create(**patient_fields(**overrides), channel=channel)


def screening_answered(answer: str = "no", **answers: str) -> dict:
    """The form's screening questions, every one answered `answer` except those given by code."""
    return {screening_field(q.code): answers.get(q.code, answer) for q in QUESTIONS}
