"""The submission rate limit kept in Redis, as production keeps it: one atomic round trip per submission."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
import redis
from django.test import RequestFactory
from rest_framework.request import Request

from requests_app.models import AppointmentRequest
from requests_app.throttling import AppointmentRequestThrottle
from tests.support.intake import patient_fields
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointment-requests/"


@pytest.fixture
def redis_cache(redis_url, settings):
    """The default cache in a Redis database of its own, empty."""
    url = redis_url.rsplit("/", 1)[0] + "/3"
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    yield redis.Redis.from_url(url)
    redis.Redis.from_url(url).flushdb()


def limit_to(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "appointment_request": rate},
    }


def post(client, **extra):
    return client.post(URL, data=json.dumps(patient_fields()), content_type="application/json", **extra)


def test_in_redis_every_accepted_submission_of_the_window_counts_and_the_refused_are_told_when_to_retry(
    client, settings, redis_cache
):
    limit_to(settings, "3/hour")
    statuses = [post(client, REMOTE_ADDR="198.51.100.7").status_code for _ in range(5)]
    assert statuses == [HTTPStatus.CREATED] * 3 + [HTTPStatus.TOO_MANY_REQUESTS] * 2
    refused = post(client, REMOTE_ADDR="198.51.100.7")
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert post(client, REMOTE_ADDR="198.51.100.8").status_code == HTTPStatus.CREATED
    assert AppointmentRequest.objects.count() == 4
    # One key per client, in Redis, expiring with the window.
    keys = redis_cache.keys("*appointment_request*")
    assert len(keys) == 2
    assert all(0 < redis_cache.ttl(key) <= 3600 for key in keys)


@pytest.mark.usefixtures("redis_cache")
def test_in_redis_the_form_page_says_how_long_to_wait(client, settings):
    limit_to(settings, "1/hour")
    assert post(client, REMOTE_ADDR="198.51.100.7").status_code == HTTPStatus.CREATED
    response = client.post("/request-appointment/", {}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 3000 < int(response["Retry-After"]) <= 3600


@pytest.mark.usefixtures("redis_cache")
def test_in_redis_a_submission_leaves_the_window_after_its_duration(settings):
    limit_to(settings, "2/second")
    request = Request(RequestFactory().post("/", REMOTE_ADDR="198.51.100.7"))
    assert [AppointmentRequestThrottle().allow_request(request, None) for _ in range(3)] == [True, True, False]
    time.sleep(1.1)
    assert AppointmentRequestThrottle().allow_request(request, None) is True


@pytest.mark.usefixtures("redis_cache")
def test_in_redis_concurrent_submissions_from_one_client_are_each_counted(settings):
    # DRF's own throttle reads the list and writes it back: two at once could both pass, one count lost.
    limit_to(settings, "10/hour")
    request = Request(RequestFactory().post("/", REMOTE_ADDR="198.51.100.7"))
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: AppointmentRequestThrottle().allow_request(request, None), range(40)))
    assert answers.count(True) == 10


def test_with_redis_unreachable_submissions_are_accepted(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    limit_to(settings, "1/hour")
    assert [post(client).status_code for _ in range(2)] == [HTTPStatus.CREATED] * 2
