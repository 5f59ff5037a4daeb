"""Every link in every email works on the address the site is served from (SITE_URL)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import time
from http import HTTPStatus

import pytest
from typing_extensions import override

from requests_app.emails import SUBJECTS, build_email
from requests_app.models import Notification
from requests_app.services.appointments import appointment_schedule
from requests_app.services.pipeline import request_process
from tests.support.appointments import bookable_day
from tests.support.intake import submit

pytestmark = pytest.mark.django_db(transaction=True)

URL = re.compile(r"""https?://[^\s"'<>]+""")
HREF = re.compile(r'href="([^"]+)"')


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    @override
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str) -> tuple[int, str]:
    """The status and Location of a GET, as a mail program's browser gets it (redirects not followed)."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def links(message) -> set[str]:
    """Every web address in the plain-text part and every href of the HTML part."""
    [(html, _)] = message.alternatives
    found = set(URL.findall(message.body)) | set(HREF.findall(html))
    return {link for link in found if not link.startswith(("tel:", "mailto:"))}


@pytest.fixture
def one_email_of_each_event(front_desk):
    """An unsaved notification of every event the clinic sends, for one request that went all the way."""
    request = submit().request
    callback = request_process(request_id=request.pk)
    assert callback is not None
    appointment_schedule(
        callback_id=callback.pk,
        user=front_desk,
        appointment_date=bookable_day(time(10, 30), after=3),
        appointment_time=time(10, 30),
    )
    request.refresh_from_db()
    return [
        Notification(event=event, recipient="someone@example.org", request=None if event == "daily_digest" else request)
        for event in SUBJECTS
    ]


def test_every_link_in_every_email_answers_on_the_address_served(live_server, settings, one_email_of_each_event):
    settings.SITE_URL = live_server.url
    seen: dict[str, set[str]] = {}
    for notification in one_email_of_each_event:
        for link in links(build_email(notification)):
            seen.setdefault(link, set()).add(notification.event)

    # The links the clinic relies on are there to check (a test of nothing would pass too).
    paths = {link.removeprefix(live_server.url).split("?")[0] for link in seen}
    assert "/privacy/" in paths
    assert "/admin/dashboard/" in paths
    assert any(path.startswith("/admin/requests_app/callback/") for path in paths)
    assert any(path.startswith("/request-appointment/better-time/") for path in paths)

    for link, events in sorted(seen.items()):
        assert link.startswith(live_server.url + "/"), (link, events)
        status, location = fetch(link)
        if "/admin/" in link:
            # Staff links: a login first, then the page itself.
            assert (status, location.split("?")[0]) == (HTTPStatus.FOUND, "/admin/login/"), (link, events)
        else:
            # Patient links, the signed better-time link among them, open as they are.
            assert status == HTTPStatus.OK, (link, events, status)


def test_the_links_follow_the_site_url_setting(settings, one_email_of_each_event):
    settings.SITE_URL = "http://127.0.0.1:8011"
    for notification in one_email_of_each_event:
        for link in links(build_email(notification)):
            assert link.startswith("http://127.0.0.1:8011/"), (notification.event, link)
