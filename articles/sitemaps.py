"""The sitemap: home, the article lists and every live article, with absolute URLs on SITE_URL."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from typing_extensions import override

from articles import selectors
from articles.models import Article, Topic

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # dev only: django-stubs-ext is not in the runtime lock


class _Latest(TypedDict):
    latest: datetime  # its latest live article's publication


class _OnSiteUrl(Sitemap):
    """Locations on `settings.SITE_URL`, not on whatever host the request came to."""

    @override
    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    @override
    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(_OnSiteUrl):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return selectors.article_sitemap_items()

    def lastmod(self, article: Article) -> datetime:
        return article.last_updated_at


class TopicSitemap(_OnSiteUrl):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        live = Article.objects.live()
        return Topic.objects.filter(articles__in=live).annotate(latest=Max("articles__published_at")).order_by("name")

    def lastmod(self, topic: WithAnnotations[Topic, _Latest]) -> datetime:
        return topic.latest


class PagesSitemap(_OnSiteUrl):
    """The home page and the full article list; both change when an article goes live."""

    changefreq = "weekly"
    priority = 1.0

    def items(self) -> list[str]:
        return ["articles:home", "articles:list"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, _name: str) -> datetime | None:  # both pages change when an article goes live
        return Article.objects.live().aggregate(latest=Max("published_at"))["latest"]


SITEMAPS = {"pages": PagesSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}
