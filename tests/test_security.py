"""Security headers on every page, the admin lockout, idle staff sessions, and secure cookies in production."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.utils import timezone

from requests_app.forms import FORM_TOKEN_SALT
from tests.factories import ArticleFactory
from tests.support.intake import screening_answered
from tests.test_settings import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-42"  # the conftest users' password


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff users are made and logged in here; the production hasher's deliberate slowness buys nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def csp_directives(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def security_header_problems(response) -> list[str]:
    """What is missing or wrong in the response's security headers ([] when all is well)."""
    problems = []
    csp = csp_directives(response) if response.has_header("Content-Security-Policy") else {}
    if not csp:
        problems.append("no Content-Security-Policy")
    for directive, wanted in (
        ("default-src", ["'self'"]),
        ("script-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("frame-ancestors", ["'none'"]),
        ("base-uri", ["'self'"]),
    ):
        if csp and csp.get(directive) != wanted:
            problems.append(f"CSP {directive} is {csp.get(directive)}, not {wanted}")
    for header, wanted_value in (
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ):
        if response.get(header) != wanted_value:
            problems.append(f"{header} is {response.get(header)!r}, not {wanted_value!r}")
    return problems


def form_submission() -> dict:
    started = signing.dumps({"t": time.time() - 30, "id": uuid.uuid4().hex}, salt=FORM_TOKEN_SALT)
    return {
        "first_name": "Riley",
        "last_name": "Park",
        "phone": "(603) 555-0123",
        "email": "riley@example.org",
        "reason": "Lower back pain after my long runs.",
        "consent": "on",
        "form_token": started,
        **screening_answered("no"),
    }


# --- headers ------------------------------------------------------------------------------------------


def test_every_public_page_and_the_admin_login_carry_the_csp_and_the_other_security_headers(client):
    article = ArticleFactory.create()
    submitted = client.post("/request-appointment/", form_submission())
    assert submitted.status_code == HTTPStatus.SEE_OTHER, submitted.content.decode()[:2000]
    pages = {
        "home": ("/", HTTPStatus.OK),
        "article list": ("/articles/", HTTPStatus.OK),
        "an article": (f"/articles/{article.slug}/", HTTPStatus.OK),
        "request form": ("/request-appointment/", HTTPStatus.OK),
        "confirmation": (submitted["Location"], HTTPStatus.OK),
        "404 page": ("/no-such-page/", HTTPStatus.NOT_FOUND),
        "API docs": ("/api/docs/", HTTPStatus.OK),
        "API schema": ("/api/schema/", HTTPStatus.OK),
        "sitemap": ("/sitemap.xml", HTTPStatus.OK),
        "robots.txt": ("/robots.txt", HTTPStatus.OK),
        "admin login": ("/admin/login/", HTTPStatus.OK),
        "staff API refusal": ("/api/v1/staff/callbacks/", HTTPStatus.FORBIDDEN),
    }
    wrong = [f"form POST: {p}" for p in security_header_problems(submitted)]
    for name, (url, status) in pages.items():
        response = client.get(url)
        if response.status_code != status:
            wrong.append(f"{name} ({url}): status {response.status_code}, not {status}")
        wrong += [f"{name} ({url}): {problem}" for problem in security_header_problems(response)]
    assert not wrong, "\n".join(wrong)


def test_admin_pages_carry_the_security_headers_too(client, front_desk):
    client.force_login(front_desk)
    for url in ("/admin/", "/admin/requests_app/callback/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert security_header_problems(response) == [], url


def test_the_csp_allows_no_inline_script_or_style():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[directive]
        assert "'unsafe-eval'" not in directives[directive]


# --- lockout ------------------------------------------------------------------------------------------------


def admin_login(client, username: str, password: str, ip: str = "198.51.100.7"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.usefixtures("front_desk")
def test_the_admin_locks_a_username_out_from_one_address_after_repeated_failures(client):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = admin_login(client, "dana", "wrong-password")
        assert response.status_code == HTTPStatus.OK
        assert "Please enter the correct username and password" in response.content.decode()

    locking = admin_login(client, "dana", "wrong-password")
    right_password = admin_login(client, "dana", PASSWORD)

    for response in (locking, right_password):
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        page = response.content.decode()
        assert "Sign-in for this username is paused" in page
        assert f"Try again in {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page
        assert "ask the practice's administrator to unlock your account" in page
        assert response["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
        assert security_header_problems(response) == []
    assert not logged_in(client)
    attempt = AccessAttempt.objects.get(username="dana", ip_address="198.51.100.7")
    assert attempt.failures_since_start >= limit


@pytest.mark.usefixtures("front_desk", "other_front_desk")
def test_the_lockout_is_per_username_and_address_and_ends_after_the_cool_off(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "dana", "wrong-password")
    assert admin_login(client, "dana", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS

    assert admin_login(client, "eli", PASSWORD).status_code == HTTPStatus.FOUND
    client.logout()
    assert admin_login(client, "dana", PASSWORD, ip="198.51.100.8").status_code == HTTPStatus.FOUND
    client.logout()

    AccessAttempt.objects.filter(username="dana").update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    response = admin_login(client, "dana", PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert logged_in(client)


@pytest.mark.usefixtures("front_desk")
def test_a_successful_login_resets_the_failure_count(client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "dana", "wrong-password")
    assert admin_login(client, "dana", PASSWORD).status_code == HTTPStatus.FOUND
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "dana", "wrong-password")
    assert admin_login(client, "dana", PASSWORD).status_code == HTTPStatus.FOUND


# --- idle sessions ----------------------------------------------------------------------------------------------


def test_staff_sessions_last_15_idle_minutes_renewed_by_every_request():
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def _session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_each_request_pushes_the_session_expiry_15_minutes_on(client, front_desk):
    client.force_login(front_desk)
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() + timedelta(minutes=1))

    response = client.get("/admin/")

    assert response.status_code == HTTPStatus.OK
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 900
    remaining = _session(client).expire_date - timezone.now()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)


def test_a_session_idle_past_its_expiry_is_logged_out_of_the_admin_and_the_api(client, front_desk):
    client.force_login(front_desk)
    assert client.get("/admin/").status_code == HTTPStatus.OK
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    admin = client.get("/admin/requests_app/callback/")
    api = client.get("/api/v1/staff/callbacks/")

    assert admin.status_code == HTTPStatus.FOUND
    assert admin["Location"].startswith("/admin/login/")
    assert api.status_code == HTTPStatus.FORBIDDEN
    assert "Log in" in api.json()["detail"]


# --- production --------------------------------------------------------------------------------------------------

PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.test import Client

# The pages link static files through the manifest that collectstatic writes at deploy time
# (the Dockerfile); this probe is about cookies and redirects, so plain static storage will do.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
host = "appointments.example.org"
plain = Client(HTTP_HOST=host).get("/admin/login/")
secure = Client(HTTP_HOST=host).get("/admin/login/", secure=True)
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in (
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE", "DEBUG")},
    "plain": {"status": plain.status_code, "location": plain.get("Location", "")},
    "secure": {
        "status": secure.status_code,
        "hsts": secure.get("Strict-Transport-Security", ""),
        "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]) if "csrftoken" in secure.cookies else None,
    },
}))
"""


def test_production_settings_make_cookies_secure_redirect_to_https_and_send_hsts():
    result = manage("shell", "-c", PRODUCTION_PROBE, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    values = probe["settings"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_AGE"] == 900
    assert values["DEBUG"] is False
    assert probe["plain"]["status"] == HTTPStatus.MOVED_PERMANENTLY
    assert probe["plain"]["location"] == "https://appointments.example.org/admin/login/"
    assert probe["secure"]["status"] == HTTPStatus.OK
    assert "max-age=31536000" in probe["secure"]["hsts"]
    assert probe["secure"]["csrf_cookie_secure"] is True


@pytest.mark.parametrize("value", ["abc\x00def12345", "../../etc", "x" * 100])
def test_a_malformed_session_cookie_is_ignored_not_a_500(client, value):
    client.cookies["sessionid"] = value

    assert client.get("/api/v1/staff/callbacks/").status_code == HTTPStatus.FORBIDDEN
    assert client.get("/").status_code == HTTPStatus.OK


def test_a_login_whose_next_points_elsewhere_lands_on_the_admin_not_a_404(client, front_desk):
    front_desk.set_password("a long enough password 7")
    front_desk.save()
    response = client.post(
        "/admin/login/?next=https://evil.example/",
        {"username": front_desk.username, "password": "a long enough password 7", "next": "https://evil.example/"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/admin/"
