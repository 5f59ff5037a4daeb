"""The OpenAPI schema states the rules the API applies: valid by the schema means accepted, invalid means refused.

Each input field is checked on its own against the schema the site serves
(its `type`, `pattern`, `minLength`, `maxLength` and `format`, read by
jsonschema as schemathesis reads them) with any value: text with control
characters, spaces, line breaks and Unicode separators, numbers, null. Two
rules cannot be stated in a schema and are said in words instead: a phone
number must be in use (libphonenumber) and an email address must pass
Django's validator. For those two fields only the one direction holds:
whatever the schema calls invalid is refused.
"""

import json
import re
import sys
from http import HTTPStatus

import jsonschema
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from requests_app.api import fields
from requests_app.api.serializers import AppointmentRequestInputSerializer
from requests_app.api.staff_serializers import (
    AppointmentCancelInputSerializer,
    AttemptInputSerializer,
    CloseInputSerializer,
    PriorityInputSerializer,
    RescheduleInputSerializer,
    ScheduleInputSerializer,
)
from requests_app.models import AppointmentRequest
from requests_app.validation import no_control_characters, single_line
from tests.support.intake import patient_fields

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointment-requests/"
INPUTS = {
    "AppointmentRequestInputRequest": AppointmentRequestInputSerializer,
    "AttemptInputRequest": AttemptInputSerializer,
    "ScheduleInputRequest": ScheduleInputSerializer,
    "CloseInputRequest": CloseInputSerializer,
    "PriorityInputRequest": PriorityInputSerializer,
    "RescheduleInputRequest": RescheduleInputSerializer,
    "AppointmentCancelInputRequest": AppointmentCancelInputSerializer,
}
# Rules only the description states: there the schema's "invalid" is refused, its "valid" may be too.
STATED_IN_WORDS = {("AppointmentRequestInputRequest", "phone"), ("AppointmentRequestInputRequest", "email")}
# Characters where the rules change: controls, line breaks, Unicode spaces and separators, bidi controls.
EDGES = (
    "\x00\x07\t\n\x0b\x0c\r\x1c\x1f \x7f\x85\x9f\xa0\u1680\u2000\u200a\u200b\u200d\u2028\u2029\u202e\u2066\u3000\ufeff"
)


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == HTTPStatus.OK
    return json.loads(response.content)


def text_fields(schema: dict):
    components = schema["components"]["schemas"]
    for component, serializer in INPUTS.items():
        for name, definition in components[component]["properties"].items():
            if definition.get("type") == "string":
                yield component, serializer, name, definition


def schema_says_valid(definition: dict, value) -> bool:
    return jsonschema.Draft4Validator(definition, format_checker=jsonschema.FormatChecker()).is_valid(value)


def server_accepts(field, value) -> bool:
    try:
        field.run_validation(value)
    except ValidationError:
        return False
    return True


def values(definition: dict):
    text = st.text(alphabet=st.one_of(st.sampled_from(EDGES), st.characters(codec="utf-8")), max_size=30)
    candidates = [
        text,
        st.builds(lambda a, b, c: a + b + c, text, st.text(alphabet=st.characters(codec="utf-8")), text),
        st.integers(),
        st.booleans(),
        st.none(),
        # Just beyond the length limit, mostly spaces: DRF trims before it counts.
        st.integers(0, 3).map(lambda n: " " * (definition.get("maxLength", 10) + n) + "x" * n),
    ]
    if "pattern" in definition:
        # Valid by the pattern, then with an edge character at either end.
        matching = st.from_regex(definition["pattern"], fullmatch=True)
        candidates += [
            matching,
            st.builds(lambda v, e, front: e + v if front else v + e, matching, st.sampled_from(EDGES), st.booleans()),
        ]
    return st.one_of(candidates)


def test_every_input_text_field_states_a_pattern_or_a_format_and_a_maximum_length(schema):
    for component, _, name, definition in text_fields(schema):
        assert "pattern" in definition or "format" in definition, (component, name)
        if definition.get("format") not in ("date",) and "pattern" in definition:
            assert "maxLength" in definition or name == "appointment_time", (component, name)


