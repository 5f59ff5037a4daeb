"""The health endpoints tell a load balancer whether this process can serve."""

from http import HTTPStatus

import pytest

from tests.support.processes import free_port

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


@pytest.mark.usefixtures("broker")
def test_readyz_is_ready_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["checks"] == {"database": True, "broker": True}


def test_readyz_names_the_broker_when_redis_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["failing"] == ["broker"]
