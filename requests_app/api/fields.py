"""Serializer fields whose OpenAPI schema states exactly what they accept.

DRF validates a string after trimming its ends, takes a number for a string
(42 becomes "42"), and lets a blank value skip the field's validators; the
schema, though, describes the JSON as sent. So a campaign of 300 spaces
passed `maxLength: 100`, a name ending in a tab passed although a name may
not contain one, and `"first_name": 42` was accepted as a string. The fields
here check the value as sent against the `pattern` and `maxLength` the schema
shows, then let DRF trim and validate it as before: what the schema calls
valid is accepted, and what it calls invalid is refused.

Patterns are read as the jsonschema validators read them (Python's
`re.search`), and are written so that ECMA 262 reads them the same way, but
for one thing: Python's `$` also matches before a final newline, which the
server trims, so a client that reads the pattern as ECMA is stricter by that
newline only.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers
from rest_framework.fields import empty
from typing_extensions import override

# What requests_app.validation.no_control_characters refuses: C0 and C1 control characters but tab,
# newline and carriage return, the Unicode line and paragraph separators, and the bidirectional
# overrides and isolates. (tests/test_api_schema_rules.py checks every code point against it.)
CONTROL_BUT_LINE_BREAKS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
# What requests_app.validation.single_line refuses: the same, and tab, newline and carriage return.
CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
# What str.strip() removes besides control characters: the spaces Python counts as whitespace.
SPACE = r"\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

SINGLE_LINE = rf"^[^{CONTROL}]*$"
SINGLE_LINE_NOT_BLANK = rf"^[^{CONTROL}]*[^{CONTROL}{SPACE}][^{CONTROL}]*$"
MULTI_LINE = rf"^[^{CONTROL_BUT_LINE_BREAKS}]*$"
MULTI_LINE_NOT_BLANK = rf"^[^{CONTROL_BUT_LINE_BREAKS}]*[^{CONTROL}{SPACE}][^{CONTROL_BUT_LINE_BREAKS}]*$"
SLUG_OR_BLANK = r"^[-a-zA-Z0-9_]*$"
# E.164: "+", a country code that does not start with 0, and at most 15 digits in all. The shortest
# numbers libphonenumber calls valid have 6 (+431110 in Austria, +989601 in Iran).
E164 = r"^\+[1-9][0-9]{5,14}$"
E164_MIN_LENGTH = 7
E164_MAX_LENGTH = 16
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CLOCK_TIME = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$"


def django_validator(function):
    """Run a Django validator and report its message as a DRF error."""

    def validate(value):
        try:
            function(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    return validate


# The mixin is only ever mixed into a DRF field: type-checked as one, it may use the field's methods.
if TYPE_CHECKING:
    from rest_framework.validators import ContextValidator

    _FieldMixinBase = serializers.Field
else:
    _FieldMixinBase = object


class CheckedAsSent(_FieldMixinBase):
    """Mixin: the value as sent must match `schema_pattern` and `max_length` before DRF trims and validates it.

    `schema_pattern` goes into the schema as `pattern` (AsSentSchema below).
    A string that does not match is refused as blank when it is, else with
    the messages of the field's validators that refuse it (a control
    character, a line break), else with the field's "pattern" message.
    """

    schema_pattern: str | None = None
    # True: the whole string must match, even where Python's `$` would let a final newline through.
    whole_string = False
    # Keys to set in (value) or drop from (None) the schema drf-spectacular makes for the field.
    schema_changes: dict = {}
    default_error_messages = {"pattern": "Not in the expected format: see the pattern in the API schema."}

    def __init__(self, *args, pattern: str | None = None, **kwargs) -> None:
        if pattern is not None:
            self.schema_pattern = pattern
        super().__init__(*args, **kwargs)

    def run_validation(self, data=empty):
        if isinstance(data, str):
            max_length = getattr(self, "max_length", None)
            if max_length is not None and len(data) > max_length:
                self.fail("max_length", max_length=max_length)
            match = re.fullmatch if self.whole_string else re.search
            if self.schema_pattern and not match(self.schema_pattern, data):
                if getattr(self, "allow_blank", True) is False and not data.strip():
                    self.fail("blank")
                self._explain(data)
                self.fail("pattern")
        elif isinstance(self, serializers.CharField) and data is not empty and data is not None:
            self.fail("invalid")  # "Not a valid string.": DRF would take 42 for "42"
        return super().run_validation(data)

    def _explain(self, data: str) -> None:
        """Raise the messages of the field's validators that refuse `data` (a control character, a line break)."""
        errors: list = []
        for validator in self.validators:
            if isinstance(validator, MinLengthValidator | MaxLengthValidator):
                continue  # the pattern's own message says more than "at least 7 characters"
            try:
                # DRF's own test (Field.run_validators): one that requires context is also given the field.
                if getattr(validator, "requires_context", False):
                    cast("ContextValidator[str]", validator)(data, self)
                else:
                    cast("Callable[[str], None]", validator)(data)
            except serializers.ValidationError as error:
                errors.extend(error.detail if isinstance(error.detail, list) else [error.detail])
            except DjangoValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise serializers.ValidationError(errors)


