"""The HTML form at /request-appointment/: works without JavaScript, keeps what was typed, never submits twice."""

import re
import time
import uuid
from http import HTTPStatus

import pytest
from django.core import signing

from requests_app.forms import FORM_TOKEN_SALT
from requests_app.models import AppointmentRequest, RequestNote
from tests.support.intake import screening_answered

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


def test_a_form_sent_back_faster_than_a_person_can_type_is_refused(client):
    response = client.post(URL, form_data(form_token=token(age_seconds=0.5)))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert AppointmentRequest.objects.count() == 0
    # The page carries a fresh token: sending it again a little later works.
    fresh = re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)
    assert fresh != form_data()["form_token"]


def test_a_tampered_token_is_refused_with_a_message(client):
    response = client.post(URL, form_data(form_token="forged"))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "We could not accept this form" in response.content.decode()


def test_a_csrf_failure_is_a_403_not_a_500():
    from django.test import Client

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
    from requests_app.services.pipeline import request_process

    callback = request_process(request_id=request.pk)
    html = admin_client.get(f"/admin/requests_app/callback/{callback.pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_source_article_and_campaign_are_recorded(client):
    from articles.models import Article

    if not Article.objects.exists():
        from django.core.management import call_command

        call_command("load_articles", verbosity=0)
    article = Article.objects.filter(status="published").first()
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
    from django.core.management import call_command
    from django.test import Client

    call_command("load_articles", verbosity=0)
    browser = Client(enforce_csrf_checks=True)
    article_page = browser.get("/articles/why-running-hurts-your-back/").content.decode()
    link = re.search(r'<section id="request-appointment".*?<a class="button" href="([^"]+)"', article_page, re.S)
    assert link.group(1) == "/request-appointment/?article=why-running-hurts-your-back"

    form_page = browser.get(link.group(1)).content.decode()
    assert "You were reading:" in form_page
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    form_token = re.search(r'name="form_token" value="([^"]+)"', form_page).group(1)
    article = re.search(r'name="article" value="([^"]+)"', form_page).group(1)
    signed = signing.loads(form_token, salt=FORM_TOKEN_SALT)
    signed["t"] -= 10  # the visitor took ten seconds to fill it in
    data = form_data(form_token=signing.dumps(signed, salt=FORM_TOKEN_SALT), article=article, csrfmiddlewaretoken=csrf)
    response = browser.post(URL, data)

    assert response.status_code == HTTPStatus.SEE_OTHER, response.content.decode()[:2000]
    assert AppointmentRequest.objects.get().source_article.slug == "why-running-hurts-your-back"


def test_a_draft_article_is_not_recorded_as_a_source(client):
    from django.core.management import call_command

    from articles.models import Article

    call_command("load_articles", verbosity=0)
    draft = Article.objects.exclude(status="published").first()
    client.post(URL, form_data(article=draft.slug))
    assert AppointmentRequest.objects.get().source_article is None


def test_the_confirmation_address_reveals_neither_reference_nor_urgency(client):
    """Web server logs and browser history keep URLs."""
    import base64

    location = client.post(URL, form_data(screening_bladder_bowel="yes"))["Location"]
    request = AppointmentRequest.objects.get()
    token = location.rstrip("/").rsplit("/", 1)[-1]
    readable = base64.urlsafe_b64decode(token.split(":")[0] + "==").decode(errors="replace")
    assert request.reference not in location and request.reference not in readable
    assert "urgent" not in readable.lower() and "true" not in readable.lower()
    assert "Go to an emergency department now" in client.get(location).content.decode()


def test_a_forged_confirmation_address_is_a_404(client):
    assert client.get("/request-appointment/received/not-a-token/").status_code == HTTPStatus.NOT_FOUND
