"""The HTML form at /request-appointment/: works without JavaScript, keeps what was typed, never submits twice."""

import base64
import re
import time
import uuid
from datetime import datetime
from datetime import time as clock_time
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core import signing
from django.core.management import call_command
from django.test import Client

from articles.models import Article
from requests_app.forms import FORM_TOKEN_SALT, AppointmentRequestForm, screening_field
from requests_app.models import AppointmentRequest, RequestNote
from requests_app.opening_hours import DAY_CODES, parse_opening_hours
from requests_app.services.pipeline import request_process
from requests_app.triage.screening import QUESTIONS_BY_CODE
from tests.support.intake import screening_answered
from tests.support.matching import must_search

pytestmark = pytest.mark.django_db

URL = "/request-appointment/"


def token(age_seconds: float = 30, submission_id: str | None = None) -> str:
    return signing.dumps(
        {"t": time.time() - age_seconds, "id": submission_id or uuid.uuid4().hex}, salt=FORM_TOKEN_SALT
    )


def form_data(**overrides) -> dict:
    data = {
        "first_name": "Riley",
        "last_name": "Park",
        "phone": "(603) 555-0123",
        "email": "riley@example.org",
        "reason": "Lower back pain after my long runs.",
        "consent": "on",
        "form_token": token(),
        **screening_answered("no"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_page_has_labels_hints_and_a_csrf_token(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'name="csrfmiddlewaretoken"' in html
    for field in ("first_name", "last_name", "phone", "email", "reason", "consent"):
        assert f'for="id_{field}"' in html, field
    assert 'id="id_phone_helptext"' in html
    assert 'aria-hidden="true"' in html  # the honeypot is hidden from people


def test_a_valid_submission_redirects_to_a_confirmation_with_the_reference(client):
    response = client.post(URL, form_data())
    assert response.status_code == HTTPStatus.SEE_OTHER
    request = AppointmentRequest.objects.get()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert request.reference in html
    assert "You can expect our call by" in html
    assert "Go to an emergency department now" not in html
    assert "We will call you soon" not in html


def test_the_confirmation_of_an_emergency_tells_the_patient_to_go_to_an_emergency_department_now(client):
    response = client.post(URL, form_data(screening_bladder_bowel="yes"))
    html = client.get(response["Location"]).content.decode()
    assert "Go to an emergency department now" in html
    assert "Do not wait for our call" in html
    assert 'href="tel:911"' in html


def test_the_confirmation_of_an_urgent_request_says_when_we_call_and_what_would_make_it_an_emergency(client):
    response = client.post(URL, form_data(reason="Pain shooting down my left leg since Monday."))
    html = client.get(response["Location"]).content.decode()
    assert "We will call you soon" in html
    assert "within an hour of opening" in html
    assert "weakness in both legs" in html
    assert "Go to an emergency department now" not in html


def test_refreshing_the_confirmation_page_does_not_submit_again(client):
    location = client.post(URL, form_data())["Location"]
    for _ in range(3):
        assert client.get(location).status_code == HTTPStatus.OK
    assert AppointmentRequest.objects.count() == 1


def test_the_same_form_sent_twice_gives_the_same_confirmation_and_one_request(client):
    data = form_data(form_token=token(submission_id="double-click"))
    first = client.post(URL, data)
    second = client.post(URL, data)
    reference = AppointmentRequest.objects.get().reference
    assert reference in client.get(first["Location"]).content.decode()
    assert reference in client.get(second["Location"]).content.decode()
    assert AppointmentRequest.objects.count() == 1
    assert RequestNote.objects.count() == 0


def test_an_edited_resubmission_of_the_same_form_is_kept_as_a_note(client):
    first = client.post(URL, form_data(form_token=token(submission_id="edited")))
    second = client.post(URL, form_data(form_token=token(submission_id="edited"), reason="And my hip now"))
    assert first.status_code == second.status_code == HTTPStatus.SEE_OTHER
    assert AppointmentRequest.objects.filter(merged_into__isnull=True).count() == 1
    assert "And my hip now" in RequestNote.objects.get().body


def test_errors_are_summarised_at_the_top_and_shown_next_to_each_field_with_values_kept(client):
    response = client.post(URL, form_data(phone="12", email="nope", consent=None))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert 'class="error-summary"' in html
    assert '<a href="#id_phone">' in html
    assert 'id="id_phone_error"' in html
    assert 'id="id_email_error"' in html
    assert 'id="id_consent_error"' in html
    assert 'value="Riley"' in html
    assert "Lower back pain after my long runs." in html
    assert AppointmentRequest.objects.count() == 0


def test_the_honeypot_refuses_the_submission_without_losing_what_was_typed(client):
    response = client.post(URL, form_data(website="http://spam.example"))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "We could not accept this form" in html
    assert 'value="Riley"' in html
    assert "http://spam.example" not in html
    assert AppointmentRequest.objects.count() == 0


def test_a_form_sent_within_seconds_of_loading_is_accepted_and_the_desk_is_asked_to_check_it(client):
    """Browser autofill fills the whole form at once: speed alone never turns a patient away."""
    response = client.post(URL, form_data(form_token=token(age_seconds=1.2)))
    assert response.status_code == HTTPStatus.SEE_OTHER
    request = AppointmentRequest.objects.get()
    assert request.reference in client.get(response["Location"]).content.decode()
    [note] = RequestNote.objects.filter(request=request)
    assert note.kind == RequestNote.Kind.CHECK
    assert re.match(r"Sent [12] seconds? after the page loaded .*check it is a real request", note.body), note.body


def test_the_desk_sees_what_to_check_on_the_callback_of_a_fast_form(client, admin_client):
    client.post(URL, form_data(form_token=token(age_seconds=0.4)))
    callback = request_process(request_id=AppointmentRequest.objects.get().pk)
    assert callback is not None
    html = admin_client.get(f"/admin/requests_app/callback/{callback.pk}/change/").content.decode()
    assert "after the page loaded (browser autofill does that, and so do bots): check it is a real request" in html


def test_a_form_filled_in_at_a_person_s_pace_leaves_the_desk_nothing_to_check(client):
    client.post(URL, form_data(form_token=token(age_seconds=45)))
    assert AppointmentRequest.objects.count() == 1
    assert not RequestNote.objects.exists()


def test_a_fast_form_with_the_honeypot_filled_is_still_refused(client):
    response = client.post(URL, form_data(form_token=token(age_seconds=0.2), website="http://spam.example"))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert AppointmentRequest.objects.count() == 0
    # The page carries a fresh token, so a person who was refused by mistake can send it again.
    fresh = must_search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)
    assert signing.loads(fresh, salt=FORM_TOKEN_SALT)["t"] > time.time() - 5


def test_a_tampered_token_is_refused_with_a_message(client):
    response = client.post(URL, form_data(form_token="forged"))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "We could not accept this form" in response.content.decode()


def test_a_csrf_failure_is_a_403_not_a_500():
    response = Client(enforce_csrf_checks=True).post(URL, form_data())
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_form_is_rate_limited_per_address_with_a_helpful_page(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "appointment_request": "2/hour",
        },
    }
    statuses = [
        client.post(URL, form_data(email=f"p{i}@example.org", phone=f"(603) 555-01{i:02d}")).status_code
        for i in range(3)
    ]
    assert statuses == [303, 303, 429]
    response = client.post(URL, form_data())
    assert int(response["Retry-After"]) > 0
    assert "call us" in response.content.decode()


def test_stored_script_tags_are_escaped_on_the_pages(client, admin_client):
    client.post(URL, form_data(first_name="<script>alert(1)</script>", reason="<img src=x onerror=alert(1)>"))
    request = AppointmentRequest.objects.get()
    assert request.first_name == "<script>alert(1)</script>"

    callback = request_process(request_id=request.pk)
    assert callback is not None
    html = admin_client.get(f"/admin/requests_app/callback/{callback.pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_source_article_and_campaign_are_recorded(client):
    if not Article.objects.exists():
        call_command("load_articles", verbosity=0)
    article = Article.objects.filter(status="published").first()
    assert article is not None
    page = client.get(f"{URL}?article={article.slug}&utm_campaign=spring-5k")
    html = page.content.decode()
    assert article.title in html
    data = form_data(article=article.slug, campaign="spring-5k")
    client.post(URL, data)
    request = AppointmentRequest.objects.get()
    assert request.source_article == article
    assert request.campaign == "spring-5k"


@pytest.mark.parametrize(
    "change",
    [
        {"first_name": "x" * 101},
        {"reason": "x" * 10_000},
        {"best_days": ["funday"]},
        {"symptoms": ["not-a-symptom"]},
        {"article": "../../etc/passwd"},
        {"first_name": "\x00"},
        {"phone": "+" + "9" * 40},
    ],
)
def test_bad_values_get_a_422_page_never_a_500(client, change):
    response = client.post(URL, form_data(**change))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert AppointmentRequest.objects.count() == 0


def test_an_article_leads_to_the_form_which_records_the_article_as_the_source():
    """The cached article page links to the form; the form page carries the article through to the request."""
    call_command("load_articles", verbosity=0)
    browser = Client(enforce_csrf_checks=True)
    article_page = browser.get("/articles/why-running-hurts-your-back/").content.decode()
    link = must_search(r'<section id="request-appointment".*?<a class="button" href="([^"]+)"', article_page, re.S)
    assert link.group(1) == "/request-appointment/?article=why-running-hurts-your-back"

    form_page = browser.get(link.group(1)).content.decode()
    assert "You were reading:" in form_page
    csrf = must_search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    form_token = must_search(r'name="form_token" value="([^"]+)"', form_page).group(1)
    article = must_search(r'name="article" value="([^"]+)"', form_page).group(1)
    signed = signing.loads(form_token, salt=FORM_TOKEN_SALT)
    signed["t"] -= 10  # the visitor took ten seconds to fill it in
    data = form_data(form_token=signing.dumps(signed, salt=FORM_TOKEN_SALT), article=article, csrfmiddlewaretoken=csrf)
    response = browser.post(URL, data)

    assert response.status_code == HTTPStatus.SEE_OTHER, response.content.decode()[:2000]
    source_article = AppointmentRequest.objects.get().source_article
    assert source_article is not None
    assert source_article.slug == "why-running-hurts-your-back"


def test_a_draft_article_is_not_recorded_as_a_source(client):
    call_command("load_articles", verbosity=0)
    draft = Article.objects.exclude(status="published").first()
    assert draft is not None
    client.post(URL, form_data(article=draft.slug))
    assert AppointmentRequest.objects.get().source_article is None


@pytest.mark.parametrize("article", ["why\x00running", "why running", "a" * 201, "<script>", "d\u00e9j\u00e0"])
def test_a_form_sent_back_with_an_article_that_cannot_be_a_slug_looks_nothing_up(
    client, django_assert_num_queries, article
):
    # A NUL reaching the lookup is a 500 on PostgreSQL (found by the form's fuzz test in CI's PostgreSQL run).
    with django_assert_num_queries(0):
        response = client.post(URL, form_data(first_name="", article=article))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "Enter your first name" in response.content.decode()


def test_the_confirmation_address_reveals_neither_reference_nor_urgency(client):
    """Web server logs and browser history keep URLs."""
    location = client.post(URL, form_data(screening_bladder_bowel="yes"))["Location"]
    request = AppointmentRequest.objects.get()
    token = location.rstrip("/").rsplit("/", 1)[-1]
    readable = base64.urlsafe_b64decode(token.split(":")[0] + "==").decode(errors="replace")
    assert request.reference not in location and request.reference not in readable
    assert "urgent" not in readable.lower() and "true" not in readable.lower()
    assert "Go to an emergency department now" in client.get(location).content.decode()


def test_a_forged_confirmation_address_is_a_404(client):
    assert client.get("/request-appointment/received/not-a-token/").status_code == HTTPStatus.NOT_FOUND


# --- What the form says when something is missing or wrong -------------------


def error_summary(html: str) -> list[str]:
    """The messages of the error summary, as a screen reader reads its list."""
    summary = must_search(r'<div class="error-summary"[^>]*id="error-summary".*?</ul>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]


def test_each_missing_detail_is_named_in_words_a_patient_understands(client):
    response = client.post(URL, form_data(first_name="", last_name="", phone="", email="", consent=None))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert error_summary(html) == [
        "Enter your first name",
        "Enter your last name",
        "Enter your phone number",
        "Enter your email address",
        "Tick the box to agree that we may contact you: we need it to call you back.",
    ]
    assert "This field is required." not in html
    # No "label: message" run-ons such as "about this request.: Tick the box".
    assert ".:" not in html and "?:" not in html


def test_a_safety_question_left_out_is_named_by_the_question_in_the_summary(client):
    data = form_data()
    del data["screening_fever"]
    html = client.post(URL, data).content.decode()
    question = QUESTIONS_BY_CODE["fever"].text
    assert error_summary(html) == [
        f"{question} Answer yes, no or not sure, or tick the box to answer these questions on the phone."
    ]
    assert '<a href="#id_screening_fever_0">' in html


@pytest.mark.parametrize("typed", ["603 555 0123", "+1 (603) 555-0123", "555-01"])
def test_the_phone_number_comes_back_exactly_as_it_was_typed_after_an_error(client, typed):
    html = client.post(URL, form_data(phone=typed, email="not-an-address")).content.decode()
    phone_input = must_search(r'<input[^>]*name="phone"[^>]*>', html).group(0)
    assert f'value="{typed}"' in phone_input, phone_input
    assert 'type="tel"' in phone_input


def test_optional_is_said_once_for_each_optional_field_and_never_for_a_required_one(client):
    html = client.get(URL).content.decode()
    fields = re.findall(r'<div class="field[^"]*">(.*?)\n</div>', html, re.S)
    said = {must_search(r'name="(\w+)"', field).group(1): field.count("(optional)") for field in fields}
    for name in ("reason", "insurance_note", "pain_duration", "best_time_slots", "best_days", "symptoms"):
        assert said[name] == 1, (name, said[name])
    for name in ("first_name", "last_name", "phone", "email", "consent"):
        assert said[name] == 0, name
    assert html.count("(optional)") == 6


def test_after_a_failed_send_the_summary_comes_first_and_takes_the_focus(client):
    html = client.post(URL, form_data(first_name="")).content.decode()
    main = html[html.index('<main id="main"') :]
    summary = must_search(r'<div class="error-summary"[^>]*>', main).group(0)
    # Straight after the page's heading, before anything else the patient would read.
    assert main.index("<h1>") < main.index('id="error-summary"') < main.index("Tell us how to reach you")
    assert 'tabindex="-1"' in summary and "autofocus" in summary and 'role="alert"' in summary
    assert '<a href="#id_first_name">Enter your first name</a>' in main
    # Browsers that ignore autofocus on a box get the same from a small script (the CSP allows no inline one).
    assert re.search(r'<script src="/static/js/error-summary.js" defer></script>', html)
    assert "<script>" not in html


def test_the_form_page_loads_no_script_until_something_needs_correcting(client):
    assert "error-summary.js" not in client.get(URL).content.decode()


# --- The privacy notice --------------------------------------------------------


def test_the_privacy_notice_says_what_is_kept_for_how_long_and_how_to_have_it_deleted(client, settings):
    settings.RETENTION_MONTHS = 18
    settings.CLINIC = {**settings.CLINIC, "PRIVACY_NOTICE_VERSION": "2027-02", "FRONT_DESK_EMAIL": "desk@clinic.test"}
    response = client.get("/privacy/")
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<h1>How we use your details</h1>" in html
    assert "Privacy notice version 2027-02" in html
    assert "for 18 months" in html
    assert 'href="mailto:desk@clinic.test"' in html
    assert settings.CLINIC["PHONE"] in html
    for collected in ("phone number", "safety questions", "scrambled form of your internet address"):
        assert collected in html
    assert "ask us to delete it at any time" in html


def test_the_privacy_notice_is_linked_where_consent_is_asked_and_from_every_page_s_footer(client):
    form = client.get(URL).content.decode()
    consent_onwards = form[form.index('id="id_consent"') :]
    assert re.search(r'<a href="/privacy/">how we use and keep your details</a>', consent_onwards)
    footer = client.get("/").content.decode().split('<footer class="site-footer">')[1]
    assert 'href="/privacy/"' in footer


# --- The best time to call: only what the clinic keeps ----------------------------

DEFAULT_HOURS = "mon-fri 08:00-18:00; sat 09:00-13:00"
SLOT_LABEL = re.compile(
    r"^(?P<name>[A-Z][a-z]+) \((?P<start>[\d:]+ (?:am|pm|noon)) to (?P<end>[\d:]+ (?:am|pm|noon))\)$"
)


def clock(text: str):
    if text == "12 noon":
        return clock_time(12)
    number, half = text.split()
    hour, _, minute = number.partition(":")
    return clock_time(int(hour) % 12 + (12 if half == "pm" else 0), int(minute or 0))


def offered(html: str, name: str) -> dict[str, str]:
    """The checkboxes of one field: value -> label."""
    return dict(re.findall(rf'<input type="checkbox" name="{name}" value="(\w+)"[^>]*> ([^<]+)</label>', html))


@pytest.mark.parametrize(
    ("spec", "slots", "days"),
    [
        (
            DEFAULT_HOURS,
            {
                "morning": "Morning (8 am to 12 noon)",
                "midday": "Midday (12 noon to 2 pm)",
                "afternoon": "Afternoon (2 pm to 5 pm)",
                "evening": "Evening (5 pm to 6 pm)",
            },
            ["mon", "tue", "wed", "thu", "fri", "sat"],
        ),
        (
            "mon-thu 08:00-20:00; fri 08:00-16:00",
            {
                "morning": "Morning (8 am to 12 noon)",
                "midday": "Midday (12 noon to 2 pm)",
                "afternoon": "Afternoon (2 pm to 5 pm)",
                "evening": "Evening (5 pm to 8 pm)",
            },
            ["mon", "tue", "wed", "thu", "fri"],
        ),
        (
            "mon-sun 07:00-21:00",
            {
                "morning": "Morning (7 am to 12 noon)",
                "midday": "Midday (12 noon to 2 pm)",
                "afternoon": "Afternoon (2 pm to 5 pm)",
                "evening": "Evening (5 pm to 9 pm)",
            },
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        ),
        (
            "mon-fri 09:00-12:00,13:00-17:00",
            {
                "morning": "Morning (9 am to 12 noon)",
                "midday": "Midday (1 pm to 2 pm)",
                "afternoon": "Afternoon (2 pm to 5 pm)",
            },
            ["mon", "tue", "wed", "thu", "fri"],
        ),
    ],
)
def test_the_form_offers_only_the_days_and_times_the_clinic_is_open_with_their_real_hours(
    client, settings, spec, slots, days
):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": spec}
    hours = parse_opening_hours(spec)
    html = client.get(URL).content.decode()

    assert offered(html, "best_time_slots") == slots
    assert list(offered(html, "best_days")) == days
    # Whatever the configuration: the hours a label shows are inside the opening hours of an offered day,
    # and no day is left out that the clinic opens on.
    for label in slots.values():
        match = SLOT_LABEL.match(label)
        assert match is not None, label
        start, end = clock(match["start"]), clock(match["end"])
        assert any(
            open_at <= start and end <= close_at for day in days for open_at, close_at in hours[DAY_CODES.index(day)]
        ), (spec, label)
    for day in set(DAY_CODES) - set(days):
        assert not hours[DAY_CODES.index(day)]


def test_a_day_or_time_the_clinic_never_opens_is_refused_by_the_form_with_a_reason(client, settings):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": "mon-fri 09:00-17:00"}
    html = client.post(URL, form_data(best_days=["sun"], best_time_slots=["evening"])).content.decode()
    assert error_summary(html) == [
        "Choose from the times listed: they are the times we are open.",
        "Choose from the days listed: they are the days we are open.",
    ]
    assert AppointmentRequest.objects.count() == 0


def received_on(location: str, client, moment) -> str:
    """The confirmation page, as if the request had arrived at `moment`."""
    AppointmentRequest.objects.update(created_at=moment)
    return client.get(location).content.decode()


def test_the_confirmation_says_why_the_call_comes_later_when_the_patient_s_best_time_is_days_away(client, settings):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": DEFAULT_HOURS}
    location = client.post(URL, form_data(best_days=["fri"], best_time_slots=["morning"]))["Location"]
    # Monday 7 December 2026, 10:15 am: usually called by Tuesday; the patient asked for Friday morning.
    html = received_on(location, client, datetime(2026, 12, 7, 10, 15, tzinfo=ZoneInfo("America/New_York")))
    assert "You can expect our call by <strong>Friday 11 December at 12:00 pm EST</strong>." in html
    assert "That is later than our usual one working day because you asked us to call on Friday in the morning." in html


def test_the_confirmation_says_nothing_more_when_the_best_time_does_not_delay_the_call(client, settings):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": DEFAULT_HOURS}
    location = client.post(URL, form_data(best_time_slots=["afternoon"]))["Location"]
    html = received_on(location, client, datetime(2026, 12, 7, 10, 15, tzinfo=ZoneInfo("America/New_York")))
    assert "<strong>Monday 7 December at 5:00 pm EST</strong>." in html
    assert "because you asked" not in html and "We are not open" not in html


def test_each_form_has_choice_fields_and_widgets_of_its_own_though_they_share_the_class_s_choices():
    first, second = AppointmentRequestForm(), AppointmentRequestForm()
    question = screening_field("leg_nerves")
    for name in (question, "symptoms", "pain_duration", "best_days"):
        assert first.fields[name] is not second.fields[name], name
        assert first.fields[name].widget is not second.fields[name].widget, name
        assert first.fields[name].widget.attrs is not second.fields[name].widget.attrs, name

    first.fields[question].widget.attrs["aria-invalid"] = "true"
    days = first.fields["best_days"]
    assert isinstance(days, forms.MultipleChoiceField)
    days.choices = [("mon", "Monday")]
    assert "aria-invalid" not in second.fields[question].widget.attrs
    assert "aria-invalid" not in AppointmentRequestForm.base_fields[question].widget.attrs
    assert [code for code, _ in second["best_days"].field.widget.choices] != ["mon"]
    assert list(first.fields["best_days"].widget.choices) == [("mon", "Monday")]
    assert 'value="mon"' in str(first["best_days"]) and 'value="tue"' not in str(first["best_days"])
    assert 'value="tue"' in str(second["best_days"])
    assert 'aria-invalid="true"' not in str(second[question])
