"""Who may see and do what: every admin page and staff API endpoint, for every kind of user.

The expected answers are written out below as tables. A model registered in
the admin without a row here fails the test until someone decides who may
see it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import time
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.utils import timezone

from requests_app.models import (
    AppointmentRequest,
    CallAttempt,
    Callback,
    CallbackStatus,
    ClinicClosure,
    Heartbeat,
    Notification,
    PipelineRecord,
    RetentionRun,
    StaffProfile,
)
from requests_app.services.callbacks import callback_claim, callback_close
from requests_app.services.pipeline import request_process
from tests.factories import ArticleFactory, TopicFactory
from tests.support.appointments import bookable_day
from tests.support.intake import submit

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
NO_GROUP = "staff_without_group"
DESK = "front_desk"
SUPERVISOR = "supervisor"
STAFF_ROLES = (NO_GROUP, DESK, SUPERVISOR)

# --- the admin's model pages ------------------------------------------------------------------
#
# Status codes of a GET on (changelist, add, change, delete, history) for one
# object of each registered model. Anonymous users are sent to the login page
# from every admin URL (asserted separately). Nobody deletes anything.
PAGES = ("changelist", "add", "change", "delete", "history")
HIDDEN = (403, 403, 403, 403, 403)
VIEW = (200, 403, 200, 403, 200)
VIEW_ADD_CHANGE = (200, 200, 200, 403, 200)

MODEL_PAGES: dict[str, dict[str, tuple[int, ...]]] = {
    # The queue and the requests behind it: the desk's work. Nobody adds or deletes by hand.
    "requests_app.callback": {NO_GROUP: HIDDEN, DESK: VIEW, SUPERVISOR: VIEW},
    "requests_app.appointmentrequest": {NO_GROUP: HIDDEN, DESK: VIEW, SUPERVISOR: VIEW},
    # Outboxes hold patients' addresses and errors: supervisors only.
    "requests_app.notification": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: VIEW},
    "requests_app.pipelinerecord": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: VIEW},
    # Shifts and closures: the desk sees them, supervisors change them.
    "requests_app.staffprofile": {NO_GROUP: HIDDEN, DESK: VIEW, SUPERVISOR: VIEW},
    "requests_app.clinicclosure": {NO_GROUP: HIDDEN, DESK: VIEW, SUPERVISOR: VIEW_ADD_CHANGE},
    "requests_app.retentionrun": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: VIEW},
    "requests_app.heartbeat": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    # Articles, accounts and login records belong to neither group.
    "articles.article": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    "articles.person": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    "articles.topic": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    "auth.user": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    "auth.group": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    "axes.accessattempt": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    "axes.accesslog": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
    "axes.accessfailurelog": {NO_GROUP: HIDDEN, DESK: HIDDEN, SUPERVISOR: HIDDEN},
}

# --- the admin's other pages (GET) -------------------------------------------------------------
#
# "login": a redirect to the admin's login page. Claim, release and unreachable
# answer a GET with a redirect to the callback's page (they act only on POST).
LOGIN = "login"
OTHER_ADMIN_PAGES: dict[str, dict[str, int | str]] = {
    "/admin/": {ANONYMOUS: LOGIN, NO_GROUP: 200, DESK: 200, SUPERVISOR: 200},
    "/admin/requests_app/": {ANONYMOUS: LOGIN, NO_GROUP: 404, DESK: 200, SUPERVISOR: 200},
    "/admin/articles/": {ANONYMOUS: LOGIN, NO_GROUP: 404, DESK: 404, SUPERVISOR: 404},
    "/admin/auth/": {ANONYMOUS: LOGIN, NO_GROUP: 404, DESK: 404, SUPERVISOR: 404},
    "/admin/axes/": {ANONYMOUS: LOGIN, NO_GROUP: 404, DESK: 404, SUPERVISOR: 404},
    "/admin/dashboard/": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 403, SUPERVISOR: 200},
    "/admin/requests_app/callback/{callback}/claim/": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 302, SUPERVISOR: 302},
    "/admin/requests_app/callback/{callback}/release/": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 302, SUPERVISOR: 302},
    "/admin/requests_app/callback/{callback}/unreachable/": {
        ANONYMOUS: LOGIN,
        NO_GROUP: 403,
        DESK: 302,
        SUPERVISOR: 302,
    },
    "/admin/requests_app/callback/{callback}/schedule/": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    "/admin/requests_app/callback/{callback}/close/": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    # Changing the tier overrides triage: supervisors only.
    "/admin/requests_app/callback/{callback}/priority/": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 403, SUPERVISOR: 200},
    "/admin/requests_app/callback/{callback}/take-over/": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 403, SUPERVISOR: 200},
    "/admin/requests_app/callback/{callback}/history/{callback_version}/": {
        ANONYMOUS: LOGIN,
        NO_GROUP: 403,
        DESK: 200,
        SUPERVISOR: 200,
    },
    "/admin/requests_app/appointmentrequest/{request}/history/{request_version}/": {
        ANONYMOUS: LOGIN,
        NO_GROUP: 403,
        DESK: 200,
        SUPERVISOR: 200,
    },
}

# --- the callback buttons (POST) ------------------------------------------------------------------
#
# 302 is the redirect back to the callback's page once the service ran.
ADMIN_ACTIONS: dict[str, dict[str, int | str]] = {
    "claim": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 302, SUPERVISOR: 302},
    "release": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 302, SUPERVISOR: 302},
    "unreachable": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 302, SUPERVISOR: 302},
    "schedule": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 302, SUPERVISOR: 302},
    "close": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 302, SUPERVISOR: 302},
    "priority": {ANONYMOUS: LOGIN, NO_GROUP: 403, DESK: 403, SUPERVISOR: 302},
}

# --- the staff API ------------------------------------------------------------------------------------
API = "/api/v1/staff/callbacks/"
API_ENDPOINTS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", ""): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    ("GET", "{callback}/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    ("POST", "{callback}/claim/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    ("POST", "{callback}/release/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    ("POST", "{callback}/attempts/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 201, SUPERVISOR: 201},
    ("POST", "{callback}/schedule/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    ("POST", "{callback}/close/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    ("POST", "{callback}/unreachable/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 200, SUPERVISOR: 200},
    ("POST", "{callback}/priority/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 403, SUPERVISOR: 200},
    ("POST", "{callback}/take-over/"): {ANONYMOUS: 403, NO_GROUP: 403, DESK: 403, SUPERVISOR: 200},
}

PATIENT = {
    "first_name": "Persephone",
    "last_name": "Zanzibar-Whitlock",
    "email": "persephone.zw@example.org",
    "phone": "+16035550199",
    "reason": "Sharp ache in my lower back after the marathon.",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every test here creates staff users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _future_day() -> str:
    return bookable_day(time(10), after=3).isoformat()


def _action_body(name: str) -> dict:
    if name in ("schedule", "schedule/"):
        location = settings.CLINIC_LOCATIONS[0]
        return {"appointment_date": _future_day(), "appointment_time": "10:00", "location": location, "note": ""}
    if name in ("close", "close/"):
        return {"reason": "declined", "note": ""}
    if name in ("attempts", "attempts/"):
        return {"outcome": "busy", "note": ""}
    if name in ("priority", "priority/"):
        return {"priority": "urgent", "reason": "Sounded worse on the phone."}
    if name in ("take-over", "take-over/"):
        return {"reason": "Covering while Dana is at lunch."}
    return {}


def new_callback(**fields) -> Callback:
    """A request through the real intake and pipeline, unassigned, with three failed calls on record.

    The attempts are rows, not service calls, so the callback stays new and
    nobody's: every action is allowed on it, unreachable included.
    """
    StaffProfile.objects.update(on_shift=False)
    callback = request_process(request_id=submit(**fields).request.pk)
    assert callback is not None
    for outcome in ("no_answer", "busy", "voicemail"):
        CallAttempt.objects.create(callback=callback, made_at=timezone.now(), outcome=outcome)
    return callback


def patient_data_in(body: str) -> list[str]:
    markers = [PATIENT["last_name"], PATIENT["email"], PATIENT["phone"], "(603) 555-0199", PATIENT["reason"]]
    return [marker for marker in markers if marker in body]


@pytest.fixture
def users(front_desk, supervisor, staff_without_group, other_front_desk) -> dict[str, User | None]:  # noqa: ARG001 (requested for its effect: a second desk member exists)
    return {ANONYMOUS: None, NO_GROUP: staff_without_group, DESK: front_desk, SUPERVISOR: supervisor}


@pytest.fixture
def world(users) -> dict:
    """One object of every model the admin shows, and the patient they concern."""
    callback = new_callback(**PATIENT)
    request = callback.request
    article = ArticleFactory.create()
    login_record = {
        "user_agent": "pytest",
        "ip_address": "203.0.113.5",
        "username": "someone",
        "http_accept": "*/*",
        "path_info": "/admin/login/",
    }
    objects = {
        "requests_app.callback": callback,
        "requests_app.appointmentrequest": request,
        "requests_app.notification": Notification.objects.filter(request=request).first(),
        "requests_app.pipelinerecord": PipelineRecord.objects.filter(request=request).first(),
        "requests_app.staffprofile": users[DESK].staff_profile,
        "requests_app.clinicclosure": ClinicClosure.objects.create(date="2030-07-05", reason="Training day"),
        "requests_app.retentionrun": RetentionRun.objects.create(cutoff=timezone.now(), anonymized_count=0),
        "requests_app.heartbeat": Heartbeat.objects.create(name="worker", beat_at=timezone.now()),
        "articles.article": article,
        "articles.person": article.author,
        "articles.topic": TopicFactory.create(),
        "auth.user": users[DESK],
        "auth.group": Group.objects.get(name="Front desk"),
        "axes.accessattempt": AccessAttempt.objects.create(
            **login_record, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(**login_record),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**login_record, locked_out=False),
    }
    assert all(objects.values()), [label for label, obj in objects.items() if obj is None]
    return {
        "objects": objects,
        "callback": callback.pk,
        "request": request.pk,
        "callback_version": Callback.history.filter(id=callback.pk).latest("history_date").history_id,
        "request_version": AppointmentRequest.history.filter(id=request.pk).latest("history_date").history_id,
    }


def login_as(client, users, role: str):
    if users[role] is not None:
        client.force_login(users[role])
    return client


def model_urls(label: str, pk) -> dict[str, str]:
    app_label, model_name = label.split(".")
    base = f"/admin/{app_label}/{model_name}/"
    return {
        "changelist": base,
        "add": f"{base}add/",
        "change": f"{base}{pk}/change/",
        "delete": f"{base}{pk}/delete/",
        "history": f"{base}{pk}/history/",
    }


def check(response, expected, where: str) -> list[str]:
    """What is wrong with `response`, as readable lines ([] when it is as expected)."""
    if expected == LOGIN:
        location = response.get("Location", "")
        if response.status_code != HTTPStatus.FOUND or not location.startswith("/admin/login/?next="):
            return [f"{where}: expected a redirect to the login page, got {response.status_code} {location}"]
        return []
    if response.status_code != expected:
        return [f"{where}: expected {expected}, got {response.status_code}"]
    return []


# --- the matrix ---------------------------------------------------------------------------------------


def test_the_matrix_covers_every_model_registered_in_the_admin():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(MODEL_PAGES)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_model_pages_answer_each_role_as_the_matrix_says(client, users, world, role):
    login_as(client, users, role)
    wrong = []
    for label, expected_by_role in MODEL_PAGES.items():
        urls = model_urls(label, world["objects"][label].pk)
        for page, expected in zip(PAGES, expected_by_role[role], strict=True):
            response = client.get(urls[page])
            wrong += check(response, expected, f"{role} GET {urls[page]} ({label} {page})")
            if role == NO_GROUP:
                wrong += [f"{role} sees {leak} at {urls[page]}" for leak in patient_data_in(response.content.decode())]
    assert not wrong, "\n".join(wrong)


@pytest.mark.usefixtures("users")
def test_anonymous_users_are_sent_to_the_login_page_from_every_admin_url(client, world):
    wrong = []
    for label in MODEL_PAGES:
        for url in model_urls(label, world["objects"][label].pk).values():
            response = client.get(url)
            wrong += check(response, LOGIN, f"anonymous GET {url}")
            assert not patient_data_in(response.content.decode())
    for template in OTHER_ADMIN_PAGES:
        url = template.format(**world)
        wrong += check(client.get(url), LOGIN, f"anonymous GET {url}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", (ANONYMOUS, *STAFF_ROLES))
def test_other_admin_pages_answer_each_role_as_the_matrix_says(client, users, world, role):
    login_as(client, users, role)
    wrong = []
    for template, expected_by_role in OTHER_ADMIN_PAGES.items():
        url = template.format(**world)
        response = client.get(url)
        wrong += check(response, expected_by_role[role], f"{role} GET {url}")
        if role in (ANONYMOUS, NO_GROUP):
            wrong += [f"{role} sees {leak} at {url}" for leak in patient_data_in(response.content.decode())]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", (ANONYMOUS, *STAFF_ROLES))
def test_callback_buttons_answer_each_role_as_the_matrix_says_and_refusals_change_nothing(client, users, role):
    login_as(client, users, role)
    wrong = []
    for name, expected_by_role in ADMIN_ACTIONS.items():
        callback = new_callback()
        before = Callback.objects.filter(pk=callback.pk).values().get()
        response = client.post(f"/admin/requests_app/callback/{callback.pk}/{name}/", _action_body(name))
        expected = expected_by_role[role]
        wrong += check(response, expected, f"{role} POST {name}")
        after = Callback.objects.filter(pk=callback.pk).values().get()
        if expected in (LOGIN, 403) and after != before:
            wrong.append(f"{role} POST {name} was refused but changed the callback")
        if expected == 302 and after == before:
            wrong.append(f"{role} POST {name} did nothing")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", (ANONYMOUS, *STAFF_ROLES))
def test_staff_api_endpoints_answer_each_role_as_the_matrix_says(client, users, role):
    login_as(client, users, role)
    wrong = []
    patient = new_callback(**PATIENT)
    for (method, template), expected_by_role in API_ENDPOINTS.items():
        callback = patient if method == "GET" else new_callback()
        url = API + template.format(callback=callback.pk)
        before = Callback.objects.filter(pk=callback.pk).values().get()
        if method == "GET":
            response = client.get(url)
        else:
            body = json.dumps(_action_body(template.split("/")[-2]))
            response = client.post(url, body, content_type="application/json")
        expected = expected_by_role[role]
        wrong += check(response, expected, f"{role} {method} {url}")
        if expected == 403:
            after = Callback.objects.filter(pk=callback.pk).values().get()
            if after != before:
                wrong.append(f"{role} {method} {url} was refused but changed the callback")
            wrong += [f"{role} sees {leak} at {url}" for leak in patient_data_in(response.content.decode())]
            if response["Content-Type"] != "application/json":
                wrong.append(f"{role} {method} {url}: the refusal is not JSON")
    assert not wrong, "\n".join(wrong)


# --- what each role sees and does ---------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_staff_without_a_group_see_an_empty_admin_index_without_queue_counts(client, staff_without_group):
    client.force_login(staff_without_group)
    response = client.get("/admin/")
    assert response.status_code == HTTPStatus.OK
    assert response.context["app_list"] == []
    html = response.content.decode()
    assert "queue-counts" not in html
    assert "/admin/requests_app/" not in html
    assert "/admin/dashboard/" not in html
    assert not patient_data_in(html)


@pytest.mark.usefixtures("world")
def test_the_front_desk_index_shows_the_queue_but_not_the_outboxes_or_the_dashboard(client, front_desk):
    client.force_login(front_desk)
    html = client.get("/admin/").content.decode()
    assert "queue-counts" in html
    assert "/admin/requests_app/callback/" in html
    assert "/admin/requests_app/notification/" not in html
    assert "/admin/requests_app/pipelinerecord/" not in html
    assert "/admin/dashboard/" not in html


@pytest.mark.usefixtures("world")
def test_the_supervisor_index_links_the_dashboard_and_the_outboxes(client, supervisor):
    client.force_login(supervisor)
    html = client.get("/admin/").content.decode()
    assert "/admin/dashboard/" in html
    assert "/admin/requests_app/notification/" in html
    assert "/admin/requests_app/pipelinerecord/" in html


def _offered_actions(client) -> set[str]:
    response = client.get("/admin/requests_app/callback/")
    assert response.status_code == HTTPStatus.OK
    return {value for value, _ in response.context["action_form"].fields["action"].choices if value}


@pytest.mark.usefixtures("world")
def test_the_front_desk_is_offered_claim_and_release_but_not_export_or_delete(client, front_desk):
    client.force_login(front_desk)
    assert _offered_actions(client) == {"claim_selected", "release_selected"}


@pytest.mark.usefixtures("world")
def test_a_supervisor_is_offered_export_but_not_delete(client, supervisor):
    client.force_login(supervisor)
    assert _offered_actions(client) == {"claim_selected", "release_selected", "export_csv"}


def _post_action(client, action: str, ids: list[int], model: str = "callback"):
    return client.post(
        f"/admin/requests_app/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in ids], "index": "0", "select_across": "0"},
    )


def test_the_front_desk_cannot_export_even_by_posting_the_action(client, front_desk, world):
    client.force_login(front_desk)
    response = _post_action(client, "export_csv", [world["callback"]])
    assert response.status_code == HTTPStatus.FOUND
    assert "csv" not in response.get("Content-Type", "")
    assert not patient_data_in(response.content.decode())


def test_a_supervisor_exports_csv_without_patient_names_emails_or_phones(client, supervisor, front_desk, world):
    others = [new_callback() for _ in range(2)]
    callback_claim(callback_id=others[0].pk, user=front_desk)
    ids = [world["callback"], *(c.pk for c in others)]
    client.force_login(supervisor)

    response = _post_action(client, "export_csv", ids)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "reference"
    assert len(rows) == 1 + len(ids)
    assert {row[0] for row in rows[1:]} == set(
        AppointmentRequest.objects.filter(callback__pk__in=ids).values_list("reference", flat=True)
    )
    assert front_desk.username in body
    for request in AppointmentRequest.objects.filter(callback__pk__in=ids):
        for personal in (request.first_name, request.last_name, request.email, request.phone.as_e164):
            assert personal not in body, personal
        assert request.phone.as_e164[2:] not in body.replace("-", "").replace(" ", "")


def test_a_supervisor_can_reassign_and_the_front_desk_cannot(client, front_desk, other_front_desk, supervisor, world):
    change = f"/admin/requests_app/callback/{world['callback']}/change/"
    form = {
        "assigned_to": str(other_front_desk.pk),
        "attempts-TOTAL_FORMS": "0",
        "attempts-INITIAL_FORMS": "0",
        "attempts-MIN_NUM_FORMS": "0",
        "attempts-MAX_NUM_FORMS": "50",
        "_save": "Save",
    }
    client.force_login(front_desk)
    assert 'name="assigned_to"' not in client.get(change).content.decode()
    client.post(change, form)
    assert Callback.objects.get(pk=world["callback"]).assigned_to is None

    client.force_login(supervisor)
    assert 'name="assigned_to"' in client.get(change).content.decode()
    assert client.post(change, form).status_code == HTTPStatus.FOUND
    assert Callback.objects.get(pk=world["callback"]).assigned_to == other_front_desk


def test_a_supervisor_can_see_notifications_and_pipeline_records_with_the_recipient(client, supervisor, world):
    client.force_login(supervisor)
    notification = world["objects"]["requests_app.notification"]
    html = client.get(f"/admin/requests_app/notification/{notification.pk}/change/").content.decode()
    assert notification.recipient in html
    record = world["objects"]["requests_app.pipelinerecord"]
    assert client.get(f"/admin/requests_app/pipelinerecord/{record.pk}/change/").status_code == HTTPStatus.OK


# --- nobody deletes -------------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):  # noqa: ARG001 (requested for its effect: database access)
    return User.objects.create_superuser("root", "root@clinic.example", "a-long-test-password-42")


@pytest.mark.parametrize("who", ["front_desk", "supervisor", "superuser"])
@pytest.mark.parametrize("model", ["callback", "appointmentrequest"])
def test_nobody_deletes_a_callback_or_a_request_not_even_a_supervisor(client, request, world, who, model):
    client.force_login(request.getfixturevalue(who))
    pk = world["callback"] if model == "callback" else world["request"]
    delete = f"/admin/requests_app/{model}/{pk}/delete/"

    assert client.get(delete).status_code == HTTPStatus.FORBIDDEN
    assert client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    _post_action(client, "delete_selected", [pk], model=model)

    assert Callback.objects.filter(pk=world["callback"]).exists()
    assert AppointmentRequest.objects.filter(pk=world["request"]).exists()
    action_form = client.get(f"/admin/requests_app/{model}/").context["action_form"]
    # No action form at all means no actions, so no bulk delete either.
    assert action_form is None or "delete_selected" not in dict(action_form.fields["action"].choices)


# --- history is for reading -------------------------------------------------------------------------------


def _history_form(label: str, obj) -> str:
    app_label, model_name = label.split(".")
    version = type(obj).history.filter(id=obj.pk).earliest("history_date").history_id
    return f"/admin/{app_label}/{model_name}/{obj.pk}/history/{version}/"


@pytest.mark.parametrize(
    ("role", "label"),
    [
        (DESK, "requests_app.appointmentrequest"),
        (SUPERVISOR, "requests_app.appointmentrequest"),
        (DESK, "requests_app.clinicclosure"),
        (DESK, "requests_app.staffprofile"),
    ],
)
def test_a_view_only_role_cannot_change_a_record_by_posting_to_its_history_page(client, users, world, role, label):
    """Posting a history version "reverts" the record; that needs the right to change it."""
    obj = world["objects"][label]
    if label == "requests_app.appointmentrequest":
        callback_close(callback_id=world["callback"], user=users[DESK], reason="declined")
    else:
        obj.save()  # a second version, so the first is an older one to revert to
    obj.refresh_from_db()
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    url = _history_form(label, obj)
    client.force_login(users[role])
    assert client.get(url).status_code == HTTPStatus.OK

    # A complete form for each of these models: what an attacker would send.
    form = {"date": "2031-01-01", "reason": "edited from history", "user": users[DESK].pk}
    if not before.get("on_shift"):
        form["on_shift"] = "on"  # flip the shift, whichever way it stands
    response = client.post(url, form)

    assert type(obj).objects.filter(pk=obj.pk).values().get() == before
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("role", [DESK, SUPERVISOR])
def test_reverting_a_callback_from_its_history_cannot_reopen_it(client, users, world, role):
    callback = Callback.objects.get(pk=world["callback"])
    callback_close(callback_id=callback.pk, user=users[DESK], reason="declined")
    client.force_login(users[role])

    client.post(_history_form("requests_app.callback", callback), {"assigned_to": ""})

    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CLOSED
    assert callback.closing_reason == "declined"
