"""Writes for articles: turning the Markdown files under `content/articles/` into rows.

Each file is YAML front matter between two `---` lines, then the Markdown
body. The files are the source of truth for the articles they hold: loading
them again updates those rows (matched by slug) and never duplicates them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import SUMMARY_MAX_LENGTH, Article, Person, Topic
from articles.rendering import render_markdown

# Names and descriptions for the topics the articles use. A topic a file
# names that is not here is still created, named after its slug.
TOPIC_CATALOGUE: dict[str, tuple[str, str]] = {
    "causes": ("Causes", "Why a runner's back starts to ache, from sudden jumps in mileage to tight hips."),
    "form": ("Running form", "How posture, stride length and cadence change the load your spine takes."),
    "shoes-and-surfaces": (
        "Shoes and surfaces",
        "What you wear on your feet and what you run on, and how both reach your back.",
    ),
    "stretching": ("Stretching", "Warm-ups, cool-downs and stretches that keep hips and legs moving freely."),
    "strength": ("Strength", "Core and hip exercises that share out the work your lower back does on a run."),
    "red-flags": ("Red flags", "Signs that back pain needs a professional look soon, and the rare emergencies."),
    "recovery": ("Recovery", "Rest, cross-training and a gradual return, so a sore back does not become a long break."),
}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_SLUG = re.compile(r"^[-a-z0-9]+$")


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PersonSource:
    name: str
    credentials: str


@dataclass(frozen=True)
class ArticleSource:
    """One article as its file describes it, checked but not yet saved."""

    title: str
    slug: str
    summary: str
    body_markdown: str
    topics: tuple[str, ...]
    author: PersonSource
    reviewer: PersonSource
    published_at: datetime
    updated_at: datetime | None
    status: str


@dataclass
class LoadReport:
    """Slugs of the articles a load created, updated and left as they were."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome, slug: str) -> None:
        getattr(self, outcome.value).append(slug)


def article_source_parse(*, text: str, origin: str = "article") -> ArticleSource:
    """Split `text` into front matter and body and check every field.

    Raises ValueError naming `origin` (usually the file) and the field at fault.
    """
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise ValueError(f"{origin}: expected YAML front matter between '---' lines at the top of the file.")
    try:
        meta = yaml.safe_load(match[1])
    except yaml.YAMLError as error:
        raise ValueError(f"{origin}: the front matter is not valid YAML ({error}).") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{origin}: the front matter must be a mapping of fields.")
    body = match[2].strip()
    if not body:
        raise ValueError(f"{origin}: the article has no body.")

    slug = _required_text(meta, "slug", origin)
    if not _SLUG.match(slug):
        raise ValueError(f"{origin}: slug {slug!r} may hold only lowercase letters, digits and hyphens.")
    summary = _required_text(meta, "summary", origin)
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise ValueError(f"{origin}: the summary is longer than {SUMMARY_MAX_LENGTH} characters.")
    topics = meta.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) and _SLUG.match(t) for t in topics):
        raise ValueError(f"{origin}: topics must be a list of slugs, e.g. [causes, red-flags].")
    status = meta.get("status", Article.Status.DRAFT)
    if status not in Article.Status.values:
        raise ValueError(f"{origin}: status must be one of {', '.join(Article.Status.values)}, not {status!r}.")
    published_at = _required_moment(meta, "published", origin)
    updated_at = _moment(meta["updated"], "updated", origin) if meta.get("updated") else None
    if updated_at is not None and updated_at < published_at:
        raise ValueError(f"{origin}: 'updated' is earlier than 'published'.")

    return ArticleSource(
        title=_required_text(meta, "title", origin),
        slug=slug,
        summary=summary,
        body_markdown=body + "\n",
        topics=tuple(dict.fromkeys(topics)),
        author=_person(meta, "author", origin),
        reviewer=_person(meta, "reviewer", origin),
        published_at=published_at,
        updated_at=updated_at,
        status=status,
    )


