"""The public article pages: home, lists, each shipped article, and what bad addresses get."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from http import HTTPStatus
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import escape
from django.views.defaults import page_not_found

from articles.models import Article
from articles.views import server_error
from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parent.parent / "content" / "articles"


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


SHIPPED = [_front_matter(path) for path in sorted(CONTENT.glob("*.md"))]
SHIPPED_LIVE = [meta for meta in SHIPPED if meta["status"] == "published"]


@pytest.fixture
def shipped_articles():
    call_command("load_articles", stdout=StringIO())


class Outline(HTMLParser):
    """Collects heading levels, ids, inline styles and scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.styles: list[str] = []
        self.script_types: list[str | None] = []
        self.event_handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if "style" in attributes:
            self.styles.append(tag)
        if tag == "script":
            self.script_types.append(attributes.get("type"))
        self.event_handlers += [name for name in attributes if name.startswith("on")]


def outline(response) -> Outline:
    parser = Outline()
    parser.feed(response.content.decode())
    return parser


def assert_accessible_structure(response) -> None:
    page = outline(response)
    assert page.headings.count(1) == 1, "exactly one h1"
    assert page.headings[0] == 1, "the h1 comes first"
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}"
    assert len(page.ids) == len(set(page.ids)), "ids are unique"
    assert "main" in page.ids, "the skip link's target exists"
    # The CSP allows no inline styles or executable inline scripts.
    assert page.styles == []
    assert page.event_handlers == []
    assert all(kind == "application/ld+json" for kind in page.script_types)


@pytest.mark.usefixtures("shipped_articles")
@pytest.mark.parametrize("meta", SHIPPED_LIVE, ids=[meta["slug"] for meta in SHIPPED_LIVE])
def test_each_shipped_article_renders_with_its_title_reviewer_and_request_link(client, meta):
    response = client.get(f"/articles/{meta['slug']}/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    article = Article.objects.get(slug=meta["slug"])
    assert f"<h1>{escape(article.title)}</h1>" in html
    assert f"<title>{escape(article.title)} | " in html
    assert meta["reviewer"]["name"] in html
    assert meta["reviewer"]["credentials"] in html
    assert meta["author"]["name"] in html
    assert f'href="/request-appointment/?article={meta["slug"]}"' in html
    assert 'id="request-appointment"' in html
    assert "Medical disclaimer" in html
    assert f"{article.reading_minutes} minute" in html
    assert_accessible_structure(response)


def test_eight_articles_are_shipped_live_and_one_as_a_draft():
    assert len(SHIPPED_LIVE) == 8
    assert [meta["status"] for meta in SHIPPED].count("draft") == 1


@pytest.mark.usefixtures("shipped_articles")
def test_the_call_to_action_is_the_last_section_of_an_article(client):
    html = client.get(f"/articles/{SHIPPED_LIVE[0]['slug']}/").content.decode()
    main = html.split('<main id="main"')[1].split("</main>")[0]

    assert main.rstrip().endswith("</section>")
    assert main.rfind('id="request-appointment"') > main.rfind("<section") - 1
    assert main.rfind('id="request-appointment"') > main.find("Medical disclaimer")


def test_an_article_shows_its_dates_and_topics(client):
    topic = TopicFactory.create(slug="form", name="Running form")
    article = ArticleFactory.create(title="Cadence basics", topics=[topic])

    html = client.get(article.get_absolute_url()).content.decode()

    # The page shows dates in the clinic's time zone; in a New York evening UTC is a day ahead.
    assert f'datetime="{timezone.localdate(article.published_at):%Y-%m-%d}"' in html
    assert f'datetime="{timezone.localdate(article.updated_at):%Y-%m-%d}"' in html
    assert 'href="/articles/topic/form/"' in html


def test_related_articles_share_a_topic_and_are_at_most_three(client):
    shared, other = TopicFactory.create(slug="shared"), TopicFactory.create(slug="other")
    related = [ArticleFactory.create(title=f"Related {n}", topics=[shared]) for n in range(4)]
    # The newest of them all, so it would rank first among the related if not left out.
    article = ArticleFactory.create(title="The one being read", topics=[shared])
    unrelated = ArticleFactory.create(title="Unrelated piece", topics=[other])
    hidden = ArticleFactory.create(title="Hidden draft", topics=[shared], draft=True)

    html = client.get(article.get_absolute_url()).content.decode()
    section = html.split('id="related-heading"')[1].split("</section>")[0]

    assert sum(r.title in section for r in related) == 3
    assert unrelated.title not in section
    assert hidden.title not in section
    assert article.title not in section


def test_related_articles_sharing_more_topics_come_first(client):
    form, strength = TopicFactory.create(slug="form"), TopicFactory.create(slug="strength")
    closest = ArticleFactory.create(title="Shares both topics", topics=[form, strength])
    newer = [ArticleFactory.create(title=f"Shares one {n}", topics=[form]) for n in range(3)]
    article = ArticleFactory.create(topics=[form, strength])

    html = client.get(article.get_absolute_url()).content.decode()
    section = html.split('id="related-heading"')[1].split("</section>")[0]

    assert section.index(closest.title) < min(section.index(a.title) for a in newer[1:])
    assert newer[0].title not in section, "the oldest single-topic match is the fourth"


@pytest.mark.usefixtures("shipped_articles")
def test_home_is_for_runners_and_leads_to_the_request_form_and_latest_articles(client):
    response = client.get("/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert re.search(r"<h1>[^<]*\brunning\b[^<]*</h1>", html), "the page's heading speaks to runners"
    assert 'href="/request-appointment/"' in html
    newest = Article.objects.live().order_by("-published_at").first()
    assert newest is not None
    assert newest.get_absolute_url() in html
    assert "Monday to Friday 8:00 am \u2013 6:00 pm, Saturday 9:00 am \u2013 1:00 pm" in html
    assert_accessible_structure(response)


@pytest.mark.usefixtures("shipped_articles")
def test_the_list_shows_every_live_article_and_marks_all_topics_as_current(client):
    response = client.get("/articles/")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for meta in SHIPPED_LIVE:
        assert f'href="/articles/{meta["slug"]}/"' in html
    assert "cross-training-for-runners" not in html
    assert '<a href="/articles/" aria-current="page">All topics</a>' in html
    assert_accessible_structure(response)


@pytest.mark.usefixtures("shipped_articles")
def test_a_topic_page_lists_only_its_articles_and_marks_its_chip(client):
    response = client.get("/articles/topic/red-flags/")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    live_in_topic = [m["slug"] for m in SHIPPED_LIVE if "red-flags" in m["topics"]]
    others = [m["slug"] for m in SHIPPED_LIVE if "red-flags" not in m["topics"]]
    listing = html.split('class="article-list"')[1]
    assert all(f'href="/articles/{slug}/"' in listing for slug in live_in_topic)
    assert not any(f'href="/articles/{slug}/"' in listing for slug in others)
    assert '<a href="/articles/topic/red-flags/" aria-current="page">Red flags</a>' in html
    assert '<a href="/articles/" aria-current="page">' not in html


def test_the_list_pages_ten_articles_at_a_time(client):
    ArticleFactory.create_batch(12)

    first = client.get("/articles/").content.decode()
    second = client.get("/articles/?page=2").content.decode()

    assert first.count('class="article-title"') == 10
    assert second.count('class="article-title"') == 2
    assert 'href="/articles/?page=2" rel="next"' in first
    assert 'href="/articles/" rel="prev"' in second
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", "9" * 5000])
def test_a_page_that_is_not_a_positive_number_is_not_found(client, page):
    ArticleFactory.create()

    response = client.get("/articles/", {"page": page})

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_page_past_the_last_redirects_to_the_last_page(client):
    ArticleFactory.create_batch(11)

    response = client.get("/articles/?page=999")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/articles/?page=2"
    assert client.get(response["Location"]).status_code == HTTPStatus.OK


def test_an_empty_list_is_a_page_not_an_error(client):
    response = client.get("/articles/?page=3")

    assert response.status_code == HTTPStatus.FOUND
    assert client.get(response["Location"]).status_code == HTTPStatus.OK


@pytest.mark.parametrize("url", ["/articles/no-such-article/", "/articles/topic/no-such-topic/", "/no/such/page/"])
def test_an_unknown_address_gets_a_helpful_not_found_page(client, url):
    TopicFactory.create(slug="form")

    response = client.get(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert "cannot find that page" in html
    assert 'href="/articles/"' in html
    assert 'href="/request-appointment/"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_not_found_page_renders_without_touching_the_database(
    client, rf: RequestFactory, admin_user, settings, django_assert_num_queries
):
    """Even for a logged-in visitor, whose user and session would each cost a query if the page looked."""
    client.force_login(admin_user)
    request = rf.get("/articles/gone/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    SessionMiddleware(lambda _request: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda _request: HttpResponse()).process_request(request)

    with django_assert_num_queries(0):
        response = page_not_found(request, Exception("gone"))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "cannot find that page" in response.content.decode()


def test_the_server_error_page_shows_the_phone_number_without_the_request_or_database(
    rf: RequestFactory, settings, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    html = response.content.decode()
    assert "something went wrong" in html
    assert settings.CLINIC["PHONE"] in html


def test_a_crash_in_a_view_is_answered_with_the_clinic_500_page(client, settings):
    """A database error while rendering an article still gives the friendly 500 page."""
    client.raise_request_exception = False
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE articles_article_topics")

    response = client.get("/articles/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert settings.CLINIC["PHONE"] in response.content.decode()
