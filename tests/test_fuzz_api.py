"""Hostile input against every operation of /api/schema/: never a 5xx, never an answer outside the schema.

Schemathesis reads the schema the site serves and generates requests from it:
positive cases (valid by the schema) and negative ones (each breaking it
somewhere: wrong types, out-of-range values, bodies that are not objects,
ids that are not numbers). They go through the real WSGI application, in
this process and on the test database, and every response is judged by all
of schemathesis's checks: no 5xx, status code, content type, headers and
body as documented, negative data refused. The staff operations run twice:
as a logged-in front-desk member (session cookie and CSRF token, as a
browser sends them) and as nobody.

Valid by the schema means accepted: a public positive case is answered
200 or 201, or refused for one of the two rules the schema says in words
because no JSON Schema can state them (a phone number must be in use under
its country's numbering plan; an email address must pass Django's
validator), or for an Idempotency-Key (reused with another body: 422; not
printable or too long: its rule is in the operation's description, not yet
in the header's schema).

What this test changes in the generated cases or the checks, and why:
- Half of the public positive cases get a phone number in use: the E.164
  pattern lets through numbers no country has given out, so without this
  few cases would get past validation into the intake.
- Half of the staff cases point at a callback that exists, or nearly every
  case would be a 404; never when the id is the part a negative case breaks.
  Half of the positive schedule cases get a date the schedule accepts (in
  the future, within a year), which a schema cannot say either.
- `ignored_auth` is left out of the logged-in run: it drops the session and
  requires 401, but session authentication has no challenge to send, so DRF
  answers 403, as documented. The anonymous run checks what it is after:
  every staff operation refuses without a session.
- `negative_data_rejection` (a negative case must be refused) is applied
  only when the invalid part reaches the server: not when it was the
  session cookie (replaced by a real one here, and refused with 403 in the
  anonymous run), a query value that is not sent at all (null, an empty
  list), or query parameters and headers the operation does not declare.
  Schemathesis means to let an API ignore undeclared ones, but 3.39 judges
  the declared ones by JSON type, so a boolean sent as "true" counts as
  invalid and its exemption never applies to an operation that has one
  (`has_only_additional_properties_in_non_body_parameters`). The request as
  sent is what is judged, each value read as the API reads it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any, TypeVar

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st
from phonenumber_field.phonenumber import to_python
from schemathesis import DataGenerationMethod
from schemathesis.internal.result import Err, Ok
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection

from clinic.wsgi import application
from requests_app.models import Callback
from requests_app.services.pipeline import request_process
from tests.support import schemathesis_rules as rules
from tests.support.intake import patient_fields, submit

pytestmark = pytest.mark.django_db

METHODS = (DataGenerationMethod.positive, DataGenerationMethod.negative)
# Per run. CI draws the same cases every time (the "ci" profile, tests/conftest.py); a developer's
# runs draw new ones each time, so what they explore adds up across runs. The deep run is
# tests/support/live_schemathesis.py (over 3,000 cases against a live server).
PUBLIC_EXAMPLES = 150  # per data generation method
STAFF_EXAMPLES = 25  # per operation and method, logged in
# Refused at authentication, before any of the input is read: a few show that, more show nothing new.
ANONYMOUS_EXAMPLES = 3  # per operation and method
PUBLIC_PATH = "/api/v1/appointment-requests/"
STAFF_PREFIX = "/api/v1/staff/"

T = TypeVar("T")


def loaded(result: Ok[T] | Err[Any]) -> T:
    """The operation schemathesis loaded; an operation it could not load fails the test here."""
    assert isinstance(result, Ok), result.err()
    return result.ok()


@pytest.fixture
def keep_the_test_connection():
    """Requests through the bare WSGI app must not close the test's database connection.

    Django closes connections when a request ends; its test client turns that
    off for the duration of a test, and so does this.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api(settings, keep_the_test_connection):  # noqa: ARG001 (requested for its effect: the WSGI calls keep the test connection)
    """The schema the site serves, its operations called through the WSGI app, rate limits out of the way."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "appointment_request": "1000000/hour",
            "staff": "1000000/hour",
        },
    }
    schema = schemathesis.from_wsgi("/api/schema/", application)
    operations = [loaded(result) for result in schema.get_all_operations()]
    unexpected = [
        op.verbose_name for op in operations if op.path != PUBLIC_PATH and not op.path.startswith(STAFF_PREFIX)
    ]
    assert not unexpected, f"operations this test does not know how to call: {unexpected}"
    return operations


@pytest.fixture
def desk_session(front_desk) -> dict:
    """What a logged-in front-desk member's browser sends: the session cookie and the CSRF token."""
    client = Client()
    client.force_login(front_desk)
    token = get_random_string(32)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


