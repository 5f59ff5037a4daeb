"""The request form for people who use the keyboard alone or a screen reader."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from requests_app.forms import SCREENING_ERROR
from requests_app.models import AppointmentRequest
from requests_app.triage.screening import GROUPS, QUESTIONS, QUESTIONS_BY_CODE
from tests.e2e.conftest import FORM_URL, SKIP_LABEL, URGENT_TITLE, screening_question

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TYPING_DELAY_MS = 50
MAX_TABS = 60
# In a radio group the arrow keys move the choice: from "Yes", one press right is "No", two are "Not sure".
ARROW_PRESSES = {"no": 1, "not_sure": 2}


def tab_to(visitor, element_id: str) -> list[str]:
    """Press Tab until the element with `element_id` has the focus; the ids passed on the way."""
    passed: list[str] = []
    for _ in range(MAX_TABS):
        visitor.page.keyboard.press("Tab")
        focused = visitor.focused()
        if focused["id"] == element_id:
            return passed
        passed.append(focused["id"] or focused["tag"])
    raise AssertionError(f"Tab never reached #{element_id}; it went through {passed}")


def tab_to_send_button(visitor) -> list[str]:
    """Press Tab until the send button has the focus; the ids passed on the way."""
    passed: list[str] = []
    for _ in range(MAX_TABS):
        visitor.page.keyboard.press("Tab")
        focused = visitor.focused()
        if focused["tag"] == "button" and focused["type"] == "submit":
            assert focused["text"] == "Send my request"
            return passed
        passed.append(focused["id"] or focused["tag"])
    raise AssertionError(f"Tab never reached the send button; it went through {passed}")


def answer_by_keyboard(visitor, code: str, answer: str) -> list[str]:
    """Tab to an unanswered safety question and choose `answer`: Space for "Yes", the arrow keys for the others.

    Tab enters a radio group with none chosen on its first radio ("Yes");
    Space chooses the focused radio, an arrow key moves to the next one and
    chooses it.
    """
    first_radio = f"id_screening_{code}_0"
    passed = [] if visitor.focused()["id"] == first_radio else tab_to(visitor, first_radio)
    if answer == "yes":
        visitor.page.keyboard.press("Space")
    for _ in range(ARROW_PRESSES.get(answer, 0)):
        visitor.page.keyboard.press("ArrowRight")
    checked = visitor.page.locator(f"input[name='screening_{code}']:checked")
    expect(checked).to_have_value(answer)
    expect(checked).to_be_focused()
    return passed


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
    for question in QUESTIONS:
        passed += answer_by_keyboard(visitor, question.code, "no")
    visitor.shot("safety-questions-answered")
    passed += tab_to(visitor, "id_consent")
    page.keyboard.press("Space")
    expect(page.locator("#id_consent")).to_be_checked()
    assert_focus_is_visible(visitor)
    visitor.shot("consent-ticked")

    passed += tab_to_send_button(visitor)
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
    assert request.screening == {question.code: "no" for question in QUESTIONS}
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
        "The number we should call. Include the country code if it is not a US number. Enter your phone number"
    )


def test_each_safety_question_is_a_named_group_of_labelled_radios_inside_its_titled_fieldset(new_visitor):
    visitor = new_visitor("screen-reader")
    page = visitor.page
    page.goto(FORM_URL)

    section = page.get_by_role("region", name="A few safety questions")
    expect(section).to_be_visible()
    expect(section.get_by_role("checkbox", name=SKIP_LABEL)).not_to_be_checked()
    for group in GROUPS:
        expect(section.get_by_role("group", name=group, exact=True)).to_have_count(1)
    for question in QUESTIONS:
        # The question is the legend of its own fieldset, inside its topic's fieldset.
        fieldset = screening_question(section.get_by_role("group", name=question.group, exact=True), question.code)
        expect(fieldset).to_have_count(1)
        radios = fieldset.get_by_role("radio")
        expect(radios).to_have_count(3)
        for position, name in enumerate(["Yes", "No", "Not sure"]):
            radio = fieldset.get_by_role("radio", name=name, exact=True)
            expect(radio).to_have_attribute("id", f"id_screening_{question.code}_{position}")
            expect(radio).not_to_be_checked()
        if question.hint:
            expect(fieldset).to_have_accessible_description(question.hint)
    visitor.shot("safety-questions")


def test_the_skip_box_shows_and_announces_its_hint(new_visitor):
    """The hint under the skip box asks for any "yes" all the same: sighted and screen-reader users need it."""
    visitor = new_visitor("screen-reader")
    page = visitor.page
    page.goto(FORM_URL)
    hint = "Then we ask them first when we call. If any of them is a yes for you, please answer it here."
    skip = page.get_by_role("checkbox", name=SKIP_LABEL)
    expect(page.get_by_text(hint)).to_be_visible()
    expect(skip).to_have_accessible_description(hint)


def test_a_keyboard_user_answers_the_safety_questions_and_is_taken_to_the_one_they_missed(new_visitor):
    visitor = new_visitor("keyboard")
    page = visitor.page
    page.goto(FORM_URL)

    tab_to(visitor, "id_first_name")
    page.keyboard.type("Robin", delay=TYPING_DELAY_MS)
    tab_to(visitor, "id_last_name")
    page.keyboard.type("Strider", delay=TYPING_DELAY_MS)
    tab_to(visitor, "id_phone")
    page.keyboard.type("(603) 555-0123", delay=TYPING_DELAY_MS)
    tab_to(visitor, "id_email")
    page.keyboard.type("robin@example.org", delay=TYPING_DELAY_MS)

    # The first question: Tab lands on "Yes", Space chooses it, the right arrow moves the choice to "No".
    passed = tab_to(visitor, "id_screening_saddle_numbness_0")
    assert "id_screening_skip" in passed  # the skip box comes before the questions
    assert_focus_is_visible(visitor)
    visitor.shot("first-question-focused")
    saddle = screening_question(page, "saddle_numbness")
    page.keyboard.press("Space")
    expect(saddle.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(saddle.get_by_role("radio", name="No", exact=True)).to_be_checked()
    expect(saddle.get_by_role("radio", name="Yes", exact=True)).not_to_be_checked()
    assert_focus_is_visible(visitor)
    visitor.shot("first-question-answered")
    # A question is one Tab stop: the next Tab goes on to the next question.
    page.keyboard.press("Tab")
    assert visitor.focused()["id"] == "id_screening_bladder_bowel_0"

    # The others, but for the fever question, which the keyboard user tabs past.
    answers = {question.code: "no" for question in QUESTIONS}
    answers["leg_pain"] = "not_sure"
    del answers["saddle_numbness"], answers["fever"]
    for code, answer in answers.items():
        answer_by_keyboard(visitor, code, answer)
    answers["saddle_numbness"] = "no"
    tab_to(visitor, "id_consent")
    page.keyboard.press("Space")
    tab_to_send_button(visitor)
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.keyboard.press("Enter")
    assert sent.value.status == 422

    # The form comes back with the one unanswered question; nothing else is lost.
    fever = QUESTIONS_BY_CODE["fever"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an appointment")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem with your request")
    link = summary.get_by_role("link")
    expect(link).to_have_text([f"{fever.text} {SCREENING_ERROR}"])
    # The link leads to the question's first answer, so focus lands inside the question.
    expect(link).to_have_attribute("href", "#id_screening_fever_0")
    fever_group = screening_question(page, "fever")
    expect(fever_group.locator("#id_screening_fever")).to_have_count(1)  # the link's target is in the question
    expect(fever_group.get_by_text(SCREENING_ERROR)).to_be_visible()
    # A screen reader entering the question hears its hint and what is wrong.
    expect(fever_group).to_have_accessible_description(f"{fever.hint} {SCREENING_ERROR}")
    for radio in fever_group.get_by_role("radio").all():
        expect(radio).to_have_attribute("aria-invalid", "true")
    for code, answer in answers.items():
        expect(page.locator(f"input[name='screening_{code}']:checked")).to_have_value(answer)
    expect(page.get_by_label("First name")).to_have_value("Robin")
    expect(page.get_by_label("Email address")).to_have_value("robin@example.org")
    expect(page.get_by_label("I agree that the clinic may contact me")).to_be_checked()
    expect(page.locator("[aria-invalid='true']")).to_have_count(3)  # the fever question's three radios only
    visitor.shot("missed-question")

    # From the error summary's link to the question, with the keyboard.
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('href')") == "#id_screening_fever_0":
            break
    else:
        raise AssertionError("Tab never reached the error summary's link")
    assert_focus_is_visible(visitor)
    visitor.shot("error-link-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#id_screening_fever_0$"))
    if visitor.focused()["id"] != "id_screening_fever_0":
        # Browsers that only move the starting point of Tab: the next Tab enters the question.
        page.keyboard.press("Tab")
    assert visitor.focused()["id"] == "id_screening_fever_0", visitor.focused()
    answer_by_keyboard(visitor, "fever", "no")
    answers["fever"] = "no"
    visitor.shot("missed-question-answered")
    tab_to_send_button(visitor)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your request")
    # "Not sure" to one question: the clinic calls soon.
    expect(page.get_by_role("alert").get_by_role("heading")).to_have_text(URGENT_TITLE)
    visitor.shot("confirmation")
    request = AppointmentRequest.objects.get(reference=page.locator(".reference").inner_text())
    assert request.screening == answers
    assert visitor.csp_violations() == [], visitor.console_errors
