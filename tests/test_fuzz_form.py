"""Random data posted to the HTML request form is refused or accepted, never a server error.

Hypothesis builds the POST: the form's own fields, unknown ones, values of
every kind (any Unicode text with control characters, very long strings,
several values for one field, fields left out), sent as multipart or as
urlencoded, through Django's test client (which re-raises any exception in
the view, so a crash is shown as what it is). Each example starts from a
valid submission, with a form token issued a minute earlier so the anti-bot
timer passes, and then breaks it at random, so that both the validation and
the intake behind it are exercised.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from urllib.parse import urlencode

import hypothesis
import pytest
from django.core import signing
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st

from requests_app.forms import FORM_TOKEN_SALT
from tests.support.intake import patient_fields, screening_answered

pytestmark = pytest.mark.django_db

URL = "/request-appointment/"
FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "preferred_contact",
    "best_time_slots",
    "best_days",
    "reason",
    "symptoms",
    "pain_duration",
    "patient_type",
    "insurance_note",
    "consent",
    "article",
    "referrer",
    "campaign",
    "form_token",
    "website",
    "screening_skip",
    "screening_saddle_numbness",
    "screening_leg_nerves",
]
PLAUSIBLE = [
    "",
    "on",
    "true",
    "0",
    "+16035550142",
    "(603) 555-0142",
    "someone@example.org",
    "morning",
    "mon",
    "lower_back_pain",
    "bladder_bowel",
    "yes",
    "not_sure",
    "weeks",
    "new",
    "returning",
    "email",
    "why-running-hurts-your-back",
]

one_value = st.one_of(
    st.text(),
    st.sampled_from(PLAUSIBLE),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["a", "é", "\x00", "\r\n", "\u202e", "\U0001d54f", "<script>", "' OR 1=1 --"]),
        st.integers(min_value=1_000, max_value=100_000),
    ),
)
field_value = st.one_of(one_value, st.lists(one_value, max_size=5))
changes = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)), field_value, max_size=12)


def started_a_minute_ago() -> str:
    """The token the form page would have issued a minute ago: the anti-bot timer has passed."""
    return signing.dumps({"t": time.time() - 60, "id": uuid.uuid4().hex}, salt=FORM_TOKEN_SALT)


def valid_submission() -> dict:
    fields = patient_fields()
    fields["consent"] = "on"
    fields["form_token"] = started_a_minute_ago()
    fields.update(screening_answered("no"))
    return fields


@pytest.fixture
def unthrottled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "appointment_request": "1000000/hour",
        },
    }


@pytest.mark.usefixtures("unthrottled")
def test_random_posts_to_the_request_form_never_get_a_server_error():
    client = Client()
    statuses: Counter = Counter()

    @given(changes=changes, drop=st.sets(st.sampled_from(FIELDS)), urlencoded=st.booleans())
    @example(changes={}, drop=set(), urlencoded=False)  # the valid submission itself
    @example(changes={f"f{n}": "x" for n in range(1_500)}, drop=set(), urlencoded=True)  # too many fields
    @example(changes={"reason": "x" * 3_000_000}, drop=set(), urlencoded=False)  # past the upload limit
    @hypothesis.settings(
        max_examples=150,  # per run; see PUBLIC_EXAMPLES in test_fuzz_api.py
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    def post(changes, drop, urlencoded):
        data = {name: value for name, value in valid_submission().items() if name not in drop}
        data.update(changes)
        if urlencoded:
            response = client.post(URL, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")
        else:
            response = client.post(URL, data)
        assert response.status_code < 500, response.status_code
        statuses[response.status_code] += 1

    post()
    print(dict(statuses))
    assert statuses[303] > 0  # some got through to the intake
    assert statuses[422] > 0  # and some were sent back with the errors shown
