"""The bench's baselines and request bodies: what `make bench` compares against must do what its report says."""

import json
from pathlib import Path

import phonenumbers
import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from bench import inprocess, loadgen, report, triage_cost
from bench.views import BENCH_QUEUE
from requests_app.models import AppointmentRequest, Heartbeat
from requests_app.services import intake
from tests.fault.helpers import queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


def test_the_hello_baseline_answers_hello(client):
    response = client.get("/bench/hello/")
    assert response.status_code == 200
    assert response.content == b"hello"


def test_the_minimal_create_writes_one_row_and_publishes_one_message(client, redis_url, settings):
    settings.REDIS_URL = redis_url
    broker = redis.Redis.from_url(redis_url)
    broker.delete(BENCH_QUEUE)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/bench/create/", data={"first_name": "Ada"}, content_type="application/json")
    assert response.status_code == 201
    assert Heartbeat.objects.filter(name=response.json()["name"]).exists()
    assert len(queries) == 1
    assert broker.llen(BENCH_QUEUE) == 1


def test_the_peer_saves_the_request_with_its_history_and_queues_the_pipeline_once_committed(
    client, broker, django_capture_on_commit_callbacks
):
    body = loadgen.api_body(loadgen.Patients())
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/bench/peer/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    request = AppointmentRequest.objects.get()
    assert (request.email, request.channel, request.history.count()) == (body["email"], "api", 1)
    # The request and its history row; no duplicate lookup, outbox, idempotency or throttle.
    assert [q["sql"].split()[0] for q in queries] == ["INSERT", "INSERT"]
    assert queued_tasks(broker) == [("requests_app.tasks.process_new_request", f"({request.pk},)")]


def test_the_peer_refuses_a_submission_without_consent(client):
    body = {**loadgen.api_body(loadgen.Patients()), "consent": False}
    response = client.post("/bench/peer/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert AppointmentRequest.objects.count() == 0


def test_the_baselines_are_not_in_the_sites_urls():
    for path in ("/bench/hello/", "/bench/create/", "/bench/peer/"):
        with pytest.raises(Resolver404):
            resolve(path, urlconf="clinic.urls")


def test_each_api_body_the_load_sends_is_a_new_patient(client):
    patients = loadgen.Patients()
    bodies = [json.dumps(loadgen.api_body(patients)) for _ in range(3)]
    answers = [
        client.post("/api/v1/appointment-requests/", data=body, content_type="application/json") for body in bodies
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert AppointmentRequest.objects.count() == 3


def test_each_form_body_the_load_sends_is_accepted_as_a_new_request(client):
    patients = loadgen.Patients()
    answers = [client.post("/request-appointment/", data=loadgen.form_fields(patients)) for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 303]
    assert AppointmentRequest.objects.count() == 2


def test_the_triage_step_times_500_character_texts_from_the_evaluation_corpus():
    cost = triage_cost.measure(repeat=1, limit=5)
    assert (cost["chars"], cost["texts"], cost["samples"]) == (500, 5, 5)
    assert 0 < cost["median_ms"] <= cost["p95_ms"]
    assert cost["bench_reason"]["chars"] == len(loadgen.REASON)


def test_the_report_has_a_triage_row_next_to_the_api_ratio_with_its_share_of_a_submission():
    # The last run's results, as the report reads them, with a triage measurement of our own.
    results = json.loads((Path(report.__file__).parent / "results" / "latest.json").read_text())
    results.pop("inprocess", None)  # the profile's path; the in-process pass has a test of its own
    results["triage"] = {
        "chars": 500,
        "texts": 600,
        "passes": 3,
        "samples": 1800,
        "median_ms": 2.5,
        "p95_ms": 4.0,
        "goal_median_max_ms": 3.0,
        "bench_reason": {"chars": 60, "samples": 200, "median_ms": 0.5, "p95_ms": 0.6},
    }
    results["diagnosis"]["profiles"].setdefault("api", {})["ms_per_request"] = 5.0
    results["triage"]["submission"] = triage_cost.submission_share(results, probes=None)
    assert results["triage"]["submission"]["share"] == 0.1
    results["targets"] = report.targets(results)
    ids = [t["id"] for t in results["targets"]]
    assert ids[ids.index("triage-500") - 1].startswith(("api", "form"))
    row = next(line for line in report.markdown(results).splitlines() if line.startswith("| triage of a 500"))
    assert row.endswith("| PASS |")
    assert "median 2.50 ms, p95 4.00 ms" in row
    assert "triage: 0.50 ms of 5.00 ms per API submission" in row

    results["triage"]["median_ms"] = 3.5
    assert next(t for t in report.targets(results) if t["id"] == "triage-500")["result"] == "MISS"


def test_the_in_process_pass_alternates_the_submissions_and_gives_triages_share_from_a_precomputed_result(client):
    patients = loadgen.Patients()

    def post(path):
        return lambda: client.post(path, data=json.dumps(loadgen.api_body(patients)), content_type="application/json")

    api = post("/api/v1/appointment-requests/")
    requests = {"peer": post("/bench/peer/"), "api": api, "api_pretriaged": _pretriaged(api)}
    times = inprocess.alternate(requests, ["peer", "api", "api_pretriaged"], count=3, warmup=1)
    assert {name: len(values) for name, values in times.items()} == {"peer": 3, "api": 3, "api_pretriaged": 3}
    summary = inprocess.summarize(times)
    assert set(summary["ratios"]) == {"api/peer", "api_pretriaged/peer"}
    assert summary["triage_ms"] == round(
        summary["scenarios"]["api"]["median_ms"] - summary["scenarios"]["api_pretriaged"]["median_ms"], 3
    )


def _pretriaged(request):
    def call():
        with inprocess.triage_precomputed():
            return request()

    return call


def test_triage_precomputed_triages_each_text_once_and_restores_the_real_triage():
    real = intake.triage
    with inprocess.triage_precomputed():
        first = intake.triage(symptoms=[], reason=loadgen.REASON, screening={})
        assert intake.triage(symptoms=[], reason=loadgen.REASON, screening={}) is first
    assert intake.triage is real
    assert first == real(symptoms=[], reason=loadgen.REASON, screening={})


def test_the_loads_phone_numbers_are_valid_from_any_runs_start_and_not_the_seeds():
    for area in loadgen.Patients.AREA_CODES:
        for first_exchange in (600, 899):
            patients = loadgen.Patients()
            patients.area, patients.first_exchange = area, first_exchange
            for n in (0, 9_999, 199_999):
                patients.next = n
                phone = patients.take()["phone"]
                assert phonenumbers.is_valid_number(phonenumbers.parse(phone)), phone
                assert not phone.startswith("+1603555"), phone
