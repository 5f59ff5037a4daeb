"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Every step a person takes is saved as a full-page screenshot under
`test-artifacts/e2e/<test>-<nn>-<who>-<step>.png` (ignored by git), and a
failing test leaves one more of each open page, named `...-FAILED.png`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from requests_app.forms import MIN_FILL_SECONDS
from requests_app.triage.screening import ANSWER_LABELS, QUESTIONS, QUESTIONS_BY_CODE
from tests.support.processes import ROOT, CeleryWorker

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying hosts that the
# closed network of the test machines never answers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "a-long-test-password-42"  # the staff fixtures' password (tests/conftest.py)
STEP_TIMEOUT_MS = 10_000
FORM_URL = "/request-appointment/"
SKIP_LABEL = "I would rather answer these questions on the phone"
EMERGENCY_TITLE = "Go to an emergency department now"
URGENT_TITLE = "We will call you soon"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the browser tests; each person gets a fresh context (cookies) in it."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in this thread
        # while it is started, so Django takes the synchronous test code for
        # async code and refuses its ORM calls (SynchronousOnlyOperation).
        # Only for as long as the browser runs; the rest of the suite keeps the check.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@dataclass
class Visitor:
    """One person at one browser window: their page, what their console said, their screenshots."""

    page: Page
    who: str
    _shoot: Callable[[Page, str], Path]
    console_errors: list[str] = field(default_factory=list)

    def shot(self, step: str) -> Path:
        return self._shoot(self.page, f"{self.who}-{step}")

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]

    def focused(self) -> dict:
        """What has the keyboard focus now: tag, id, classes, text, and its outline as drawn."""
        return self.page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return {
                    tag: el.tagName.toLowerCase(), id: el.id, className: el.className,
                    type: el.getAttribute("type") || "", name: el.getAttribute("name") || "",
                    text: (el.innerText || el.value || "").trim().slice(0, 80),
                    outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth,
                    left: box.left, top: box.top, width: box.width, height: box.height,
                };
            }"""
        )


@pytest.fixture
def new_visitor(browser, live_server, request) -> Iterator:
    """`new_visitor("patient")`: a fresh browser context (own cookies) on the live server."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = request.node.name
    for stale in ARTIFACTS.glob(f"{test_name}-*.png"):
        stale.unlink()
    numbers = itertools.count(1)

    def shoot(page: Page, step: str) -> Path:
        path = ARTIFACTS / f"{test_name}-{next(numbers):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    contexts, visitors = [], []

    def open_visitor(who: str, *, javascript: bool = True, phone: bool = False) -> Visitor:
        """`javascript=False`: a browser with scripts off; `phone=True`: a phone's screen and touch."""
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(
            base_url=live_server.url,
            viewport=size,
            java_script_enabled=javascript,
            has_touch=phone,
            is_mobile=phone,
            device_scale_factor=3 if phone else 1,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        visitor = Visitor(page=page, who=who, _shoot=shoot)

        def on_console(message) -> None:
            # CSP violations are reported here, as console errors ("Refused to ... Content Security Policy").
            if message.type == "error":
                visitor.console_errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: visitor.console_errors.append(f"uncaught: {error}"))
        visitors.append(visitor)
        return visitor

    yield open_visitor

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for visitor in visitors:
            try:
                visitor.shot("FAILED")
            except Exception as error:  # noqa: BLE001 (a failed screenshot must not hide the test's own failure)
                print(f"no failure screenshot for {visitor.who}: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def articles(transactional_db) -> None:  # noqa: ARG001 (requested for its effect: database access)
    """The clinic's shipped articles (a transactional test starts with an empty database)."""
    call_command("load_articles", stdout=StringIO())


@pytest.fixture
def pipeline_worker(transactional_db, broker, smtp_server, tmp_path, request) -> Iterator[CeleryWorker]:  # noqa: ARG001 (requested for its effect: database access)
    """A real Celery worker on the test database, sending its email to the test's SMTP server.

    Not the shared `celery_worker` fixture: that worker writes email to the
    development mailbox under var/mail/, and these tests read the patient's
    emails from the SMTP server instead.
    """
    worker = CeleryWorker(broker, tmp_path / "worker.log", extra_env=smtp_server.settings_env())
    worker.start()
    yield worker
    worker.kill()  # the test is over (see CeleryWorker.kill)
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(worker.log()[-5000:])


def staff_login(visitor: Visitor, username: str) -> None:
    """Log in to the admin as `username` through its login page."""
    page = visitor.page
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def screening_question(scope: Page | Locator, code: str) -> Locator:
    """A safety question found as a screen reader finds it: the group its legend (the question) names."""
    return scope.get_by_role("group", name=QUESTIONS_BY_CODE[code].text, exact=True)


def answer_screening(
    scope: Page | Locator, answers: dict[str, str] | None = None, *, others: str | None = "no"
) -> None:
    """Click an answer to each safety question: `answers[code]`, else `others` (None leaves it unanswered)."""
    answers = answers or {}
    for question in QUESTIONS:
        answer = answers.get(question.code, others)
        if answer is not None:
            screening_question(scope, question.code).get_by_role(
                "radio", name=ANSWER_LABELS[answer], exact=True
            ).check()


@dataclass(frozen=True)
class Patient:
    first_name: str
    last_name: str
    phone: str
    email: str
    reason: str = "My lower back aches after long runs and I would like advice on my training."


def fill_in_details(scope: Page | Locator, patient: Patient, *, delay_ms: int = 20) -> None:
    """Type the patient's details as a person does, key by key, and agree to be contacted."""
    scope.get_by_label("First name").press_sequentially(patient.first_name, delay=delay_ms)
    scope.get_by_label("Last name").press_sequentially(patient.last_name, delay=delay_ms)
    scope.get_by_label("Phone number").press_sequentially(patient.phone, delay=delay_ms)
    scope.get_by_label("Email address").press_sequentially(patient.email, delay=delay_ms)
    scope.get_by_label("What would you like help with?").press_sequentially(patient.reason, delay=delay_ms)
    scope.get_by_label("I agree that the clinic may contact me").check()


def send_when_a_person_could(page: Page, opened_at: float) -> None:
    """Click "Send my request" as if MIN_FILL_SECONDS had passed since the form was shown.

    Sooner, the request is accepted but the desk is asked to check it is a
    real one (autofill is that fast); a test's quick clicks should not be.
    The server's clock is moved on for the send (time-machine: the live
    server answers in this process), not waited for.
    """
    remaining = MIN_FILL_SECONDS + 0.5 - (time.monotonic() - opened_at)
    if remaining <= 0:
        page.get_by_role("button", name="Send my request").click()
        return
    with time_machine.travel(timedelta(seconds=remaining), tick=True), page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()
