"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Every step a person takes is saved as a full-page screenshot under
`test-artifacts/e2e/<test>-<nn>-<who>-<step>.png` (ignored by git), and a
failing test leaves one more of each open page, named `...-FAILED.png`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, sync_playwright

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

    def open_visitor(who: str) -> Visitor:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
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
            except Exception as error:  # a failed screenshot must not hide the test's own failure
                print(f"no failure screenshot for {visitor.who}: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def articles(transactional_db) -> None:
    """The clinic's shipped articles (a transactional test starts with an empty database)."""
    call_command("load_articles", stdout=StringIO())


@pytest.fixture
def pipeline_worker(transactional_db, broker, smtp_server, tmp_path, request) -> Iterator[CeleryWorker]:
    """A real Celery worker on the test database, sending its email to the test's SMTP server.

    Not the shared `celery_worker` fixture: that worker writes email to the
    development mailbox under var/mail/, and these tests read the patient's
    emails from the SMTP server instead.
    """
    worker = CeleryWorker(broker, tmp_path / "worker.log", extra_env=smtp_server.settings_env())
    worker.start()
    yield worker
    worker.stop()
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