@pytest.fixture
def callback_ids(front_desk) -> list[int]:  # noqa: ARG001 (requested for its effect: the desk member the callbacks are assigned to)
    """A dozen callbacks made the real way (intake, then the pipeline), most assigned to the desk member."""
    for n in range(12):
        request = submit(symptoms=["bladder_bowel"] if n % 4 == 0 else []).request
        request_process(request_id=request.pk)
    return list(Callback.objects.values_list("pk", flat=True))


def negation_reaches_the_server(case, response) -> bool:
    """Whether a negative case's invalid part was sent (tests.support.schemathesis_rules)."""
    return rules.negation_reaches_the_server(case, response.request.url, dict(response.request.headers))


def fuzz(operation, method, *, examples: int, prepare=None, session=None, excluded_checks=(), judge=None) -> Counter:
    """Run `examples` generated cases of one operation; the status codes it answered with.

    `judge(case, response)` asserts what schemathesis's checks do not.
    """
    statuses: Counter = Counter()

    @given(case=operation.as_strategy(data_generation_method=method), data=st.data())
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        # No shrinking: the cases change the database (a claimed or closed callback answers
        # differently the second time), so a failure does not replay the same way, and the
        # curl line schemathesis prints is the reproduction.
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def run(case, data):
        if prepare is not None:
            prepare(case, data)
        response = case.call(**(session or {}))
        excluded = tuple(excluded_checks)
        if method.is_negative and not negation_reaches_the_server(case, response):
            excluded += (negative_data_rejection,)
        case.validate_response(response, excluded_checks=excluded, transport_kwargs=session)
        if judge is not None:
            judge(case, response)
        statuses[response.status_code] += 1

    run()
    return statuses


def with_a_phone_number_in_use(case, data) -> None:
    if isinstance(case.body, dict) and data.draw(st.booleans(), label="a phone number in use"):
        case.body["phone"] = patient_fields()["phone"]


def valid_by_the_schema_is_accepted(case, response) -> None:
    """A positive case is accepted, or refused only for a rule the schema states in words alone."""
    status = response.status_code
    if status in (200, 201):
        return
    errors = response.json  # werkzeug's response: a property
    if status == 422 or (status == 400 and set(errors) == {"detail"}):
        assert "Idempotency-Key" in errors["detail"], errors
        return
    assert status == 400, (status, errors)
    assert set(errors) <= {"phone", "email"}, errors
    if "phone" in errors:
        assert not to_python(case.body["phone"]).is_valid(), case.body["phone"]
    if "email" in errors:
        with pytest.raises(DjangoValidationError):
            validate_email(case.body["email"].strip())


def at_a_real_callback(ids: list[int]):
    def prepare(case, data) -> None:
        meta = case.meta
        id_is_the_negation = (
            meta is not None
            and meta.path_parameters is not None
            and meta.path_parameters.is_negative
            and not (meta.body is not None and meta.body.is_negative and rules.present(case.body))
        )
        if case.path_parameters and not id_is_the_negation and data.draw(st.booleans(), label="real id"):
            case.path_parameters["id"] = data.draw(st.sampled_from(ids), label="callback id")
        body_is_the_negation = meta is not None and meta.body is not None and meta.body.is_negative
        if (
            case.operation.path.endswith("/schedule/")
            and isinstance(case.body, dict)
            and not body_is_the_negation
            # True first: Hypothesis leans to the first choice, and without it nothing gets booked.
            and data.draw(st.sampled_from([True, False]), label="a date the schedule accepts")
        ):
            days = data.draw(st.integers(1, 300), label="days ahead")
            case.body["appointment_date"] = (timezone.localdate() + timedelta(days=days)).isoformat()

    return prepare


