"""The admin for articles, their people and topics. "View on site" opens drafts as a staff-only preview."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from articles.models import Article, Person, Topic

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # dev only: django-stubs-ext is not in the runtime lock


class _ArticleCounts(TypedDict):
    written_count: int
    reviewed_count: int


class ClinicDateTimeField(forms.SplitDateTimeField):
    """A date and time in the clinic's zone, including the hour repeated when the clocks go back.

    Django refuses such a time as ambiguous, and the admin shows every saved
    time in local time: an article published between 1 and 2 am on the night
    the clocks go back could then never be saved again. This takes the first
    of the two (daylight time); for a time skipped when the clocks go forward,
    the offset before the change.
    """

    def compress(self, data_list):
        if data_list and all(value not in self.empty_values for value in data_list):
            return datetime.combine(*data_list).replace(tzinfo=timezone.get_current_timezone())
        return super().compress(data_list)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    formfield_overrides = {models.DateTimeField: {"form_class": ClinicDateTimeField}}
    list_display = ["title", "status", "visibility", "published_at", "reviewer", "updated_at", "modified"]
    list_filter = ["status", "topics", "reviewer"]
    list_select_related = ["reviewer"]
    search_fields = ["title", "summary", "body_markdown"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    date_hierarchy = "published_at"
    readonly_fields = ["reading_minutes", "created", "modified"]
    view_on_site = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body_markdown", "topics"]}),
        ("People", {"fields": ["author", "reviewer"]}),
        ("Publication", {"fields": ["status", "published_at", "updated_at"]}),
        ("Computed", {"classes": ["collapse"], "fields": ["reading_minutes", "created", "modified"]}),
    ]

    @admin.display(description="visible to the public")
    def visibility(self, article: Article) -> str:
        if article.status == Article.Status.DRAFT:
            return "no: draft"
        return "yes" if article.is_live else "not yet: scheduled"


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "written", "reviewed"]
    search_fields = ["name", "credentials"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                written_count=Count("articles_written", distinct=True),
                reviewed_count=Count("articles_reviewed", distinct=True),
            )
        )

    @admin.display(description="articles written", ordering="written_count")
    def written(self, person: WithAnnotations[Person, _ArticleCounts]) -> int:
        return person.written_count

    @admin.display(description="articles reviewed", ordering="reviewed_count")
    def reviewed(self, person: WithAnnotations[Person, _ArticleCounts]) -> int:
        return person.reviewed_count


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
