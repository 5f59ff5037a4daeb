"""The public article pages. Topic lists live at /articles/topic/<slug>/, pages at ?page=<n>."""

from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="list"),
    path("articles/topic/<slug:topic_slug>/", views.article_list, name="topic"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
]
