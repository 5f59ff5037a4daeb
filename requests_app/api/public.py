"""POST /api/v1/appointment-requests/: the public API, on the same service as the form."""

from __future__ import annotations

import re
from http import HTTPStatus

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.selectors import article_source_get
from requests_app.api.serializers import (
    AppointmentRequestCreatedSerializer,
    AppointmentRequestInputSerializer,
    ErrorSerializer,
)
from requests_app.deadlines import expected_callback_timing
from requests_app.formatting import best_time_note, clinic_local, format_moment
from requests_app.models import Channel
from requests_app.services.idempotency import IdempotencyConflict, fingerprint, idempotent_submission
from requests_app.services.intake import IntakeResult, appointment_request_create
from requests_app.throttling import AppointmentRequestThrottle, client_ip
from requests_app.triage.guidance import guidance_for

MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_KEY_MAX_LENGTH = 200
# Printable ASCII without spaces: what a header can carry unchanged through any proxy.
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


def created_body(result: IntakeResult) -> dict:
    """The answer, from the submission's own row only: a repeat merged into an open request reads like a new one."""
    request = result.request
    priority = request.priority
    timing = expected_callback_timing(request)
    return {
        "reference": request.reference,
        "priority": priority,
        "urgent": priority != "routine",
        "expected_callback": {
            # On the clinic's clock, with its offset: one clock, in the machine-readable form too.
            "by": clinic_local(timing.due_at).isoformat(),
            "text": format_moment(timing.due_at),
            "note": best_time_note(timing),
        },
        "guidance": guidance_for(priority),
    }


EXAMPLE_REQUEST = {
    "first_name": "Alex",
    "last_name": "Rivera",
    "phone": "+16035550177",
    "email": "alex@example.org",
    "reason": "Lower back aches after long runs since I doubled my mileage.",
    "consent": True,
    "best_time_slots": ["morning"],
    "symptoms": ["lower_back_pain", "stiffness"],
    "screening": {"saddle_numbness": "no", "bladder_bowel": "no", "leg_nerves": "no", "fever": "no"},
    "source_article": "why-running-hurts-your-back",
}


class AppointmentRequestCreateView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AppointmentRequestThrottle]

    @extend_schema(
        operation_id="appointment_request_create",
        summary="Request an appointment",
        description=(
            "The clinic's front desk calls the patient back to schedule the appointment. Only first_name, "
            "last_name, phone, email and consent are required (reason is optional, as on the form). Send an "
            "`Idempotency-Key` header to make retries safe: the same key with the same body replays the first "
            "answer; with another body it is refused with 422. Query parameters are not used and are ignored. A "
            "submission from the phone or email of an open request is answered exactly like a new one (its own "
            "reference, its own tier)."
        ),
        request=AppointmentRequestInputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="A unique value per submission (a UUID), 1 to 200 printable ASCII characters.",
                pattern=IDEMPOTENCY_KEY_PATTERN.pattern,
            )
        ],
        responses={
            201: AppointmentRequestCreatedSerializer,
            400: OpenApiResponse(description="Invalid fields (errors keyed by field) or a malformed body."),
            413: ErrorSerializer,
            415: ErrorSerializer,
            422: ErrorSerializer,
            429: ErrorSerializer,
            503: OpenApiResponse(
                ErrorSerializer,
                description="The database cannot be reached: nothing was saved. Retry after `Retry-After` seconds.",
            ),
        },
        examples=[
            OpenApiExample("A short request", value=EXAMPLE_REQUEST, request_only=True),
            OpenApiExample(
                "Accepted",
                response_only=True,
                status_codes=["201"],
                value={
                    "reference": "K3F7-9XQ2",
                    "priority": "routine",
                    "urgent": False,
                    "expected_callback": {
                        "by": "2026-11-24T10:15:00-05:00",
                        "text": "Tuesday 24 November at 10:15 am EST",
                        "note": "",
                    },
                    "guidance": None,
                },
            ),
        ],
        tags=["Appointment requests"],
    )
    def post(self, request: Request) -> Response:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return Response(
                {"detail": f"The request body is too large: at most {MAX_BODY_BYTES // 1024} KB."},
                status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        data = request.data
        if not isinstance(data, dict):
            raise ParseError("Send a JSON object with the request's fields.")
        serializer = AppointmentRequestInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        slug = fields.pop("source_article")
        fields["phone"] = str(fields["phone"])
        fields["screening"] = dict(fields.get("screening") or {})

        def create():
            result = appointment_request_create(
                **fields,
                source_article=article_source_get(slug=slug),
                channel=Channel.API,
                client_ip=client_ip(request),
            )
            return result.request, status.HTTP_201_CREATED, created_body(result)

        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            _, code, body = create()
            return Response(body, status=code)
        if not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
            return Response(
                {
                    "detail": "Idempotency-Key must be 1 to "
                    f"{IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters without spaces (a UUID is right)."
                },
                status=HTTPStatus.BAD_REQUEST,
            )
        try:
            outcome = idempotent_submission(key=f"api:{key}", fingerprint=fingerprint(data), create=create)
        except IdempotencyConflict:
            return Response(
                {"detail": "This Idempotency-Key was already used with a different body. Use a new key."},
                status=HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        response = Response(outcome.body, status=outcome.status_code)
        if outcome.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
