"""The admin: the callback queue, the requests behind it, the outboxes and the staff accounts."""

from requests_app.admin import callbacks, operations, requests, staff  # noqa: F401  (registers the model admins)
