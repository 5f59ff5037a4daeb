"""Public pages come from a cache of their HTML: no query on a hit, fresh after any edit, never per-user data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from http import HTTPStatus
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from articles import cache as page_cache
from articles.cache import cached_page
from articles.models import Article
from tests.factories import ArticleFactory, PersonFactory, TopicFactory
from tests.support.articles import article_change_form

pytestmark = pytest.mark.django_db

ARTICLE_URL = "/articles/why-running-hurts-your-back/"


@pytest.fixture
def clock() -> Iterator[Callable[[float], None]]:
    """Time stands still until the test moves it: `clock(seconds)`.

    Moves the wall clock (time-machine: `time.time()`, `timezone.now()`, the
    cache backend's expiry) and the page cache's own monotonic clock, which
    times its version checks, together.
    """
    # Whole seconds, so that moving by whole seconds lands exactly on an expiry.
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as traveller:
        started, moved = 1000.0, 0.0

        def monotonic() -> float:
            return started + moved

        def advance(seconds: float) -> None:
            nonlocal moved
            traveller.shift(seconds)
            moved += seconds

        local_clock = page_cache._local.clock
        page_cache._local.clock = monotonic
        try:
            yield advance
        finally:
            page_cache._local.clock = local_clock


@pytest.fixture
def shipped_articles():
    call_command("load_articles", stdout=StringIO())
    cache.clear()
    page_cache.forget_local_pages()


# --- hits and misses ----------------------------------------------------------


@pytest.mark.usefixtures("shipped_articles")
def test_an_article_page_costs_four_queries_on_a_miss_and_none_on_a_hit(client, django_assert_num_queries):
    """Article with its people, its topics, related articles, and the next scheduled publication."""
    with django_assert_num_queries(4):
        miss = client.get(ARTICLE_URL)
    with django_assert_num_queries(0):
        hit = client.get(ARTICLE_URL)

    assert miss.status_code == hit.status_code == HTTPStatus.OK
    assert miss["X-Page-Cache"] == "miss"
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == miss.content
    assert hit["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.usefixtures("shipped_articles")
def test_every_visitor_gets_the_same_page_and_no_cookie():
    first, second = Client().get(ARTICLE_URL), Client().get(ARTICLE_URL)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert not first.cookies and not second.cookies


def test_a_miss_costs_the_same_however_many_articles_and_topics_there_are(client, django_assert_num_queries):
    topics = TopicFactory.create_batch(5)
    article = ArticleFactory.create(topics=topics)
    ArticleFactory.create_batch(15, topics=topics)
    page_cache.pages_invalidate()

    with django_assert_num_queries(4):
        client.get(article.get_absolute_url())


@pytest.mark.usefixtures("shipped_articles")
@pytest.mark.parametrize(
    ("url", "miss_queries"),
    [
        ("/", 3),  # latest articles, topics, next publication
        ("/articles/", 4),  # count, page of articles, topics, next publication
        ("/articles/topic/red-flags/", 5),  # the topic, then as above
        ("/articles/?page=1", 4),
    ],
)
def test_list_pages_make_a_fixed_number_of_queries_on_a_miss_and_none_on_a_hit(
    client, django_assert_num_queries, url, miss_queries
):
    with django_assert_num_queries(miss_queries):
        assert client.get(url).status_code == HTTPStatus.OK
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"


@pytest.mark.usefixtures("shipped_articles")
def test_query_parameters_the_page_does_not_read_share_its_cache_entry(client, django_assert_num_queries):
    client.get("/articles/")

    with django_assert_num_queries(0):
        response = client.get("/articles/?utm_source=newsletter&x=y")
    assert response["X-Page-Cache"] == "hit"


def test_each_page_number_is_its_own_cache_entry(client):
    ArticleFactory.create_batch(11)

    first, second = client.get("/articles/"), client.get("/articles/?page=2")

    assert first.content != second.content
    assert client.get("/articles/?page=2").content == second.content


# --- invalidation --------------------------------------------------------------


def test_saving_an_article_shows_the_change_at_once_everywhere(client):
    topic = TopicFactory.create(slug="form")
    article = ArticleFactory.create(title="Old title", topics=[topic])
    urls = [article.get_absolute_url(), "/", "/articles/", "/articles/topic/form/"]
    for url in urls:
        client.get(url)
        assert "Old title" in client.get(url).content.decode()

    article.title = "New title"
    article.save()

    for url in urls:
        html = client.get(url).content.decode()
        assert "New title" in html, url
        assert "Old title" not in html, url


def test_an_edit_in_the_admin_shows_on_the_public_page_at_once(
    client, admin_client, django_capture_on_commit_callbacks
):
    topic = TopicFactory.create(slug="stretching")
    article = ArticleFactory.create(title="Before the edit", topics=[topic])
    assert "Before the edit" in client.get(article.get_absolute_url()).content.decode()
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/articles/article/{article.pk}/change/", article_change_form(article, title="After the edit")
        )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]

    html = client.get(article.get_absolute_url()).content.decode()
    assert "After the edit" in html
    assert "Before the edit" not in html


def test_changing_a_reviewer_topic_or_an_article_topic_list_refreshes_the_pages(client):
    topic = TopicFactory.create(slug="causes", name="Causes")
    reviewer = PersonFactory.create(name="Dr. Iris Vale", credentials="MD")
    article = ArticleFactory.create(reviewer=reviewer, topics=[topic])
    url = article.get_absolute_url()
    client.get(url)

    reviewer.credentials = "MD, Spine Surgeon"
    reviewer.save()
    assert "MD, Spine Surgeon" in client.get(url).content.decode()

    topic.name = "Why it hurts"
    topic.save()
    assert "Why it hurts" in client.get(url).content.decode()

    article.topics.add(TopicFactory.create(slug="recovery", name="Recovery"))
    assert 'href="/articles/topic/recovery/"' in client.get(url).content.decode()


def test_deleting_an_article_removes_it_from_the_cached_pages(client):
    article = ArticleFactory.create(title="Soon gone")
    assert "Soon gone" in client.get("/articles/").content.decode()

    article.delete()

    assert "Soon gone" not in client.get("/articles/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.usefixtures("shipped_articles")
def test_a_reload_that_changes_nothing_keeps_the_cached_pages(client):
    client.get(ARTICLE_URL)

    call_command("load_articles", stdout=StringIO())

    assert client.get(ARTICLE_URL)["X-Page-Cache"] == "hit"


def test_a_scheduled_article_appears_when_its_time_comes_without_any_save(client, clock):
    ArticleFactory.create(title="Already out")
    ArticleFactory.create(title="Coming soon", published_at=timezone.now() + timedelta(minutes=2))
    first = client.get("/articles/")
    assert "Coming soon" not in first.content.decode()

    clock(119)
    just_before = client.get("/articles/")
    assert just_before["X-Page-Cache"] == "hit"
    assert "Coming soon" not in just_before.content.decode()

    clock(1)
    on_time = client.get("/articles/")
    assert on_time["X-Page-Cache"] == "miss"
    assert "Coming soon" in on_time.content.decode()


def test_a_cached_page_is_served_for_its_time_to_live_and_no_longer(client, clock):
    article = ArticleFactory.create(title="Original")
    client.get(article.get_absolute_url())
    # A change that sends no signal: only the time to live can refresh the page.
    Article.objects.filter(pk=article.pk).update(title="Changed quietly")

    clock(page_cache.PAGE_TTL - 1)
    assert "Original" in client.get(article.get_absolute_url()).content.decode()

    clock(1)
    assert "Changed quietly" in client.get(article.get_absolute_url()).content.decode()


# --- what is never cached -----------------------------------------------------


@pytest.mark.usefixtures("shipped_articles")
def test_a_logged_in_visitor_never_gets_or_fills_the_cache(client, admin_client):
    admin_client.get(ARTICLE_URL)
    second = admin_client.get(ARTICLE_URL)

    assert "X-Page-Cache" not in second
    assert client.get(ARTICLE_URL)["X-Page-Cache"] == "miss", "the staff visits stored nothing"


@pytest.mark.usefixtures("shipped_articles")
@pytest.mark.parametrize("url", ["/articles/no-such-article/", "/articles/?page=999", "/articles/?page=abc"])
def test_errors_and_redirects_are_not_cached(client, url):
    client.get(url)
    response = client.get(url)

    assert "X-Page-Cache" not in response


@pytest.mark.usefixtures("shipped_articles")
def test_a_head_request_bypasses_the_cache(client):
    client.get(ARTICLE_URL)

    response = client.head(ARTICLE_URL)

    assert response.status_code == HTTPStatus.OK
    assert "X-Page-Cache" not in response


def _view_counting_calls(body_for_request):
    calls = []

    @cached_page()
    def view(request):
        calls.append(request)
        return body_for_request(request)

    return view, calls


def test_a_page_whose_rendering_asks_for_a_csrf_token_is_not_stored(rf):
    template = Template("<form>{% csrf_token %}</form>")
    view, calls = _view_counting_calls(lambda request: HttpResponse(template.render(RequestContext(request))))

    view(rf.get("/csrf-tag/"))
    second = view(rf.get("/csrf-tag/"))

    assert len(calls) == 2
    assert "X-Page-Cache" not in second


def test_a_response_that_sets_a_cookie_is_not_stored(rf):
    def with_cookie(_request):
        response = HttpResponse("<p>hello</p>")
        response.set_cookie("seen", "1")
        return response

    view, calls = _view_counting_calls(with_cookie)

    view(rf.get("/cookie/"))
    view(rf.get("/cookie/"))

    assert len(calls) == 2


def test_a_response_from_a_view_that_looked_at_the_session_is_not_stored(rf):
    def looks_at_session(request):
        request.session.get("anything")
        return HttpResponse("<p>maybe personal</p>")

    view, calls = _view_counting_calls(looks_at_session)
    for _ in range(2):
        request = rf.get("/session/")
        request.session = SessionStore()
        view(request)

    assert len(calls) == 2


# --- the two levels: this process's memory in front of the shared cache ---------


@pytest.mark.usefixtures("shipped_articles")
def test_a_hit_from_memory_makes_no_round_trip_to_the_shared_cache(client, monkeypatch):
    client.get(ARTICLE_URL)

    def unreachable(*_args, **_kwargs):
        raise AssertionError("the shared cache was asked")

    monkeypatch.setattr(page_cache.cache, "get", unreachable)

    assert client.get(ARTICLE_URL)["X-Page-Cache"] == "hit"


@pytest.mark.usefixtures("shipped_articles")
def test_a_page_stored_by_another_process_is_served_from_the_shared_cache(client):
    client.get(ARTICLE_URL)
    page_cache.forget_local_pages()  # as a second web worker, which has served nothing yet

    response = client.get(ARTICLE_URL)

    assert response["X-Page-Cache"] == "hit"


def test_another_process_saving_an_article_reaches_this_one_within_the_recheck_interval(client, clock):
    article = ArticleFactory.create(title="Before")
    client.get(article.get_absolute_url())
    # Another web worker saves the article: the database and the shared version change, not this process's memory.
    Article.objects.filter(pk=article.pk).update(title="After")
    cache.set(page_cache._VERSION_KEY, "set-by-another-process", timeout=None)

    clock(page_cache.VERSION_RECHECK_SECONDS - 0.1)
    assert "Before" in client.get(article.get_absolute_url()).content.decode(), "within the interval: memory"
    clock(0.1)
    assert "After" in client.get(article.get_absolute_url()).content.decode()


def test_memory_holds_at_most_local_pages_and_drops_the_least_recently_used(client, monkeypatch):
    monkeypatch.setattr(page_cache, "LOCAL_PAGES", 2)
    articles = ArticleFactory.create_batch(3)
    urls = [a.get_absolute_url() for a in articles]
    for url in urls:
        client.get(url)

    assert len(page_cache._local._pages) == 2
    cache.clear()  # only memory is left
    assert client.get(urls[0])["X-Page-Cache"] == "miss", "the oldest was dropped"
    assert client.get(urls[2])["X-Page-Cache"] == "hit"


@pytest.mark.usefixtures("shipped_articles")
@pytest.mark.parametrize(
    "stored",
    [
        {"html": "<p>a page stored by the release before</p>", "content_type": "text/html"},
        {"content": "not bytes", "content_type": "text/html", "expires_at": 1e12},
        "junk",
    ],
)
def test_an_entry_of_another_shape_in_the_shared_cache_is_ignored_not_a_500(client, stored):
    version = page_cache._current_version()
    assert version is not None
    key = page_cache._page_key(version, RequestFactory().get(ARTICLE_URL), ())
    cache.set(key, stored)

    response = client.get(ARTICLE_URL)

    assert response.status_code == HTTPStatus.OK
    assert response["X-Page-Cache"] == "miss"


@pytest.mark.usefixtures("shipped_articles")
def test_the_page_cache_failing_means_pages_are_rendered_as_usual(client, monkeypatch):
    def down(*_args, **_kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "set", "add"):
        monkeypatch.setattr(page_cache.cache, name, down)

    response = client.get(ARTICLE_URL)

    assert response.status_code == HTTPStatus.OK
    assert "X-Page-Cache" not in response
