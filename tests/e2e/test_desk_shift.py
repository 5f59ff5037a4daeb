"""A front-desk shift in a real browser: two desk members, the claim conflict, "Next call", one click per
call, booking through the scheduling form, rescheduling and cancelling, and axe-core's WCAG 2.1 AA rules
over the pages the desk uses.

Screenshots go to test-artifacts/e2e/ (see conftest.py). With UPDATE_README_IMAGES=1 the console
screenshot is also written to docs/images/call-console.png for the README.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.utils import timezone
from playwright.sync_api import expect

from requests_app.admin.callbacks import CallbackAdmin
from requests_app.models import (
    AppointmentRequest,
    Callback,
    CallbackStatus,
    CallOutcome,
    Priority,
    StaffProfile,
)
from requests_app.selectors import best_time_is_now
from requests_app.services.calls import callback_record_outcome
from requests_app.services.pipeline import request_process
from tests.e2e.conftest import staff_login
from tests.support.intake import submit
from tests.support.processes import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUE = "/admin/requests_app/callback/"
README_IMAGE = ROOT / "docs" / "images" / "call-console.png"
# WCAG 2.0 and 2.1, levels A and AA, as axe-core checks them.
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


def waiting(**fields) -> Callback:
    """A request through the real intake and pipeline, with nobody on shift: unassigned, overdue by 10 minutes."""
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit(**fields).request.pk)
    assert callback is not None
    Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now() - timedelta(minutes=10))
    return callback


def a_slot_that_is_not_now() -> str:
    """A best time to call the clinic keeps but that is not now, whatever the hour the test runs at."""
    for slot in ("morning", "afternoon", "midday"):
        if best_time_is_now(slots=[slot], days=[]) is False:
            return slot
    raise AssertionError("every slot is now")


def console_of(page):
    return page.locator(".call-console")


@pytest.mark.usefixtures("broker")
def test_two_desk_members_a_claim_conflict_next_call_one_click_and_a_booking_moved_and_cancelled(
    front_desk, other_front_desk, new_visitor
):
    emergency = waiting(first_name="Avery", last_name="Stone", symptoms=["saddle_numbness"])
    later = waiting(first_name="Blake", last_name="Moss", best_time_slots=[a_slot_that_is_not_now()])
    anytime = waiting(first_name="Casey", last_name="Reed", phone="+16035550177")
    assert emergency.priority == Priority.EMERGENCY

    dana = new_visitor("dana")
    staff_login(dana, "dana")
    eli = new_visitor("eli")
    staff_login(eli, "eli")

    # --- the queue, as the desk calls it ------------------------------------------------------
    dana.page.goto(QUEUE)
    expect(dana.page.get_by_role("heading", level=1)).to_have_text("Callback queue")
    rows = dana.page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Avery Stone")
    expect(rows.first.locator(".badge-emergency")).to_be_visible()
    expect(rows.first).to_contain_text("Numbness between the legs")
    expect(rows.filter(has_text="Casey Reed").get_by_role("link", name="(603) 555-0177")).to_have_attribute(
        "href", "tel:+16035550177"
    )
    expect(rows.first.locator(".due-at")).to_have_text(re.compile(r", \d{1,2}:\d\d (am|pm) E[SD]T$"))
    dana.shot("queue")

    # --- both open the emergency; Dana claims it first, Eli is told who has it --------------------
    rows.first.get_by_role("link", name="Avery Stone").click()
    eli.page.goto(f"{QUEUE}{emergency.pk}/change/")
    expect(console_of(eli.page)).to_contain_text("Nobody is working on this callback yet.")
    dana.page.get_by_role("button", name="Claim").click()
    expect(dana.page.locator(".messagelist")).to_contain_text("You have this callback now.")
    expect(console_of(dana.page).get_by_role("heading", level=2, name=re.compile("Call Avery Stone"))).to_be_visible()
    expect(console_of(dana.page).get_by_role("link", name=re.compile(r"\(603\) 555-"))).to_have_attribute(
        "href", re.compile(r"^tel:\+1603555")
    )
    dana.shot("claimed-console")

    eli.page.get_by_role("button", name="Claim").click()  # his page still offers it
    expect(eli.page.locator(".messagelist .error")).to_contain_text(
        re.compile(r"Dana is already working on this callback \(since \d{1,2}:\d\d (am|pm) E[SD]T\)")
    )
    expect(console_of(eli.page)).to_contain_text("Dana is working on this callback")
    expect(console_of(eli.page).get_by_role("button", name="No answer")).to_have_count(0)
    eli.shot("claim-conflict")

    # --- Eli's next call skips Dana's emergency and Blake's best time: it is Casey ------------------
    eli.page.goto(QUEUE)
    eli.page.get_by_role("button", name="Next call").click()
    expect(eli.page.locator(".messagelist")).to_contain_text("Your next call: Casey Reed. You have this callback now.")
    expect(eli.page).to_have_url(re.compile(rf"{QUEUE}{anytime.pk}/change/$"))
    eli.shot("next-call")

    # --- one click: no answer --------------------------------------------------------------------
    eli.page.get_by_label("Note with the call (optional)").fill("Rang eight times.")
    eli.page.get_by_role("button", name="No answer").click()
    expect(eli.page.locator(".messagelist")).to_contain_text("Logged: no answer. 1 of 3 failed calls")
    earlier = eli.page.locator(".attempt-lines li")
    expect(earlier).to_have_count(1)
    expect(earlier).to_have_text(re.compile(r"\d{1,2}:\d\d (am|pm) E[SD]T · No answer · Eli · Rang eight times\.$"))
    eli.shot("no-answer-logged")

    # --- Dana reaches Avery and books through the scheduling form ------------------------------------
    dana.page.get_by_role("link", name="Reached: book the appointment…").click()
    expect(dana.page.get_by_text("The patient answered.")).to_be_visible()
    expect(dana.page.get_by_label("Date")).not_to_have_value("")  # pre-filled
    expect(dana.page.get_by_label("Time")).not_to_have_value("")
    dana.shot("schedule-form")
    dana.page.get_by_role("button", name="Save").click()
    expect(dana.page.locator(".messagelist")).to_contain_text("Scheduled; the confirmation email is on its way.")
    expect(console_of(dana.page)).to_contain_text("Scheduled")
    expect(console_of(dana.page).locator(".attempt-lines li")).to_contain_text(["Reached: appointment scheduled"])
    dana.shot("scheduled")

    # --- the booking is moved, then cancelled, from the console ------------------------------------
    console_of(dana.page).get_by_role("link", name="Reschedule…").click()
    dana.page.get_by_label("Time").fill("10:30")
    dana.page.get_by_role("button", name="Save").click()
    expect(dana.page.locator(".messagelist")).to_contain_text("Moved to ")
    expect(console_of(dana.page)).to_contain_text("10:30 am")
    dana.shot("rescheduled")
    console_of(dana.page).get_by_role("link", name="Cancel the appointment…").click()
    dana.page.get_by_label(re.compile("Why is it cancelled")).fill("The patient rang back: away that week.")
    dana.page.get_by_role("button", name="Save").click()
    expect(dana.page.locator(".messagelist")).to_contain_text("Cancelled the appointment")
    dana.shot("cancelled")

    # --- what the database says ---------------------------------------------------------------
    emergency.refresh_from_db()
    anytime.refresh_from_db()
    later.refresh_from_db()
    assert (emergency.status, emergency.assigned_to) == (CallbackStatus.SCHEDULED, front_desk)
    assert list(emergency.attempts.values_list("outcome", "made_by")) == [(CallOutcome.SCHEDULED, front_desk.pk)]
    assert (anytime.status, anytime.assigned_to) == (CallbackStatus.IN_PROGRESS, other_front_desk)
    assert list(anytime.attempts.values_list("outcome", "note")) == [(CallOutcome.NO_ANSWER, "Rang eight times.")]
    assert later.assigned_to is None and not later.attempts.exists()
    for visitor in (dana, eli):
        assert visitor.csp_violations() == [], visitor.console_errors


@pytest.mark.usefixtures("front_desk", "broker")
def test_the_queue_reloads_itself_every_minute_keeping_its_filters_but_not_under_a_ticked_row(new_visitor):
    callback_admin = admin.site._registry[Callback]
    assert isinstance(callback_admin, CallbackAdmin)
    refresh = callback_admin.refresh_seconds * 1000
    waiting(first_name="First")
    dana = new_visitor("dana")
    staff_login(dana, "dana")
    page = dana.page
    # The page's timers run on a clock the test moves (Playwright's clock, kept across reloads): no waiting.
    page.clock.install()
    page.goto(f"{QUEUE}?priority__exact=routine")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)

    waiting(first_name="Second")
    page.clock.run_for(refresh - 1000)
    expect(rows).to_have_count(1)  # not reloaded before its minute
    with page.expect_navigation():
        page.clock.run_for(1000)
    expect(rows).to_have_count(2)  # reloaded by itself
    expect(page).to_have_url(re.compile(r"\?priority__exact=routine$"))
    dana.shot("reloaded")

    rows.first.locator("input.action-select").check()
    waiting(first_name="Third")
    page.clock.run_for(3 * refresh)
    expect(rows).to_have_count(2)
    expect(rows.first.locator("input.action-select")).to_be_checked()
    dana.shot("ticked-row-kept")


@pytest.mark.usefixtures("broker")
def test_the_home_page_switch_and_my_callbacks(front_desk, new_visitor):
    StaffProfile.objects.filter(user=front_desk).delete()  # a desk member made without a profile
    mine = waiting()
    waiting()
    dana = new_visitor("dana")
    staff_login(dana, "dana")
    page = dana.page
    shift = page.locator(".on-shift")
    expect(shift).to_contain_text("You are off shift")
    expect(page.locator(".queue-counts .mine")).to_have_text(re.compile(r"^\s*0\s*my callbacks"))
    shift.get_by_role("button", name="Go on shift").click()
    expect(page.locator(".messagelist")).to_contain_text("You are on shift")
    expect(shift).to_contain_text("You are on shift")
    assert StaffProfile.objects.get(user=front_desk).on_shift

    page.locator("#content").get_by_role("button", name="Next call").click()
    expect(page).to_have_url(re.compile(rf"{QUEUE}{mine.pk}/change/$"))
    page.goto("/admin/")
    expect(page.locator(".queue-counts .mine")).to_have_text(re.compile(r"^\s*1\s*my callbacks"))
    dana.shot("home")


@pytest.mark.usefixtures("supervisor", "broker")
def test_the_pages_the_desk_uses_pass_axe_core_wcag_2_1_aa(front_desk, new_visitor):
    callback = waiting(
        first_name="Robin",
        last_name="Avila",
        phone="+16035550188",
        reason="My left foot drags since yesterday and I have numbness between my legs.",
        best_time_slots=["morning", "afternoon"],
    )
    callback_record_outcome(callback_id=callback.pk, user=front_desk, outcome=CallOutcome.NO_ANSWER, note="Rang.")
    waiting(symptoms=["leg_weakness"])
    request = AppointmentRequest.objects.get(pk=callback.request_id)

    dana = new_visitor("dana")
    staff_login(dana, "dana")
    pages = {
        "home": "/admin/",
        "queue": QUEUE,
        "console": f"{QUEUE}{callback.pk}/change/",
        "booking-form": f"{QUEUE}{callback.pk}/schedule/?reached=1",
        "history": f"{QUEUE}{callback.pk}/history/",
    }
    wrong, blocked = {}, {}
    for name, url in pages.items():
        dana.page.goto(url)
        expect(dana.page.get_by_role("heading", level=1)).to_be_visible()
        if name == "console":
            expect(console_of(dana.page)).to_contain_text(request.full_name)
            shot = dana.shot(name)
            if os.environ.get("UPDATE_README_IMAGES"):
                README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
                dana.page.set_viewport_size({"width": 1280, "height": 1000})
                console_of(dana.page).screenshot(path=str(README_IMAGE))
            assert shot.exists()
        else:
            dana.shot(name)
        # The page's own CSP errors, before axe-core (whose reading of the admin's @import-ed
        # stylesheet is refused by the CSP, as it should be) adds its own.
        blocked[name] = dana.csp_violations()
        dana.console_errors.clear()
        wrong[name] = axe_violations(dana.page)
        dana.console_errors.clear()

    boss = new_visitor("supervisor")
    staff_login(boss, "sam")
    boss.page.goto("/admin/dashboard/")
    expect(boss.page.get_by_role("heading", level=1)).to_have_text("Supervisor dashboard")
    boss.shot("dashboard")
    blocked["dashboard"] = boss.csp_violations()
    wrong["dashboard"] = axe_violations(boss.page)

    failing = {name: found for name, found in wrong.items() if found}
    assert failing == {}, "\n".join(f"{name}: {line}" for name, found in failing.items() for line in found)
    assert {name: found for name, found in blocked.items() if found} == {}
