"""The request form for people who use the keyboard alone or a screen reader."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from requests_app.models import AppointmentRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORM_URL = "/request-appointment/"
TYPING_DELAY_MS = 50
MAX_TABS = 60


def tab_to(visitor, element_id: str) -> list[str]:
    """Press Tab until the element with `element_id` has the focus; the ids passed on the way."""
    passed = []
    for _ in range(MAX_TABS):
        visitor.page.keyboard.press("Tab")
        focused = visitor.focused()
        if focused["id"] == element_id:
            return passed
        passed.append(focused["id"] or focused["tag"])
    raise AssertionError(f"Tab never reached #{element_id}; it went through {passed}")


def assert_focus_is_visible(visitor) -> None:
    focused = visitor.focused()
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] != "0px", focused
    assert focused["width"] > 0 and focused["height"] > 0 and focused["left"] >= 0 and focused["top"] >= 0, focused


def test_the_skip_link_comes_first_is_visible_when_focused_and_moves_focus_to_the_main_content(new_visitor):
    visitor = new_visitor("keyboard")
    visitor.page.goto(FORM_URL)
    visitor.page.keyboard.press("Tab")

    focused = visitor.focused()
    assert (focused["tag"], focused["className"], focused["text"]) == ("a", "skip-link", "Skip to main content")
    assert_focus_is_visible(visitor)
    visitor.shot("skip-link")

    visitor.page.keyboard.press("Enter")
    assert visitor.focused()["id"] == "main"
    visitor.page.keyboard.press("Tab")
    # The next stop is inside the main content, not back in the header.
    assert visitor.page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_the_form_can_be_filled_in_and_sent_with_the_keyboard_alone(new_visitor):
    visitor = new_visitor("keyboard")
    page = visitor.page
    page.goto(FORM_URL)

    passed = tab_to(visitor, "id_first_name")
    assert_focus_is_visible(visitor)
    page.keyboard.type("Robin", delay=TYPING_DELAY_MS)
    passed += tab_to(visitor, "id_last_name")
    page.keyboard.type("Strider", delay=TYPING_DELAY_MS)
    passed += tab_to(visitor, "id_phone")
    page.keyboard.type("(603) 555-0123", delay=TYPING_DELAY_MS)
    passed += tab_to(visitor, "id_email")
    page.keyboard.type("robin@example.org", delay=TYPING_DELAY_MS)
    passed += tab_to(visitor, "id_reason")
    page.keyboard.type("Stiff lower back after hills.", delay=TYPING_DELAY_MS)
    passed += tab_to(visitor, "id_consent")
    page.keyboard.press("Space")
    expect(page.locator("#id_consent")).to_be_checked()
    assert_focus_is_visible(visitor)
    visitor.shot("consent-ticked")

    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = visitor.focused()
        if focused["tag"] == "button" and focused["type"] == "submit":
            break
        passed.append(focused["id"] or focused["tag"])
    else:
        raise AssertionError(f"Tab never reached the send button; it went through {passed}")
    assert focused["text"] == "Send my request"
    assert_focus_is_visible(visitor)
    visitor.shot("send-button-focused")
    # The honeypot is for bots: a keyboard user must never land in it.
    assert "id_website" not in passed

    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your request")
    visitor.shot("confirmation")
    reference = page.locator(".reference").inner_text()
    request = AppointmentRequest.objects.get(reference=reference)
    assert (request.first_name, request.last_name, request.email, request.consent) == (
        "Robin",
        "Strider",
        "robin@example.org",
        True,
    )
    assert visitor.csp_violations() == [], visitor.console_errors


def test_a_screen_reader_hears_each_field_s_hint_and_error_with_the_field(new_visitor):
    visitor = new_visitor("screen-reader")
    page = visitor.page
    page.goto(FORM_URL)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem with your request")

    dangling = page.evaluate(
        """() => [...document.querySelectorAll("form [aria-describedby]")].flatMap(el =>
            el.getAttribute("aria-describedby").split(/\\s+/).filter(id => id && !document.getElementById(id))
              .map(id => `${el.id || el.tagName} -> ${id}`))"""
    )
    assert dangling == []
    # What a screen reader announces on the phone field: its hint and what is wrong.
    description = page.get_by_label("Phone number")
    expect(description).to_have_accessible_description(
        "The number we should call. Include the country code if it is not a US number. This field is required."
    )
