"""What crawlers ask for at the site's root: robots.txt and the sitemap (no namespace: `robots_txt`, `sitemap`)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from articles import views
from articles.sitemaps import SITEMAPS

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
