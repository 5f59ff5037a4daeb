"""The patient's pages in a real browser: axe-core's checks, the focus after a failed send, touch targets."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import FORM_URL

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# WCAG 2.2 levels A and AA, as axe-core checks them (target-size among them), and its best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
PUBLIC_PAGES = {
    "home": "/",
    "articles": "/articles/",
    "article": "/articles/why-running-hurts-your-back/",
    "request form": FORM_URL,
    "privacy notice": "/privacy/",
}
SMALLEST_TARGET_PX = 24


def axe_violations(page) -> list[str]:
    """What axe-core finds wrong on the page, one line per rule: its id, impact and the first places."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


@pytest.mark.usefixtures("articles")
@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_each_public_page_passes_axe_core_s_checks(new_visitor, name):
    visitor = new_visitor("screen-reader")
    visitor.page.goto(PUBLIC_PAGES[name])
    expect(visitor.page.get_by_role("heading", level=1)).to_be_visible()
    visitor.shot(name.replace(" ", "-"))
    assert axe_violations(visitor.page) == []
    assert visitor.csp_violations() == [], visitor.console_errors


def test_the_privacy_notice_is_reached_from_the_consent_box_and_from_the_footer(new_visitor):
    visitor = new_visitor("patient")
    page = visitor.page
    page.goto(FORM_URL)
    page.locator("form.request-form").get_by_role("link", name="how we use and keep your details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we use your details")
    expect(page.get_by_text("Privacy notice version")).to_be_visible()
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="How we use your details (privacy notice)").click()
    expect(page).to_have_url(f"{page.url.split('/privacy/')[0]}/privacy/")
    visitor.shot("privacy-notice")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_failed_send_moves_the_focus_to_the_summary_of_what_is_wrong(new_visitor, javascript):
    visitor = new_visitor("keyboard", javascript=javascript)
    page = visitor.page
    page.goto(FORM_URL)
    page.get_by_label("First name").fill("Robin")
    page.get_by_role("button", name="Send my request").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name("There is a problem with your request")
    visitor.shot("summary-focused")
    # The summary sits at the top, under the page's heading, so it is in view without scrolling.
    box = summary.bounding_box()
    assert box is not None and box["y"] < page.viewport_size["height"], box
    # From the summary, Tab goes to its first message, which leads to the field to fix.
    page.keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_be_focused()
    expect(first).to_have_text("Enter your last name")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Last name")).to_be_focused()
    if javascript:
        assert axe_violations(page) == []
    assert visitor.csp_violations() == [], visitor.console_errors


def test_on_a_phone_every_radio_checkbox_and_button_of_the_form_is_at_least_24_px(new_visitor):
    visitor = new_visitor("phone", phone=True)
    page = visitor.page
    page.goto(FORM_URL)
    targets = page.locator(
        "form.request-form input[type=radio], form.request-form input[type=checkbox]:not([name=website]), "
        "form.request-form button"
    )
    assert targets.count() > 40  # the safety questions' radios alone are 39
    small = [
        (target.get_attribute("id") or target.inner_text(), box)
        for target in targets.all()
        if (box := target.bounding_box()) is not None
        and (box["width"] < SMALLEST_TARGET_PX or box["height"] < SMALLEST_TARGET_PX)
    ]
    assert small == []
    visitor.shot("form-on-a-phone")