def report(ran: dict[str, Counter]) -> int:
    for name, statuses in ran.items():
        print(f"{sum(statuses.values()):4d}  {name}: {dict(sorted(statuses.items()))}")
    total = sum(sum(statuses.values()) for statuses in ran.values())
    print(f"{total} cases")
    return total


def test_the_public_api_answers_hostile_input_without_a_server_error_and_as_documented(api):
    [operation] = [op for op in api if op.path == PUBLIC_PATH]
    ran = {
        f"{operation.verbose_name} {method.name}": fuzz(
            operation,
            method,
            examples=PUBLIC_EXAMPLES,
            prepare=with_a_phone_number_in_use if method.is_positive else None,
            judge=valid_by_the_schema_is_accepted if method.is_positive else None,
        )
        for method in METHODS
    }
    assert report(ran) >= 2 * PUBLIC_EXAMPLES
    assert ran[f"{operation.verbose_name} positive"][201] > 0  # the intake itself was reached


def test_the_staff_api_answers_hostile_input_without_a_server_error_and_as_documented(api, desk_session, callback_ids):
    staff = [op for op in api if op.path.startswith(STAFF_PREFIX)]
    assert staff
    ran: dict[str, Counter] = {}
    for operation in staff:
        for method in METHODS:
            ran[f"{operation.verbose_name} {method.name} as front desk"] = fuzz(
                operation,
                method,
                examples=STAFF_EXAMPLES,
                prepare=at_a_real_callback(callback_ids),
                session=desk_session,
                excluded_checks=(ignored_auth,),
            )
            anonymous = fuzz(operation, method, examples=ANONYMOUS_EXAMPLES, prepare=at_a_real_callback(callback_ids))
            ran[f"{operation.verbose_name} {method.name} anonymous"] = anonymous
            assert set(anonymous) == {403}, (operation.verbose_name, method.name, anonymous)
    assert report(ran) >= len(staff) * 2 * (STAFF_EXAMPLES + ANONYMOUS_EXAMPLES)


@pytest.mark.usefixtures("callback_ids")
def test_the_staff_queue_answers_any_text_in_its_query_string_without_a_server_error(api, front_desk):
    """Schemathesis sends typed values of declared parameters; here any name gets arbitrary Unicode text.

    A parameter the schema does not declare is refused with 400, keyed by its name.
    """
    [listing] = [op for op in api if op.path == f"{STAFF_PREFIX}callbacks/" and op.method.upper() == "GET"]
    names = [parameter.name for parameter in listing.query]
    client = Client()
    client.force_login(front_desk)
    statuses: Counter = Counter()
    # Names Django's query parsing keeps as they are: no "&", "=" or "#", nothing it strips or decodes.
    undeclared = st.text(st.characters(codec="utf-8", exclude_characters="&=#;+%"), min_size=1, max_size=20).filter(
        lambda name: name.strip() == name and name not in names
    )

    @given(query=st.dictionaries(st.one_of(st.sampled_from(names), undeclared), st.text(), max_size=len(names)))
    @example(query={"page_size": "²"})  # str.isdigit() is true for it; int() refuses it
    @example(query={"overdu": "true"})
    @hypothesis.settings(max_examples=200, deadline=None, database=None, print_blob=True)
    def get(query):
        response = client.get(listing.path, query)
        assert response.status_code < 500
        unknown = sorted(name[:50] for name in query if name not in names)
        if unknown:
            assert response.status_code == 400, (query, response.content)
            assert set(unknown[:5]) <= set(response.json()), (query, response.json())
        statuses[response.status_code] += 1

    get()
    print(dict(statuses))
