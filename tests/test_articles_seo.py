"""What search engines see: titles, descriptions, canonical URLs, Open Graph, JSON-LD, the sitemap and robots.txt."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from tests.factories import ArticleFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def public_site(settings):
    settings.SITE_URL = "https://clinic.example.org"


def json_ld_blocks(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.DOTALL)
    ]


@pytest.mark.usefixtures("public_site")
def test_an_article_page_has_its_own_title_description_canonical_and_open_graph(client):
    article = ArticleFactory.create(title="Cadence & your back", summary="Shorter steps, softer landings.")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<title>Cadence &amp; your back | Harbourview Spine &amp; Sports Clinic</title>" in html
    assert '<meta name="description" content="Shorter steps, softer landings.">' in html
    canonical = f"https://clinic.example.org/articles/{article.slug}/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Cadence &amp; your back">' in html


@pytest.mark.usefixtures("public_site")
def test_the_canonical_of_a_list_page_keeps_only_its_page_number(client):
    ArticleFactory.create_batch(11)

    first = client.get("/articles/?page=1&utm_source=mail").content.decode()
    second = client.get("/articles/?page=2&utm_source=mail").content.decode()

    assert '<link rel="canonical" href="https://clinic.example.org/articles/">' in first
    assert '<link rel="canonical" href="https://clinic.example.org/articles/?page=2">' in second


@pytest.mark.usefixtures("public_site")
def test_json_ld_describes_a_medical_web_page_with_its_reviewer_and_dates(client):
    reviewer = PersonFactory.create(name="Dr. Ana Lutz", credentials="MD, Physiatrist")
    author = PersonFactory.create(name="Sam Ortiz", credentials="DPT")
    article = ArticleFactory.create(author=author, reviewer=reviewer, topics=[TopicFactory.create(name="Recovery")])

    [data] = json_ld_blocks(client.get(article.get_absolute_url()).content.decode())

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["headline"] == article.title
    assert data["description"] == article.summary
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr. Ana Lutz", "jobTitle": "MD, Physiatrist"}
    assert data["author"] == {"@type": "Person", "name": "Sam Ortiz", "jobTitle": "DPT"}
    assert data["datePublished"] == timezone.localtime(article.published_at).isoformat()
    assert data["dateModified"] == timezone.localtime(article.updated_at).isoformat()
    assert data["lastReviewed"] == timezone.localdate(article.updated_at).isoformat()
    assert data["publisher"]["name"] == "Harbourview Spine & Sports Clinic"
    assert data["publisher"]["@type"] == "MedicalClinic"
    assert data["url"] == f"https://clinic.example.org{article.get_absolute_url()}"


def test_json_ld_cannot_be_broken_out_of_by_the_article_text(client):
    hostile = "</script><script>alert(1)</script><!--"
    article = ArticleFactory.create(title=f"Title {hostile}", summary=f"Summary {hostile}")

    html = client.get(article.get_absolute_url()).content.decode()
    [data] = json_ld_blocks(html)

    assert data["headline"] == f"Title {hostile}"
    assert data["description"] == f"Summary {hostile}"
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 1


def test_each_shipped_article_has_json_ld_with_its_reviewer(client):
    call_command("load_articles", stdout=StringIO())

    for article in Article.objects.live().select_related("reviewer"):
        [data] = json_ld_blocks(client.get(article.get_absolute_url()).content.decode())
        assert data["reviewedBy"]["name"] == article.reviewer.name
        assert data["lastReviewed"] == timezone.localdate(article.updated_at).isoformat()


@pytest.mark.usefixtures("public_site")
def test_the_sitemap_lists_home_the_lists_and_each_live_article_with_lastmod(client):
    call_command("load_articles", stdout=StringIO())
    draft = ArticleFactory.create(draft=True)
    scheduled = ArticleFactory.create(scheduled=True)

    response = client.get("/sitemap.xml")

    assert response.status_code == HTTPStatus.OK
    entries = {}
    for url in ET.fromstring(response.content).findall("sm:url", SITEMAP_NS):  # noqa: S314 (our own sitemap)
        loc = url.find("sm:loc", SITEMAP_NS)
        assert loc is not None
        entries[loc.text] = url.find("sm:lastmod", SITEMAP_NS)
    assert "https://clinic.example.org/" in entries
    assert "https://clinic.example.org/articles/" in entries
    for article in Article.objects.live():
        location = f"https://clinic.example.org{article.get_absolute_url()}"
        assert location in entries
        lastmod = entries[location]
        assert lastmod is not None
        assert lastmod.text == timezone.localdate(article.last_updated_at).isoformat()
    assert f"https://clinic.example.org{draft.get_absolute_url()}" not in entries
    assert f"https://clinic.example.org{scheduled.get_absolute_url()}" not in entries
    assert "https://clinic.example.org/articles/cross-training-for-runners/" not in entries


@pytest.mark.usefixtures("public_site")
def test_robots_txt_allows_the_site_keeps_out_admin_and_api_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /api/" in lines
    assert "Sitemap: https://clinic.example.org/sitemap.xml" in lines


def test_a_preview_asks_search_engines_not_to_index_it(admin_client):
    article = ArticleFactory.create(draft=True)

    html = admin_client.get(article.get_absolute_url()).content.decode()

    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_a_live_article_may_be_indexed(client):
    html = client.get(ArticleFactory.create().get_absolute_url()).content.decode()

    assert 'name="robots"' not in html
    assert escape("Medically reviewed by") in html
