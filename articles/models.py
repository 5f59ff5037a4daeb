"""The clinic's educational articles, who wrote and reviewed them, and their topics."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from articles.rendering import reading_minutes, render_markdown

# The page's meta description too: search engines show about this much.
SUMMARY_MAX_LENGTH = 300


class Person(models.Model):
    """Someone named on an article: its author or its medical reviewer."""

    name = models.CharField(max_length=120, unique=True)
    credentials = models.CharField(
        max_length=200, blank=True, help_text="Degrees and role, e.g. 'DPT, Sports Physical Therapist'."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Topic(models.Model):
    """A subject that groups articles, with its own list page."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", kwargs={"topic_slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def live(self) -> ArticleQuerySet:
        """Articles the public may see: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self) -> ArticleQuerySet:
        """Published articles whose publication time is still to come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())


class Article(models.Model):
    """An educational article, written in Markdown and shown as sanitized HTML."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(
        max_length=SUMMARY_MAX_LENGTH, help_text="One or two sentences; also the page's meta description."
    )
    body_markdown = models.TextField("body (Markdown)")
    body_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="articles_written")
    reviewer = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="articles_reviewed", verbose_name="medical reviewer"
    )
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "published", default=timezone.now, help_text="A published article stays hidden until this time."
    )
    updated_at = models.DateTimeField(
        "content updated",
        null=True,
        blank=True,
        help_text="When the content was last revised and medically reviewed; empty if not since publication.",
    )
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "pk"]
        indexes = [
            # The public pages all ask for "published, newest first, up to now".
            models.Index(fields=["status", "-published_at"], name="article_status_published_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="article_status_valid"),
            models.CheckConstraint(
                condition=Q(updated_at__isnull=True) | Q(updated_at__gte=F("published_at")),
                name="article_updated_not_before_published",
                violation_error_message="The content-updated date cannot be earlier than the publication date.",
            ),
            models.CheckConstraint(condition=Q(reading_minutes__gte=1), name="article_reading_minutes_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The HTML and reading time are derived from the Markdown, so they are
        # rebuilt on every save and can never drift from it.
        self.body_html = render_markdown(self.body_markdown)
        self.reading_minutes = reading_minutes(self.body_html)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body_markdown" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "reading_minutes"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def last_updated_at(self) -> datetime:
        """When the content last changed: its revision date, else its publication date."""
        return self.updated_at or self.published_at

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()
