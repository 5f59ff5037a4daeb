"""The bench's baselines and request bodies: what `make bench` compares against must do what its report says."""

import json

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from bench import loadgen
from bench.views import BENCH_QUEUE
from requests_app.models import AppointmentRequest, Heartbeat

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


def test_the_baselines_are_not_in_the_sites_urls():
    with pytest.raises(Resolver404):
        resolve("/bench/hello/", urlconf="clinic.urls")


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
