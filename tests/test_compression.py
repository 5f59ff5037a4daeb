"""Pages and static files sent compressed by the app itself, where no secret rides along (BREACH).

Compressed: the public pages of the page cache (the same for every visitor,
no CSRF token, nothing per visitor), the privacy notice, and the static
files (whitenoise's precompressed copies, production storage). Not
compressed: the request form, whose CSRF token sits beside text an attacker
can put in its URL, which is what BREACH needs.
"""

from __future__ import annotations

import gzip
import json
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from articles import cache as page_cache
from tests.test_settings import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

ARTICLE_URL = "/articles/why-running-hurts-your-back/"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.fixture
def shipped_articles():
    call_command("load_articles", stdout=StringIO())
    cache.clear()
    page_cache.forget_local_pages()


def varies_on_encoding(response) -> bool:
    return "accept-encoding" in [part.strip().lower() for part in response.get("Vary", "").split(",")]


@pytest.mark.usefixtures("shipped_articles")
@pytest.mark.parametrize("url", ["/", ARTICLE_URL, "/articles/", "/articles/topic/red-flags/"])
def test_a_cached_page_is_gzipped_for_a_client_that_asks_on_a_miss_and_on_a_hit(url):
    plain = Client().get(url).content
    page_cache.pages_invalidate()

    miss, hit = Client().get(url, headers=BROWSER), Client().get(url, headers=BROWSER)

    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        assert response.status_code == HTTPStatus.OK
        assert response["Content-Encoding"] == "gzip"
        assert varies_on_encoding(response)
        assert gzip.decompress(response.content) == plain
        assert len(response.content) < len(plain) / 2


@pytest.mark.usefixtures("shipped_articles")
def test_a_client_that_does_not_ask_for_gzip_gets_plain_html_even_from_a_page_stored_for_one_that_did():
    assert Client().get(ARTICLE_URL, headers=BROWSER)["X-Page-Cache"] == "miss"  # stored by a gzip client

    for accept in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "br"}):
        response = Client().get(ARTICLE_URL, headers=accept)
        assert response["X-Page-Cache"] == "hit"
        assert not response.has_header("Content-Encoding")
        assert varies_on_encoding(response)
        assert response.content.startswith(b"<!doctype html>")


@pytest.mark.usefixtures("shipped_articles")
def test_a_page_rendered_for_a_logged_in_user_is_not_compressed(client, front_desk):
    client.force_login(front_desk)
    response = client.get(ARTICLE_URL, headers=BROWSER)
    assert response.status_code == HTTPStatus.OK
    assert not response.has_header("Content-Encoding")


def test_the_privacy_notice_is_gzipped_when_asked_and_plain_otherwise(client):
    gzipped, plain = client.get("/privacy/", headers=BROWSER), client.get("/privacy/")
    assert gzipped["Content-Encoding"] == "gzip"
    assert varies_on_encoding(gzipped) and varies_on_encoding(plain)
    assert not plain.has_header("Content-Encoding")
    assert b"<!doctype html>" in gzip.decompress(gzipped.content)


def test_the_request_form_is_never_compressed_it_has_a_csrf_token_beside_text_from_its_url(client):
    # BREACH: a secret and attacker-chosen text in one compressed answer leak the secret by its length.
    response = client.get(
        "/request-appointment/?article=why-running-hurts&utm_campaign=csrfmiddlewaretoken", headers=BROWSER
    )
    assert response.status_code == HTTPStatus.OK
    assert not response.has_header("Content-Encoding")
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html and "why-running-hurts" in html


STATIC_PROBE = """
import json, tempfile
from django.conf import settings
from django.core.management import call_command
from django.test import Client

settings.STATIC_ROOT = tempfile.mkdtemp()
call_command("collectstatic", interactive=False, verbosity=0)
from django.contrib.staticfiles.storage import staticfiles_storage

path = staticfiles_storage.url("css/site.css")
client = Client(HTTP_HOST="appointments.example.org")
gzipped = client.get(path, secure=True, HTTP_ACCEPT_ENCODING="gzip, deflate")
plain = client.get(path, secure=True)
print(json.dumps({
    "path": path,
    "storage": type(staticfiles_storage._wrapped).__name__,
    "gzipped": {k: gzipped.get(k, "") for k in ("Content-Encoding", "Vary", "Cache-Control")},
    "plain": {k: plain.get(k, "") for k in ("Content-Encoding", "Vary", "Cache-Control")},
    "status": [gzipped.status_code, plain.status_code],
    "static_gzip_middleware": "clinic.middleware.StaticGZipMiddleware" in settings.MIDDLEWARE,
}))
"""


def test_in_production_static_files_are_served_gzipped_with_far_future_cache_headers():
    result = manage("shell", "-c", STATIC_PROBE, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["storage"] == "CompressedManifestStaticFilesStorage"
    assert probe["static_gzip_middleware"] is False  # WhiteNoise's own gzipped copies, not gzip per request
    assert probe["status"] == [200, 200]
    assert probe["path"] != "/static/css/site.css"  # a hashed name: the file at it never changes
    assert probe["gzipped"]["Content-Encoding"] == "gzip"
    assert probe["plain"]["Content-Encoding"] == ""
    for answer in (probe["gzipped"], probe["plain"]):
        assert "Accept-Encoding" in answer["Vary"]
        assert "immutable" in answer["Cache-Control"]
        assert "max-age=315360000" in answer["Cache-Control"]


def body(response) -> bytes:
    """The whole body, from a file response (streamed, as WhiteNoise answers) or any other."""
    return response.getvalue()


def test_in_development_static_files_are_gzipped_for_a_client_that_asks_and_plain_otherwise(settings):
    # As `make run` serves them: WhiteNoise reads the files from their folders (finders), uncompressed.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_bytes()

    gzipped = Client().get("/static/css/site.css", headers=BROWSER)
    plain = Client().get("/static/css/site.css")

    assert gzipped.status_code == plain.status_code == HTTPStatus.OK
    assert gzipped["Content-Encoding"] == "gzip"
    assert varies_on_encoding(gzipped)
    assert gzip.decompress(body(gzipped)) == css
    assert not plain.has_header("Content-Encoding")
    assert body(plain) == css
