"""Prepare a throwaway database for `schemathesis run` against a live server, and print the commands.

    export DATABASE_URL=sqlite:////tmp/st.sqlite3 APPOINTMENT_REQUEST_RATE=1000000/hour STAFF_API_RATE=1000000/minute
    .venv/bin/python manage.py migrate --noinput
    .venv/bin/python -m tests.support.live_schemathesis          # prints what follows
    .venv/bin/python manage.py runserver 127.0.0.1:8077 --noreload &
    (then the two schemathesis commands it printed)

It makes a login with a session (`--role`: front desk or supervisor), and `--callbacks` callbacks the
real way (intake, then the pipeline). It refuses to run without an explicit
DATABASE_URL: it must never fill the development database with test patients.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import sys

import django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=30)
    parser.add_argument("--url", default="http://127.0.0.1:8077")
    parser.add_argument("--examples", type=int, default=100, help="hypothesis examples per operation")
    parser.add_argument("--role", choices=["front_desk", "supervisor"], default="front_desk")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to a throwaway database first (e.g. sqlite:////tmp/st.sqlite3).", file=sys.stderr)
        return 2

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

    django.setup()
    from django.contrib.auth import (  # noqa: PLC0415 (after django.setup() above)
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
    )
    from django.contrib.auth.models import Group, User  # noqa: PLC0415 (after django.setup() above)
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415 (after django.setup() above)

    from requests_app.models import Callback, Channel, StaffProfile  # noqa: PLC0415 (after django.setup() above)
    from requests_app.roles import FRONT_DESK, SUPERVISOR  # noqa: PLC0415 (after django.setup() above)
    from requests_app.services.intake import appointment_request_create  # noqa: PLC0415 (after django.setup() above)
    from requests_app.services.pipeline import request_process  # noqa: PLC0415 (after django.setup() above)

    group = {"front_desk": FRONT_DESK, "supervisor": SUPERVISOR}[args.role]
    user, _ = User.objects.get_or_create(username=f"fuzz-{args.role}", defaults={"email": "fuzz@clinic.example"})
    user.is_staff = True
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=group))
    StaffProfile.objects.get_or_create(user=user, defaults={"on_shift": True})
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    session.set_expiry(24 * 3600)
    session.create()

    first = Callback.objects.count()
    for n in range(first, first + args.callbacks):
        request = appointment_request_create(
            first_name="Jordan",
            last_name=f"Runner{n}",
            phone=f"+1603555{n % 10_000:04d}",
            email=f"jordan{n}@example.org",
            reason="My lower back is sore after long runs.",
            consent=True,
            symptoms=["bladder_bowel"] if n % 4 == 0 else [],
            channel=Channel.API,
        ).request
        request_process(request_id=request.pk)

    ids = ",".join(str(pk) for pk in Callback.objects.order_by("pk").values_list("pk", flat=True))
    token = secrets.token_hex(16)  # a CSRF secret: the cookie and the header carry the same one
    common = [
        ".venv/bin/schemathesis",
        "run",
        f"{args.url}/api/schema/",
        "--checks",
        "all",
        "--data-generation-method",
        "all",
        "--hypothesis-max-examples",
        str(args.examples),
        "--hypothesis-database",
        "none",
        "--experimental-no-failfast",
        "--generation-with-security-parameters",
        "false",
    ]
    env = f"PYTHONPATH=. SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks SCHEMATHESIS_CALLBACK_IDS={ids}"
    logged_in = [
        *common,
        # ignored_auth drops the session and wants 401; session authentication has no challenge to send, so the
        # staff API answers 403, as documented. The anonymous run below checks every operation refuses.
        "--exclude-checks",
        "ignored_auth",
        "--header",
        f"Cookie: sessionid={session.session_key}; csrftoken={token}",
        "--header",
        f"X-CSRFToken: {token}",
    ]
    print(f"# logged in ({args.role}):")
    print(env, shlex.join(logged_in))
    print("# anonymous, the staff operations only (each must refuse):")
    print(env, shlex.join([*common, "--include-path-regex", "^/api/v1/staff/"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
