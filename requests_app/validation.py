"""Field rules shared by the HTML form and the API serializer."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# C0 and C1 control characters except tab, newline and carriage return; the
# Unicode line and paragraph separators (Python and some mail code break lines
# at them); and the bidirectional overrides and isolates, which make the admin
# show text in another order than it was written. (Zero-width joiners stay:
# emoji and several scripts need them.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"[\r\n\t]")

NAME_MAX_LENGTH = 100


def no_control_characters(value: str) -> None:
    if _CONTROL.search(value or ""):
        raise ValidationError("Remove the invisible control characters from this text.", code="control_characters")


def single_line(value: str) -> None:
    no_control_characters(value)
    if _LINE_BREAK.search(value or ""):
        raise ValidationError("Write this on one line.", code="line_break")


def plain_email_address(value: str) -> None:
    """No spaces, control characters or line separators anywhere, quoted local parts included.

    Python splits header lines at \x0b, \x0c, \x1c-\x1e, \x85 and U+2028/9, so one of
    them in an address would reach the To: header as a line break.
    """
    if any(char.isspace() or not char.isprintable() for char in value or ""):
        raise ValidationError(
            "Write the email address without spaces or invisible characters.", code="email_characters"
        )


def require_consent(value: bool) -> None:
    if value is not True:
        raise ValidationError(
            "Tick the box to agree that we may contact you: we need it to call you back.", code="consent_required"
        )
