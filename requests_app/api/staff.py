"""/api/v1/staff/: the callback queue for the front desk, on the same services as the admin.

Session authentication only: the staff are logged into the admin, and DRF
checks the CSRF token on every unsafe method (send it as `X-CSRFToken`).

The queue refuses a query parameter it does not know, with a 400 naming it:
a misspelled filter (`?overdu=true`) would otherwise show the whole queue as
if it were the filtered one. The other operations take no query parameters
and ignore any sent. JSON only: `?format=` is not a switch here.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from redis.exceptions import RedisError
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.pagination import BasePagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from typing_extensions import override

from requests_app.api.staff_serializers import (
    AttemptInputSerializer,
    CallAttemptSerializer,
    CallbackDetailSerializer,
    CallbackListItemSerializer,
    CloseInputSerializer,
    PriorityInputSerializer,
    StaffErrorSerializer,
    TakeOverInputSerializer,
)
from requests_app.models import CallAttempt, Callback
from requests_app.policy import HeldByAnother, is_front_desk, is_supervisor
from requests_app.selectors import CALLBACK_STATUS_FILTERS, CallbackFilters, callback_list
from requests_app.services import callbacks as services
from requests_app.services.priority import NOT_SUPERVISOR, request_change_priority

logger = logging.getLogger(__name__)

TAGS = ["Staff queue"]
NOT_LOGGED_IN = "Log in to the admin first: the staff API uses the admin's session."
NOT_DESK = "Only the front desk and supervisors can use the staff API."
FLAG_FILTERS = ("mine", "unassigned", "overdue")
TRUE_VALUES = {"true"}
FALSE_VALUES = {"false"}


def desk_user(request: Request) -> User:
    """The signed-in staff member acting. IsFrontDesk or IsSupervisor let no one else through.

    None for nobody signed in: REST_FRAMEWORK's UNAUTHENTICATED_USER (the stubs say AnonymousUser).
    """
    user = request.user
    if user is None or not user.is_authenticated:
        raise NotAuthenticated(NOT_LOGGED_IN)
    return user


class IsFrontDesk(BasePermission):
    """Front desk or supervisor (a supervisor holds every front-desk permission)."""

    message = NOT_DESK

    @override
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user is not None and user.is_authenticated and is_front_desk(user))


class IsSupervisor(BasePermission):
    """Supervisors only: changing a tier overrides triage."""

    message = NOT_SUPERVISOR

    @override
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user is not None and user.is_authenticated and is_supervisor(user))


class StaffThrottle(UserRateThrottle):
    """STAFF_API_RATE requests per staff member."""

    scope = "staff"

    def get_rate(self) -> str:
        # Read at each request, so a changed setting applies without a restart of the class.
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            # The cache (Redis) is down or hangs: the desk keeps working, unthrottled.
            logger.warning("staff rate limit not checked: cache unavailable (%s)", type(error).__name__)
            return True


class QueueCursorPagination(BasePagination):
    """Keyset pagination in queue order (priority, due time, id).

    No COUNT and no OFFSET: every page costs one indexed query at any queue
    size, and a callback claimed or closed meanwhile does not shift the next
    page. The cursor is the last row's sort key.
    """

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering = ("priority_rank", "due_at", "pk")

    @override
    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        self.request = request
        self.page_size = self._requested_size(request)
        queryset = queryset.order_by(*self.ordering)
        after = self._decode(request.query_params.get(self.cursor_query_param))
        if after is not None:
            rank, due_at, pk = after
            queryset = queryset.filter(
                Q(priority_rank__gt=rank)
                | Q(priority_rank=rank, due_at__gt=due_at)
                | Q(priority_rank=rank, due_at=due_at, pk__gt=pk)
            )
        rows = list(queryset[: self.page_size + 1])
        self.next_key = None
        if len(rows) > self.page_size:
            rows = rows[: self.page_size]
            last = rows[-1]
            self.next_key = (last.priority_rank, last.due_at, last.pk)
        return rows

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_next_link(self) -> str | None:
        if self.next_key is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(self.next_key))

    def get_first_link(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def _requested_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise serializers.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    @staticmethod
    def _encode(key: tuple[int, datetime, int]) -> str:
        rank, due_at, pk = key
        raw = f"{rank}|{due_at.isoformat()}|{pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode(cursor: str | None) -> tuple[int, datetime, int] | None:
        if not cursor:
            return None
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            rank, due, pk = raw.split("|")
            due_at = parse_datetime(due)
            if due_at is None or due_at.tzinfo is None:
                raise ValueError(due)
            return int(rank), due_at, int(pk)
        except (ValueError, UnicodeDecodeError, binascii.Error) as error:
            raise NotFound("Invalid cursor: follow the `next` link of the previous page.") from error

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "results": schema,
            },
        }

    @override
    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: taken from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Callbacks per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


DENIED = {
    403: OpenApiResponse(StaffErrorSerializer, description="Not logged in, not front desk, or no CSRF token."),
    429: OpenApiResponse(StaffErrorSerializer, description="Too many requests."),
}
ERRORS = {**DENIED, 404: OpenApiResponse(StaffErrorSerializer, description="No callback with this id.")}
CONFLICT = {
    409: OpenApiResponse(
        StaffErrorSerializer,
        description="The callback's state does not allow it (already closed, or someone else has it).",
    )
}
SUPERVISOR_ONLY = {
    403: OpenApiResponse(StaffErrorSerializer, description="Not logged in, not a supervisor, or no CSRF token."),
}
CALLBACK_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The callback's id.")
BAD_INPUT = {400: OpenApiResponse(description="Invalid fields, keyed by field name.")}


def _refuse_unknown_parameters(request: Request, *, known: tuple[str, ...]) -> None:
    """A 400 naming each query parameter not in `known` (at most five, each cut to 50 characters)."""
    unknown = sorted({name[:50] for name in request.query_params if name not in known})
    if unknown:
        message = f"Not a parameter of the queue. Known: {', '.join(known)}."
        raise serializers.ValidationError({name: [message] for name in unknown[:5]})


def _flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw not in TRUE_VALUES | FALSE_VALUES:
        raise serializers.ValidationError({name: ["Use true or false."]})
    return raw in TRUE_VALUES


@extend_schema_view(
    list=extend_schema(
        operation_id="staff_callback_list",
        summary="The callback queue",
        description="Emergency first, then urgent, then routine; within a tier by due time. Open callbacks (new "
        "or in progress) unless `status` says otherwise. Paginated by cursor: follow `next`. The parameters "
        "below are the only ones it takes: any other is refused with 400, keyed by its name (a misspelled "
        "filter would otherwise list the whole queue).",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=list(CALLBACK_STATUS_FILTERS),
                description="`open` (the default: new or in progress), `all`, or one status.",
            ),
            OpenApiParameter(
                "mine",
                OpenApiTypes.BOOL,
                description="`true`: only callbacks assigned to me. `false` (the default): everyone's.",
            ),
            OpenApiParameter(
                "unassigned",
                OpenApiTypes.BOOL,
                description="`true`: only callbacks nobody holds. `false` (the default): held or not.",
            ),
            OpenApiParameter(
                "overdue",
                OpenApiTypes.BOOL,
                description="`true`: only callbacks past their due time. `false` (the default): due or not.",
            ),
        ],
        responses={
            200: CallbackListItemSerializer(many=True),
            400: OpenApiResponse(
                description="An unknown `status`, a flag other than `true` or `false`, a `page_size` out of range, "
                "or a query parameter the queue does not take; the errors are keyed by the parameter's name."
            ),
            404: OpenApiResponse(StaffErrorSerializer, description="A cursor this API did not give out."),
            **DENIED,
        },
        tags=TAGS,
    ),
    retrieve=extend_schema(
        operation_id="staff_callback_retrieve",
        summary="One callback with its request and attempts",
        description="What the call needs: contact details, the reason in the patient's words, the symptoms "
        "ticked, the red flags triage found (each with its tier, call script and the evidence for it), the "
        "screening answers with the questions to ask first, and every call attempt so far.",
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **ERRORS},
        tags=TAGS,
    ),
)
class StaffCallbackViewSet(viewsets.GenericViewSet):
    """The front desk's callbacks. Every write goes through requests_app.services.callbacks."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsFrontDesk]
    throttle_classes = [StaffThrottle]
    pagination_class = QueueCursorPagination
    queryset = Callback.objects.select_related("request", "assigned_to")
    serializer_class = CallbackListItemSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise NotAuthenticated(NOT_LOGGED_IN)
        raise PermissionDenied(detail=message, code=code)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def queue_parameters(self) -> tuple[str, ...]:
        """Every query parameter the queue reads: its filters and its paginator's."""
        paginator = self.pagination_class
        return ("status", *FLAG_FILTERS, paginator.cursor_query_param, paginator.page_size_query_param)

    def get_queryset(self) -> QuerySet[Callback]:
        queryset = super().get_queryset()
        if self.action != "list":
            attempts = CallAttempt.objects.select_related("made_by").order_by("made_at", "pk")
            return queryset.prefetch_related(Prefetch("attempts", queryset=attempts))
        params = self.request.query_params
        wanted = params.get("status", "open")
        if wanted not in CALLBACK_STATUS_FILTERS:
            raise serializers.ValidationError({"status": [f"Choose one of: {', '.join(CALLBACK_STATUS_FILTERS)}."]})
        filters: CallbackFilters = {"status": wanted}
        if _flag(self.request, "mine"):
            filters["assigned_to"] = self.request.user
        filters["unassigned"] = _flag(self.request, "unassigned")
        filters["overdue"] = _flag(self.request, "overdue")
        return callback_list(filters=filters, queryset=queryset)

    def list(self, request: Request) -> Response:
        _refuse_unknown_parameters(request, known=self.queue_parameters())
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            CallbackListItemSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    # The router passes pk= by keyword, and get_object() reads it from self.kwargs.
    def retrieve(self, _request: Request, pk: str) -> Response:  # noqa: ARG002
        return Response(CallbackDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    # --- the desk's actions ----------------------------------------------------

    def _detail(self, pk: int) -> Response:
        callback = self.get_queryset().get(pk=pk)
        return Response(CallbackDetailSerializer(callback, context=self.get_serializer_context()).data)

    def _act(self, callback_id: int, work: Callable[[], Any], respond: Callable[[Any], Response] | None = None):
        """Run one service call; answer with the callback (or `respond`), or with why it was refused."""
        try:
            result = work()
        except Callback.DoesNotExist as error:
            raise NotFound("No callback with this id.") from error
        except services.CallbackError as error:
            return Response({"detail": " ".join(error.messages)}, status=HTTPStatus.CONFLICT)
        except HeldByAnother as error:
            # A colleague holds the callback: a conflict with its state; the message names them and since when.
            return Response({"detail": str(error)}, status=HTTPStatus.CONFLICT)
        except DjangoValidationError as error:
            # Input the service refused although the serializer let it through (an unchanged tier).
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            ) from error
        except DjangoPermissionDenied as error:
            return Response({"detail": str(error) or NOT_DESK}, status=HTTPStatus.FORBIDDEN)
        return respond(result) if respond else self._detail(callback_id)

    def _input(self, serializer_class) -> dict:
        if not isinstance(self.request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        operation_id="staff_callback_claim",
        summary="Take the callback",
        description="Refused with 409, naming the holder, when someone else already works on it.",
        request=None,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        return self._act(callback_id, lambda: services.callback_claim(callback_id=callback_id, user=desk_user(request)))

    @extend_schema(
        operation_id="staff_callback_release",
        summary="Hand the callback back to the queue",
        description="Only its holder or a supervisor may release it (403 otherwise).",
        request=None,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        return self._act(
            callback_id,
            lambda: services.callback_release(callback_id=callback_id, user=desk_user(request)),
        )

    @extend_schema(
        operation_id="staff_callback_log_attempt",
        summary="Log a call attempt",
        description="Who made it is the logged-in user; an unassigned callback becomes theirs.",
        request=AttemptInputSerializer,
        parameters=[CALLBACK_ID],
        responses={201: CallAttemptSerializer, **BAD_INPUT, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def attempts(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        data = self._input(AttemptInputSerializer)
        return self._act(
            callback_id,
            lambda: services.callback_log_attempt(
                callback_id=callback_id, user=desk_user(request), outcome=data["outcome"], note=data["note"]
            ),
            respond=lambda attempt: Response(CallAttemptSerializer(attempt).data, status=HTTPStatus.CREATED),
        )

    @extend_schema(
        operation_id="staff_callback_close",
        summary="Close the callback with a reason",
        request=CloseInputSerializer,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **BAD_INPUT, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        data = self._input(CloseInputSerializer)
        return self._act(
            callback_id,
            lambda: services.callback_close(
                callback_id=callback_id, user=desk_user(request), reason=data["reason"], note=data["note"]
            ),
        )

    @extend_schema(
        operation_id="staff_callback_take_over",
        summary="Take a colleague's callback, with a reason (supervisors only)",
        description="The supervisor becomes its holder; who held it and why it was taken are kept in the history "
        "and as a note. 403 for anyone but a supervisor; 400 for a missing reason.",
        request=TakeOverInputSerializer,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **BAD_INPUT, **ERRORS, **SUPERVISOR_ONLY, **CONFLICT},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"], url_path="take-over", permission_classes=[IsSupervisor])
    def take_over(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        data = self._input(TakeOverInputSerializer)
        return self._act(
            callback_id,
            lambda: services.callback_take_over(
                callback_id=callback_id, user=desk_user(request), reason=data["reason"]
            ),
        )

    @extend_schema(
        operation_id="staff_callback_change_priority",
        summary="Change the tier, with a reason (supervisors only)",
        description="Sets the request's and the callback's tier and works the due time out again (a lower tier "
        "takes the new, later time; a higher one the earlier of the two). The reason is kept as a note and in the "
        "history. Raising the tier sends that tier's alert to the desk on shift and the supervisors. 403 for "
        "anyone but a supervisor; 400 for a missing reason, an unknown tier or the tier it already has.",
        request=PriorityInputSerializer,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **BAD_INPUT, **ERRORS, **SUPERVISOR_ONLY, **CONFLICT},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"], permission_classes=[IsSupervisor])
    def priority(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        data = self._input(PriorityInputSerializer)

        def change():
            request_id = Callback.objects.values_list("request_id", flat=True).get(pk=callback_id)
            return request_change_priority(
                request_id=request_id, actor=desk_user(request), priority=data["priority"], reason=data["reason"]
            )

        return self._act(callback_id, change)

    @extend_schema(
        operation_id="staff_callback_mark_unreachable",
        summary="Stop calling: the patient could not be reached",
        description="Needs three failed call attempts (409 before that). Emails the patient how to reach the clinic.",
        request=None,
        parameters=[CALLBACK_ID],
        responses={200: CallbackDetailSerializer, **ERRORS, **CONFLICT},
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def unreachable(self, request: Request, pk: str) -> Response:
        callback_id = int(pk)
        return self._act(
            callback_id, lambda: services.callback_mark_unreachable(callback_id=callback_id, user=desk_user(request))
        )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([SessionAuthentication])
@permission_classes([IsFrontDesk])
def staff_not_found(_request: Request) -> Response:
    raise NotFound("No such staff API endpoint.")
