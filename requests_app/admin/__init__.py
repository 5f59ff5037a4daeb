"""The admin: the callback queue, the requests behind it, and the outboxes."""

from requests_app.admin import callbacks, operations, requests  # noqa: F401  (registers the model admins)
