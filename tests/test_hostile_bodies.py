"""Hostile request bodies: any charset but UTF-8, deep nesting, huge bodies. A clear 4xx, bounded time and memory."""

import bz2
import json
import time
import tracemalloc
import zlib
from http import HTTPStatus

import pytest

from requests_app.api.parsers import MAX_DEPTH, json_depth
from requests_app.models import AppointmentRequest
from tests.support.intake import patient_fields
from tests.test_api_staff import desk, new_callback, url  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointment-requests/"


def post_raw(client, body: bytes, content_type: str):
    return client.generic("POST", URL, body, content_type=content_type)


def measured(send):
    """(response, seconds, peak bytes allocated while it was handled): the process' own peak, not the machine's."""
    tracemalloc.start()
    try:
        started = time.monotonic()
        response = send()
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, seconds, peak


def test_a_decompression_bomb_in_the_charset_is_refused_before_it_is_read(client):
    bomb = bz2.compress(b" " * 100_000_000)  # 100 MB once decompressed
    assert len(bomb) < 1_000
    response, seconds, peak = measured(lambda: post_raw(client, bomb, "application/json; charset=bz2"))
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert "UTF-8" in response.json()["detail"]
    assert seconds < 2
    assert peak < 50 * 1024 * 1024
    assert not AppointmentRequest.objects.exists()


@pytest.mark.parametrize("megabytes", [1, 20])
def test_a_huge_body_is_refused_with_413_in_bounded_time_and_memory(client, megabytes):
    fields = patient_fields(reason="x" * (megabytes * 1024 * 1024))
    body = json.dumps(fields).encode()
    # What the web server holds is the body itself; handling it must not add copies of it.
    response, seconds, peak = measured(lambda: post_raw(client, body, "application/json"))
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "too large" in response.json()["detail"]
    assert seconds < 2
    assert peak < 50 * 1024 * 1024
    assert not AppointmentRequest.objects.exists()


@pytest.mark.parametrize("charset", ["bz2", "zlib", "rot13", "utf-16", "latin-1", "base64", "hex", "x-unknown"])
def test_every_charset_but_utf8_gets_415_with_a_message(client, charset):
    body = json.dumps(patient_fields()).encode()
    if charset == "zlib":
        body = zlib.compress(body)
    response = post_raw(client, body, f"application/json; charset={charset}")
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert "UTF-8" in response.json()["detail"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", '"utf-8"'])
def test_utf8_named_any_usual_way_is_accepted(client, charset):
    response = post_raw(client, json.dumps(patient_fields()).encode(), f"application/json; charset={charset}")
    assert response.status_code == HTTPStatus.CREATED


def test_a_body_that_is_not_utf8_gets_400(client):
    response = post_raw(client, b'{"first_name": "\xff\xfe"}', "application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "UTF-8" in response.json()["detail"]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 20_000])
def test_json_nested_too_deep_gets_400_not_500(client, depth):
    body = ("[" * depth + "]" * depth).encode()
    response = post_raw(client, body, "application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert f"more than {MAX_DEPTH} levels" in response.json()["detail"]


def test_json_nested_to_the_limit_is_parsed_and_judged_on_its_fields(client):
    fields = patient_fields()
    nested: str | list = "x"
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    fields["campaign"] = nested
    response = post_raw(client, json.dumps(fields).encode(), "application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "campaign" in response.json()


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert json_depth('{"reason": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert json_depth('[{"a": "\\"[[[["}]') == 2


def test_the_staff_api_refuses_deep_nesting_too(desk):  # noqa: F811
    callback = new_callback()
    body = "[" * 1_000 + "]" * 1_000
    response = desk.post(url(callback, "attempts"), body, content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x00", "\t"])
def test_an_email_address_with_a_control_or_line_separating_character_is_refused_with_its_field(client, char):
    fields = patient_fields(email=f'"a{char}b"@example.org')
    response = post_raw(client, json.dumps(fields).encode(), "application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "email" in response.json()
    assert not AppointmentRequest.objects.exists()


TEXT_FIELDS = ["first_name", "last_name", "reason", "insurance_note", "referrer", "campaign"]
HOSTILE_CHARACTERS = {
    "NUL": "\x00",
    "bell": "\x07",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "file separator": "\x1c",
    "next line (C1)": "\x85",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
}


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("name", list(HOSTILE_CHARACTERS))
def test_a_control_character_in_any_text_field_is_refused_with_that_field_named(client, field, name):
    fields = patient_fields(**{field: f"Al{HOSTILE_CHARACTERS[name]}ex"})
    response = post_raw(client, json.dumps(fields).encode(), "application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, name
    assert list(response.json()) == [field]
    assert not AppointmentRequest.objects.exists()


@pytest.mark.parametrize("field", ["phone", "email", "source_article"])
@pytest.mark.parametrize("name", list(HOSTILE_CHARACTERS))
def test_a_control_character_in_a_phone_email_or_article_is_refused_with_that_field_named(client, field, name):
    value = {"phone": "+1603555{}0177", "email": "al{}ex@example.org", "source_article": "back{}pain"}[field]
    fields = patient_fields(**{field: value.format(HOSTILE_CHARACTERS[name])})
    response = post_raw(client, json.dumps(fields).encode(), "application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, name
    assert list(response.json()) == [field]
    assert not AppointmentRequest.objects.exists()


def test_line_breaks_and_tabs_stay_allowed_in_the_reason_and_joiners_in_names(client):
    fields = patient_fields(reason="Line one.\r\nLine two.\tIndented.", first_name="Ana\u200dlu")
    response = post_raw(client, json.dumps(fields).encode(), "application/json")
    assert response.status_code == HTTPStatus.CREATED