def article_upsert_from_markdown(*, text: str, origin: str = "article") -> tuple[Article, Outcome]:
    """Create or update the article that `text` describes, matched by its slug.

    People and topics it names are created when missing, and a person's
    credentials follow the file. An article whose fields all match the file
    is not saved again, so an unchanged load leaves the page caches alone.
    """
    source = article_source_parse(text=text, origin=origin)
    with transaction.atomic():
        author = _person_upsert(source.author)
        reviewer = _person_upsert(source.reviewer)
        topics = [_topic_get_or_create(slug) for slug in source.topics]
        values = {
            "title": source.title,
            "summary": source.summary,
            "body_markdown": source.body_markdown,
            "author_id": author.pk,
            "reviewer_id": reviewer.pk,
            "status": source.status,
            "published_at": source.published_at,
            "updated_at": source.updated_at,
        }
        article = Article.objects.filter(slug=source.slug).first()
        if article is None:
            article, outcome = Article(slug=source.slug, **values), Outcome.CREATED
        else:
            same_fields = all(getattr(article, name) == value for name, value in values.items())
            same_topics = set(article.topics.values_list("pk", flat=True)) == {t.pk for t in topics}
            # A changed sanitizer or Markdown setup must reach the stored HTML too.
            same_html = article.body_html == render_markdown(source.body_markdown)
            if same_fields and same_topics and same_html:
                return article, Outcome.UNCHANGED
            for name, value in values.items():
                setattr(article, name, value)
            outcome = Outcome.UPDATED
        try:
            article.full_clean()
        except ValidationError as error:
            raise ValueError(f"{origin}: {'; '.join(error.messages)}") from None
        article.save()
        article.topics.set(topics)
    return article, outcome


def articles_load_directory(*, path: Path) -> LoadReport:
    """Upsert every `*.md` file in `path`, all or nothing.

    Every file is parsed before anything is written, so a broken file stops
    the load with its name and leaves the database as it was.
    """
    if not path.is_dir():
        raise ValueError(f"{path}: no such directory.")
    files = sorted(path.glob("*.md"))
    texts = {file: file.read_text(encoding="utf-8") for file in files}
    seen: dict[str, Path] = {}
    for file, text in texts.items():
        slug = article_source_parse(text=text, origin=file.name).slug
        if slug in seen:
            raise ValueError(f"{file.name}: slug {slug!r} is also used by {seen[slug].name}.")
        seen[slug] = file
    report = LoadReport()
    with transaction.atomic():
        for file, text in texts.items():
            article, outcome = article_upsert_from_markdown(text=text, origin=file.name)
            report.add(outcome, article.slug)
    return report


def _person_upsert(source: PersonSource) -> Person:
    person, created = Person.objects.get_or_create(name=source.name, defaults={"credentials": source.credentials})
    if not created and person.credentials != source.credentials:
        person.credentials = source.credentials
        person.full_clean()
        person.save(update_fields=["credentials"])
    return person


def _topic_get_or_create(slug: str) -> Topic:
    # Only created here: a name or description edited in the admin is kept.
    name, description = TOPIC_CATALOGUE.get(slug, (slug.replace("-", " ").capitalize(), ""))
    topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    return topic


def _required_text(meta: dict, key: str, origin: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{origin}: '{key}' is missing or empty.")
    return value.strip()


def _person(meta: dict, key: str, origin: str) -> PersonSource:
    value = meta.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{origin}: '{key}' must have a name and credentials.")
    credentials = value.get("credentials") or ""
    if not isinstance(credentials, str):
        raise ValueError(f"{origin}: '{key}.credentials' must be text.")
    return PersonSource(name=_required_text(value, "name", f"{origin}: {key}"), credentials=credentials.strip())


def _required_moment(meta: dict, key: str, origin: str) -> datetime:
    if meta.get(key) is None:
        raise ValueError(f"{origin}: '{key}' is missing.")
    return _moment(meta[key], key, origin)


def _moment(value: object, key: str, origin: str) -> datetime:
    """A front-matter date is midnight in the clinic's time zone, when the clinic's day begins."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    else:
        raise ValueError(f"{origin}: '{key}' must be a date like 2026-06-08, not {value!r}.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment
