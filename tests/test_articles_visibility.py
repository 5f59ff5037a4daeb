"""Drafts and scheduled articles stay hidden from the public; staff preview them, uncached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, TopicFactory
from tests.support.articles import article_change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="a-long-test-password", is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_the_public_gets_not_found_for_a_hidden_article(client, kind):
    article = ArticleFactory.create(**{kind: True})

    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_hidden_articles_are_left_out_of_every_list(client, kind):
    topic = TopicFactory.create(slug="recovery")
    hidden = ArticleFactory.create(title="Not for the public yet", topics=[topic], **{kind: True})
    ArticleFactory.create(title="Visible piece", topics=[topic])

    for url in ("/", "/articles/", "/articles/topic/recovery/"):
        html = client.get(url).content.decode()
        assert "Visible piece" in html, url
        assert hidden.title not in html, url
        assert hidden.get_absolute_url() not in html, url


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_staff_preview_a_hidden_article_at_its_address_and_it_is_never_cached(client, staff_client, kind):
    article = ArticleFactory.create(title="Preview me", **{kind: True})

    response = staff_client.get(article.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Preview me" in html
    assert "Staff preview" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control
    # Nothing of the preview was stored for anyone else.
    staff_client.logout()
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_visitor_who_is_not_staff_cannot_preview(client, django_user_model):
    user = django_user_model.objects.create_user(username="patient", password="a-long-test-password")
    client.force_login(user)
    article = ArticleFactory.create(draft=True)

    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_scheduled_article_goes_live_once_its_time_has_come(client):
    article = ArticleFactory.create(scheduled=True)
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND

    # As if the clock had moved on: queryset.update sends no signal.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.OK


def test_live_means_published_and_not_in_the_future():
    live = ArticleFactory.create()
    ArticleFactory.create(draft=True)
    ArticleFactory.create(scheduled=True)
    ArticleFactory.create(draft=True, published_at=timezone.now() - timedelta(days=1))

    assert list(Article.objects.live()) == [live]


def test_the_admin_lists_searches_and_filters_articles(admin_client):
    ArticleFactory.create(title="Hamstring stretches", summary="Loosen up.")
    ArticleFactory.create(title="Shoe fitting")

    listing = admin_client.get("/admin/articles/article/")
    search = admin_client.get("/admin/articles/article/", {"q": "hamstring"})
    drafts = admin_client.get("/admin/articles/article/", {"status__exact": "draft"})

    assert listing.status_code == HTTPStatus.OK
    assert "Hamstring stretches" in search.content.decode()
    assert "Shoe fitting" not in search.content.decode()
    assert "Hamstring stretches" not in drafts.content.decode()


def test_view_on_site_from_the_admin_opens_the_draft_for_staff(admin_client):
    article = ArticleFactory.create(title="Draft in the works", draft=True)
    shortcut = f"/admin/r/{ContentType.objects.get_for_model(Article).pk}/{article.pk}/"

    change = admin_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert shortcut in change.content.decode(), "the change page links to View on site"

    response = admin_client.get(shortcut, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain[-1][0].endswith(f"/articles/{article.slug}/")
    assert "Draft in the works" in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/articles/person/", "/admin/articles/topic/", "/admin/articles/article/add/"])
def test_the_other_admin_pages_open(admin_client, url):
    ArticleFactory.create()

    assert admin_client.get(url).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("local_time", "saved_utc"),
    [
        # The clocks go back at 2 am on 1 November 2026: 1:30 am happens twice.
        ("2026-11-01 01:30:00", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        # They go forward at 2 am on 8 March 2026: 2:30 am never happens.
        ("2026-03-08 02:30:00", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
    ],
)
def test_an_article_dated_in_a_clock_change_hour_can_be_saved_in_the_admin(admin_client, local_time, saved_utc):
    article = ArticleFactory.create(published_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    day, time = local_time.split()

    response = admin_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_change_form(article, published_at_0=day, published_at_1=time, updated_at_0=day, updated_at_1=time),
    )

    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.published_at == saved_utc
    assert article.updated_at == saved_utc
