"""Forwarded addresses: believed only as far as the proxies this deployment trusts wrote them.

The throttle, the stored IP hash and the admin lockout all count the same
client, so a forged X-Forwarded-For buys an attacker nothing anywhere.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.checks import run_checks
from django.test import RequestFactory

from clinic.client_address import client_address, client_ip_hash, throttle_key
from requests_app.models import AppointmentRequest
from tests.support.intake import patient_fields

URL = "/api/v1/appointment-requests/"
PROXY = "10.0.0.2"
INNER_PROXY = "10.0.0.3"


def address(remote: str, forwarded: str | None = None) -> str:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


# --- no proxy (the default) -----------------------------------------------------------------------


def test_without_trusted_proxies_the_socket_address_is_the_client_whatever_the_header_says(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.TRUSTED_PROXY_NETWORKS == []
    assert address("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    assert address("198.51.100.7", "203.0.113.1, 203.0.113.2") == "198.51.100.7"
    assert address("198.51.100.7") == "198.51.100.7"


# --- one proxy ---------------------------------------------------------------------------------------------


def test_behind_one_proxy_the_client_is_the_entry_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(PROXY, "198.51.100.7") == "198.51.100.7"


def test_behind_one_proxy_entries_the_client_wrote_itself_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 203.0.113.99"; the proxy appended the real address.
    assert address(PROXY, "203.0.113.99, 198.51.100.7") == "198.51.100.7"
    assert address(PROXY, "1.1.1.1, 2.2.2.2, 3.3.3.3, 198.51.100.7") == "198.51.100.7"


def test_a_request_that_skipped_the_proxy_is_counted_by_its_socket_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address("198.51.100.7") == "198.51.100.7"


def test_garbage_where_the_client_address_should_be_counts_under_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for junk in ("unknown", "", "not-an-ip", "999.1.1.1", "198.51.100.7\x00"):
        assert address(PROXY, junk) == PROXY


# --- two proxies -------------------------------------------------------------------------------------------


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # CDN appended the client, the load balancer appended the CDN; the socket is the load balancer.
    assert address(INNER_PROXY, "198.51.100.7, 10.0.0.2") == "198.51.100.7"
    assert address(INNER_PROXY, "203.0.113.99, 198.51.100.7, 10.0.0.2") == "198.51.100.7"


def test_behind_two_proxies_a_chain_one_hop_short_is_not_believed_past_what_was_vouched(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address(INNER_PROXY, "10.0.0.2") == "10.0.0.2"


# --- proxy networks ------------------------------------------------------------------------------------


def test_with_proxy_networks_the_first_address_from_the_right_outside_them_is_the_client(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8", "2001:db8:ffff::/48"]
    assert address(PROXY, "203.0.113.99, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    assert address("2001:db8:ffff::1", "198.51.100.7") == "198.51.100.7"


def test_with_proxy_networks_a_direct_connection_cannot_claim_another_address(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    assert address("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_ipv4_mapped_ipv6_and_ports_are_read_as_the_plain_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address("::ffff:10.0.0.2", "198.51.100.7:51000") == "198.51.100.7"
    assert address(PROXY, "[2001:db8::7]:443") == "2001:db8::7"


def test_ipv6_clients_are_throttled_per_64_network():
    assert throttle_key("2001:db8:1:2:aaaa::1") == throttle_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert throttle_key("2001:db8:1:3::1") != throttle_key("2001:db8:1:2::1")
    assert throttle_key("198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize(
    "count, networks, says",
    [
        (1, ["10.0.0.0/8"], "Set TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS, not both."),
        (-1, [], "TRUSTED_PROXY_COUNT cannot be negative."),
        (0, ["10.0.0.0/33"], "TRUSTED_PROXY_NETWORKS: '10.0.0.0/33'"),
        (0, ["not a network"], "TRUSTED_PROXY_NETWORKS: 'not a network'"),
    ],
)
def test_a_wrong_proxy_setting_stops_the_start_up_with_a_clear_error(settings, count, networks, says):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXY_NETWORKS = networks
    errors = [error for error in run_checks() if error.id == "clinic.E005"]
    assert len(errors) == 1
    assert errors[0].msg.startswith(says), errors[0].msg


# --- what the throttle, the IP hash and the lockout count ---------------------------------------------------


def post(client, **meta):
    return client.generic("POST", URL, json.dumps(patient_fields()), content_type="application/json", **meta)


def limit_submissions_to(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "appointment_request": rate},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_a_new_forged_address_on_every_request_does_not_lift_the_rate_limit(client, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    limit_submissions_to(settings, "5/hour")
    # What reaches the app: the attacker's forged entry, then whatever the trusted proxies appended.
    appended = ["198.51.100.7", "10.0.0.2"][:proxies]
    statuses = [
        post(
            client,
            REMOTE_ADDR="10.0.0.3" if proxies else "198.51.100.7",
            HTTP_X_FORWARDED_FOR=", ".join([f"203.0.113.{n}", *appended]),
        ).status_code
        for n in range(20)
    ]
    assert statuses == [HTTPStatus.CREATED] * 5 + [HTTPStatus.TOO_MANY_REQUESTS] * 15
    hashes = set(AppointmentRequest.objects.values_list("ip_hash", flat=True))
    assert hashes == {client_ip_hash("198.51.100.7")}


@pytest.mark.django_db
def test_behind_a_proxy_two_clients_are_limited_separately(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limit_submissions_to(settings, "1/hour")
    assert post(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == HTTPStatus.CREATED
    assert post(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert post(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == HTTPStatus.CREATED


@pytest.mark.django_db
def test_the_form_is_throttled_by_the_same_address_as_the_api(client, settings):
    limit_submissions_to(settings, "2/hour")
    assert post(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 201
    assert post(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 201
    response = client.post("/request-appointment/", {}, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.3")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.usefixtures("front_desk")
@pytest.mark.django_db
def test_the_admin_lockout_counts_the_same_client_and_ignores_forged_addresses(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "dana", "password": "wrong-password"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        )
    attempts = AccessAttempt.objects.filter(username="dana")
    assert list(attempts.values_list("ip_address", flat=True)) == ["198.51.100.7"]
    locked = client.post(
        "/admin/login/?next=/admin/",
        {"username": "dana", "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.200, 198.51.100.7",
    )
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