@pytest.mark.parametrize(
    ("component", "name"),
    [
        (component, name)
        for component, serializer in INPUTS.items()
        for name, field in serializer().fields.items()
        if isinstance(field, serializers.CharField | serializers.DateField | serializers.TimeField)
    ],
)
def test_the_schema_and_the_server_agree_on_every_value(schema, component, name):
    definition = schema["components"]["schemas"][component]["properties"][name]
    field = INPUTS[component]().fields[name]
    one_way = (component, name) in STATED_IN_WORDS

    # Every character is checked against the validators one by one below; here, lengths, edges and types,
    # from a handful of strategies that 150 examples each draw from many times over.
    @given(value=values(definition))
    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def agree(value):
        valid = schema_says_valid(definition, value)
        accepted = server_accepts(field, value)
        if one_way:
            assert valid or not accepted, f"{name}={value!r}: invalid by the schema but accepted"
        else:
            assert valid == accepted, f"{name}={value!r}: the schema says {valid}, the server {accepted}"

    agree()


def test_the_character_classes_match_the_validators_on_every_character():
    """requests_app.validation decides what a text may hold; the patterns say the same, character by character."""

    def passes(validator, value: str) -> bool:
        try:
            validator(value)
        except DjangoValidationError:
            return False
        return True

    patterns = {name: re.compile(getattr(fields, name)) for name in ("SINGLE_LINE", "MULTI_LINE")}
    not_blank = {name: re.compile(getattr(fields, name)) for name in ("SINGLE_LINE_NOT_BLANK", "MULTI_LINE_NOT_BLANK")}
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue  # lone surrogates: DRF refuses them in every field, and UTF-8 cannot carry them
        char = chr(point)
        inside = f"a{char}b"
        assert bool(patterns["SINGLE_LINE"].search(inside)) == passes(single_line, inside), hex(point)
        assert bool(patterns["MULTI_LINE"].search(inside)) == passes(no_control_characters, inside), hex(point)
        assert bool(not_blank["SINGLE_LINE_NOT_BLANK"].search(char)) == (
            passes(single_line, char) and bool(char.strip())
        ), hex(point)
        assert bool(not_blank["MULTI_LINE_NOT_BLANK"].search(char)) == (
            passes(no_control_characters, char) and bool(char.strip())
        ), hex(point)


# --- what a client sees ---------------------------------------------------------------------------


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_the_schema_states_the_phone_format_and_that_a_number_must_be_in_use(schema):
    phone = schema["components"]["schemas"]["AppointmentRequestInputRequest"]["properties"]["phone"]
    assert phone["pattern"] == r"^\+[1-9][0-9]{5,14}$"
    assert (phone["minLength"], phone["maxLength"]) == (7, 16)
    assert "E.164" in phone["description"]
    assert "libphonenumber" in phone["description"]


def test_the_api_takes_e164_phone_numbers_only(client):
    accepted = post(client, patient_fields(phone="+16035550177"))
    assert accepted.status_code == HTTPStatus.CREATED, accepted.json()

    for national in ("(603) 555-0178", "603-555-0178", "6035550178", "+1 603 555 0178"):
        response = post(client, patient_fields(phone=national))
        assert response.status_code == HTTPStatus.BAD_REQUEST, national
        assert "E.164" in response.json()["phone"][0], national
    assert AppointmentRequest.objects.count() == 1


def test_a_number_matching_the_pattern_that_no_country_gave_out_is_refused(client):
    response = post(client, patient_fields(phone="+10000000000"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["phone"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"campaign": " " * 101}, "campaign"),  # 101 characters: over maxLength, although blank once trimmed
        ({"insurance_note": "\t"}, "insurance_note"),  # a tab in a one-line field, even one DRF would trim away
        ({"first_name": "Alex\t"}, "first_name"),
        ({"first_name": 42}, "first_name"),  # DRF took a number for a string
        ({"reason": 7}, "reason"),
        ({"consent": "true"}, "consent"),  # DRF took "true", "yes", 1 and "on" for true
        ({"consent": 1}, "consent"),
        ({"source_article": " back-pain"}, "source_article"),
        ({"screening": {"fever": "no", "made_up": "yes"}}, "screening"),
    ],
)
def test_what_the_schema_calls_invalid_is_refused(client, change, field):
    response = post(client, patient_fields(**change))
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.json()
    assert list(response.json()) == [field]
    assert not AppointmentRequest.objects.exists()


def test_the_ends_of_a_name_are_trimmed_as_before(client):
    response = post(client, patient_fields(first_name="  Alex  ", last_name="Rivera\u3000"))
    assert response.status_code == HTTPStatus.CREATED, response.json()
    request = AppointmentRequest.objects.get()
    assert (request.first_name, request.last_name) == ("Alex", "Rivera")


def test_the_screening_answers_admit_no_other_key(schema):
    assert schema["components"]["schemas"]["ScreeningRequest"]["additionalProperties"] is False