class PlainTextField(CheckedAsSent, serializers.CharField):
    """Text; give it a `pattern` (SINGLE_LINE, MULTI_LINE...) matching its validators."""


class EmailAddressField(CheckedAsSent, serializers.EmailField):
    """An email address; its length is checked as sent, before the ends are trimmed."""


class E164PhoneField(CheckedAsSent, PhoneNumberField):
    """A phone number in E.164 only ("+16035550142"), and one that libphonenumber calls valid.

    The HTML form takes national numbers in the clinic's region; a JSON
    client can always send the international form, and a pattern can then
    say what is accepted.
    """

    schema_pattern = E164
    default_error_messages = {
        "pattern": "Enter a valid phone number in international (E.164) format: + then the country code "
        "and the number, digits only, like +16035550142."
    }

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_length", E164_MIN_LENGTH)
        kwargs.setdefault("max_length", E164_MAX_LENGTH)
        super().__init__(*args, **kwargs)


class IsoDateField(CheckedAsSent, serializers.DateField):
    """YYYY-MM-DD only: Python also reads "20261201" and "2026-W49-2", which `format: date` does not allow."""

    schema_pattern = ISO_DATE
    # `format: date` refuses "2026-12-01\n", which the pattern alone (read by Python) and Django would take.
    whole_string = True
    default_error_messages = {"pattern": "Write the date as YYYY-MM-DD."}


class ClockTimeInputField(CheckedAsSent, serializers.TimeField):
    """A wall-clock time in the clinic's zone, "14:30" or "14:30:00": no offset (one would be ignored)."""

    schema_pattern = CLOCK_TIME
    # OpenAPI's `format: time` is RFC 3339's full-time, which needs an offset: not this.
    schema_changes = {"format": None, "example": "14:30"}
    default_error_messages = {"pattern": "Write the time as HH:MM (24-hour clock, the clinic's time zone)."}


class StrictTrueField(serializers.BooleanField):
    """JSON true or false only: DRF's BooleanField also takes "true", "yes", 1 and "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class AsSentSchema(OpenApiSerializerFieldExtension):
    """What drf-spectacular makes of the field, with its pattern (and `schema_changes`)."""

    target_class = CheckedAsSent
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if self.target.schema_pattern:
            schema["pattern"] = self.target.schema_pattern
        for key, value in self.target.schema_changes.items():
            if value is None:
                schema.pop(key, None)
            else:
                schema[key] = value
        return schema


class FieldsCopiedSerializer(serializers.Serializer):
    """A serializer that gives each instance shallow copies of its declared fields, not rebuilt ones.

    DRF's `get_fields()` deep-copies every declared field for every instance,
    and a field's deep copy runs its `__init__` again (validators, choices,
    a list's child): 0.5 ms of every API submission for the intake's 30
    fields and 13 screening questions, against 0.05 ms for copies. Each copy
    is still a field of its own, which `bind()` gives its name and parent;
    what it shares with the class's field (its validators, choices, a list's
    child, help text) is built in `__init__` and never changed afterwards.
    Only for serializers whose fields keep nothing per request (no field
    here reads the context).
    """

    @override
    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class ClosedObjectSerializer(serializers.Serializer):
    """A serializer that refuses keys it does not know; its schema says so (`additionalProperties: false`)."""

    unknown_key_message = "Not a known field."

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key)[:50] for key in data if key not in self.fields)
            if unknown:
                message = f"{self.unknown_key_message} Known: {', '.join(self.fields)}"
                raise serializers.ValidationError({key: [message] for key in unknown[:5]})
        return super().to_internal_value(data)


class ClosedObjectSchema(OpenApiSerializerExtension):
    target_class = ClosedObjectSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema
