"""Public pages of the request flow. Thin: parse, call a service, render."""

from __future__ import annotations

import math
import uuid
from http import HTTPStatus

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods

from articles.selectors import article_source_get
from requests_app.database_down import database_unavailable_page
from requests_app.deadlines import expected_callback_timing
from requests_app.emails import read_better_time_token
from requests_app.formatting import best_time_note, format_moment
from requests_app.forms import AppointmentRequestForm, BetterTimeForm, new_form_token
from requests_app.models import AppointmentRequest, Callback, Channel, IdempotencyRecord
from requests_app.services.callbacks import callback_reopen_with_better_time
from requests_app.services.idempotency import IdempotencyConflict, fingerprint, idempotent_submission
from requests_app.services.intake import appointment_request_create
from requests_app.throttling import AppointmentRequestThrottle, client_ip
from requests_app.triage.guidance import guidance_for, guidance_title

CONFIRMATION_SALT = "requests_app.confirmation"
CONFIRMATION_MAX_AGE = 7 * 24 * 3600


def _initial(request: HttpRequest) -> dict:
    referrer = request.GET.get("ref") or request.META.get("HTTP_REFERER", "")
    return {
        "form_token": new_form_token(),
        "article": request.GET.get("article", "")[:200],
        "referrer": referrer[:500],
        "campaign": request.GET.get("utm_campaign", "")[:100],
    }


def _render_form(request: HttpRequest, form: AppointmentRequestForm, status: int = 200) -> HttpResponse:
    slug = (form["article"].value() if form.is_bound else form.initial.get("article")) or ""
    article = article_source_get(slug=slug)
    return render(request, "requests/form.html", {"form": form, "article": article}, status=status)


def fields_for_fingerprint(cleaned: dict) -> dict:
    return {k: str(v) for k, v in cleaned.items() if k not in ("form_token", "website")}


def confirmation_url(submission_key: str) -> str:
    """The confirmation page's address: a signed submission key, which says nothing by itself.

    Web server logs and browser history keep URLs, so neither the reference
    nor the triage outcome is in it; the page reads them from the
    submission's idempotency record.
    """
    token = signing.dumps(submission_key, salt=CONFIRMATION_SALT)
    return reverse("requests_app:received", args=[token])


def _form_while_database_unavailable(request: HttpRequest) -> HttpResponse:
    """The form again, as the patient sent it, saying that nothing was saved (the database cannot be reached).

    Needs no database: no source article is looked up (its slug stays in the
    hidden field), and CSRF keeps its secret in a cookie, not the session. The
    form keeps its token, so sent again it is the same submission: had the
    request been committed just before the connection broke, the patient gets
    its confirmation, not a second request. The middleware sets the 503.
    """
    form = AppointmentRequestForm(request.POST if request.method == "POST" else None, initial=_initial(request))
    return render(request, "requests/form.html", {"form": form, "article": None, "database_unavailable": True})


@database_unavailable_page(_form_while_database_unavailable)
@never_cache
@require_http_methods(["GET", "POST"])
def request_appointment(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_form(request, AppointmentRequestForm(initial=_initial(request)))

    throttle = AppointmentRequestThrottle()
    if not throttle.allow_request(request, None):
        wait = math.ceil(throttle.wait() or 60)
        response = render(
            request,
            "requests/too_many.html",
            {"retry_minutes": max(1, wait // 60)},
            status=HTTPStatus.TOO_MANY_REQUESTS,
        )
        response["Retry-After"] = str(wait)
        return response

    form = AppointmentRequestForm(request.POST)
    if not form.is_valid():
        # A fresh token, so the corrected form is not refused as expired.
        data = request.POST.copy()
        data["form_token"] = new_form_token() if "form_token" in form.errors else data.get("form_token", "")
        form.data = data
        return _render_form(request, form, status=HTTPStatus.UNPROCESSABLE_ENTITY)
    # Only the honeypot refuses a form: one sent back within seconds (autofill
    # does that) is accepted, and the desk is asked to check it (`checks`).
    if form.honeypot_filled():
        data = request.POST.copy()
        data["website"] = ""
        data["form_token"] = new_form_token()
        retry = AppointmentRequestForm(data)
        retry.is_valid()
        retry.add_error(None, "We could not accept this form. Please check your details and send it again.")
        return _render_form(request, retry, status=HTTPStatus.UNPROCESSABLE_ENTITY)

    cleaned = form.cleaned_data
    fields = {
        "first_name": cleaned["first_name"],
        "last_name": cleaned["last_name"],
        "phone": str(cleaned["phone"]),
        "email": cleaned["email"],
        "consent": cleaned["consent"],
        "reason": cleaned["reason"],
        "preferred_contact": cleaned["preferred_contact"] or "phone",
        "best_time_slots": cleaned["best_time_slots"],
        "best_days": cleaned["best_days"],
        "symptoms": cleaned["symptoms"],
        "pain_duration": cleaned["pain_duration"],
        "patient_type": cleaned["patient_type"] or "new",
        "insurance_note": cleaned["insurance_note"],
        "source_article": article_source_get(slug=cleaned["article"]),
        "referrer": cleaned["referrer"],
        "campaign": cleaned["campaign"],
        "screening": form.screening_answers(),
    }
    checks = form.review_reasons()

    def create():
        result = appointment_request_create(
            **fields, channel=Channel.WEB_FORM, client_ip=client_ip(request), checks=checks
        )
        priority = result.request.priority
        body = {"reference": result.request.reference, "priority": priority, "urgent": priority != "routine"}
        return result.request, HTTPStatus.SEE_OTHER, body

    # The same form sent twice (a double click, a resend after "back") is
    # answered with the first submission's confirmation.
    key = f"form:{form.submission_id}"
    body_fingerprint = fingerprint(fields_for_fingerprint(cleaned))
    try:
        idempotent_submission(key=key, fingerprint=body_fingerprint, create=create)
    except IdempotencyConflict:
        # The same form sent again with other details (back, edit, send): a
        # submission of its own, which duplicate detection merges as a note.
        key = f"form:{uuid.uuid4().hex}"
        idempotent_submission(key=key, fingerprint=body_fingerprint, create=create)
    # 303: the browser fetches the confirmation with GET, so refreshing it never re-posts.
    response = HttpResponseRedirect(confirmation_url(key))
    response.status_code = HTTPStatus.SEE_OTHER
    return response


@never_cache
def request_received(request: HttpRequest, token: str) -> HttpResponse:
    try:
        key = str(signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE))
    except signing.BadSignature as error:
        raise Http404("This confirmation link is not valid.") from error
    record = IdempotencyRecord.objects.filter(key=key).select_related("request").first()
    if record is None:
        raise Http404("This confirmation link is not valid.")
    appointment_request = record.request
    # The tier of this submission (a confirmation from before the three tiers has only "urgent").
    priority = record.response_body.get("priority") or ("urgent" if record.response_body.get("urgent") else "routine")
    timing = expected_callback_timing(appointment_request)
    return render(
        request,
        "requests/received.html",
        {
            "appointment_request": appointment_request,
            "expected_call": format_moment(timing.due_at),
            "best_time_note": best_time_note(timing),
            "priority": priority,
            "guidance": guidance_for(priority),
            "guidance_title": guidance_title(priority),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def better_time(request: HttpRequest, token: str) -> HttpResponse:
    """From the "we could not reach you" email: GET shows a form, only POST changes anything."""
    try:
        request_id = read_better_time_token(token)
    except signing.SignatureExpired:
        return render(request, "requests/better_time.html", {"expired": True}, status=HTTPStatus.GONE)
    except signing.BadSignature as error:
        raise Http404("This link is not valid.") from error
    appointment_request = AppointmentRequest.objects.filter(pk=request_id).select_related("callback").first()
    if appointment_request is None or appointment_request.anonymized_at:
        raise Http404("This link is not valid.")
    form = BetterTimeForm(request.POST or None)
    context = {"form": form, "appointment_request": appointment_request, "done": False}
    if request.method == "POST" and form.is_valid():
        changed = callback_reopen_with_better_time(
            request_id=appointment_request.pk,
            best_time_slots=form.cleaned_data["best_time_slots"],
            best_days=form.cleaned_data["best_days"],
            note=form.cleaned_data["note"],
        )
        context.update(done=True, already=not changed)
        if changed:
            due_at = Callback.objects.filter(request=appointment_request).values_list("due_at", flat=True).first()
            context["expected_call"] = format_moment(due_at) if due_at else ""
    return render(request, "requests/better_time.html", context)


# Compressed: the notice is the same for everyone and shows nothing of the request, so BREACH has no
# secret to find in it. The request form is not (see tests/test_compression.py).
@gzip_page
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice: what the request form collects, why, for how long, who sees it, how to have it deleted."""
    return render(
        request,
        "requests/privacy.html",
        {"retention_months": settings.RETENTION_MONTHS, "version": settings.CLINIC["PRIVACY_NOTICE_VERSION"]},
    )
