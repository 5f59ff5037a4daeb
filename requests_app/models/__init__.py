"""Models of the appointment-request app, one module per concern."""

from requests_app.models.appointments import Appointment, AppointmentStatus
from requests_app.models.callbacks import (
    CallAttempt,
    Callback,
    CallbackStatus,
    CallOutcome,
    ClinicClosure,
    ClosingReason,
    StaffProfile,
)
from requests_app.models.intake import (
    AppointmentRequest,
    Channel,
    ContactMethod,
    IdempotencyRecord,
    PainDuration,
    PatientType,
    Priority,
    RequestNote,
    RequestStatus,
)
from requests_app.models.notifications import Notification, NotificationStatus
from requests_app.models.ops import Heartbeat, RetentionRun
from requests_app.models.pipeline import PipelineRecord, PipelineStatus

__all__ = [
    "Appointment",
    "AppointmentRequest",
    "AppointmentStatus",
    "CallAttempt",
    "CallOutcome",
    "Callback",
    "CallbackStatus",
    "Channel",
    "ClinicClosure",
    "ClosingReason",
    "ContactMethod",
    "Heartbeat",
    "IdempotencyRecord",
    "Notification",
    "NotificationStatus",
    "PainDuration",
    "PatientType",
    "PipelineRecord",
    "PipelineStatus",
    "Priority",
    "RequestNote",
    "RequestStatus",
    "RetentionRun",
    "StaffProfile",
]
