"""`manage.py load_articles` turns the Markdown files into rows, and running it again never duplicates them."""

from __future__ import annotations

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Person, Topic
from articles.services import TOPIC_CATALOGUE, article_source_parse

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parent.parent / "content" / "articles"

MINIMAL = """---
title: "A small article"
slug: a-small-article
summary: "Short and sweet."
topics: [form, brand-new-topic]
author:
  name: "Ada Author"
  credentials: "DPT"
reviewer:
  name: "Rex Reviewer"
  credentials: "MD"
published: 2026-01-05
updated: 2026-02-01
status: published
---

## Hello

Some text.
"""


@pytest.fixture
def content_dir(tmp_path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(CONTENT, target)
    return target


def load(path: Path) -> str:
    out = StringIO()
    call_command("load_articles", "--path", str(path), stdout=out)
    return out.getvalue()


def test_loading_the_shipped_articles_creates_each_with_its_people_and_topics(content_dir):
    output = load(content_dir)

    assert "9 created, 0 updated, 0 unchanged" in output
    assert Article.objects.count() == 9
    assert Article.objects.live().count() == 8
    assert Article.objects.get(slug="cross-training-for-runners").status == Article.Status.DRAFT
    assert Person.objects.filter(name="Dr. Daniel Osei", credentials="MD, Board-Certified Spine Surgeon").exists()
    assert set(Topic.objects.values_list("slug", flat=True)) == set(TOPIC_CATALOGUE)
    assert all(topic.description for topic in Topic.objects.all())


def test_loading_twice_changes_nothing_the_second_time(content_dir):
    load(content_dir)
    before = list(Article.objects.order_by("slug").values("pk", "slug", "modified"))

    output = load(content_dir)

    assert "0 created, 0 updated, 9 unchanged" in output
    assert list(Article.objects.order_by("slug").values("pk", "slug", "modified")) == before
    assert Person.objects.count() == 5
    assert Topic.objects.count() == 7


def test_an_edited_file_updates_its_row_in_place(content_dir):
    load(content_dir)
    file = content_dir / "why-running-hurts-your-back.md"
    original = Article.objects.get(slug="why-running-hurts-your-back")
    file.write_text(
        file.read_text()
        .replace('title: "Why Running Can Hurt Your Back"', 'title: "Why Running Can Strain Your Back"')
        .replace("topics: [causes, red-flags]", "topics: [causes]"),
        encoding="utf-8",
    )

    output = load(content_dir)

    assert "0 created, 1 updated, 8 unchanged" in output
    assert Article.objects.count() == 9
    updated = Article.objects.get(slug="why-running-hurts-your-back")
    assert updated.pk == original.pk
    assert updated.title == "Why Running Can Strain Your Back"
    assert list(updated.topics.values_list("slug", flat=True)) == ["causes"]


def test_a_new_reviewer_credential_updates_the_person_not_a_copy(tmp_path):
    (tmp_path / "a.md").write_text(MINIMAL)
    load(tmp_path)
    (tmp_path / "a.md").write_text(MINIMAL.replace('credentials: "MD"', 'credentials: "MD, Spine Surgeon"'))

    load(tmp_path)

    assert Person.objects.filter(name="Rex Reviewer").count() == 1
    assert Person.objects.get(name="Rex Reviewer").credentials == "MD, Spine Surgeon"


def test_front_matter_dates_are_midnight_in_the_clinics_time_zone_and_fields_are_derived(tmp_path):
    (tmp_path / "a.md").write_text(MINIMAL)

    load(tmp_path)

    article = Article.objects.get(slug="a-small-article")
    published = timezone.localtime(article.published_at)
    assert (published.date(), published.hour, published.minute) == (date(2026, 1, 5), 0, 0)
    assert timezone.localdate(article.updated_at) == date(2026, 2, 1)
    assert "<h2>Hello</h2>" in article.body_html
    assert article.reading_minutes == 1
    assert Topic.objects.get(slug="brand-new-topic").name == "Brand new topic"
    assert Topic.objects.get(slug="form").name == TOPIC_CATALOGUE["form"][0]


def test_a_topic_renamed_in_the_admin_keeps_its_name_on_reload(tmp_path):
    (tmp_path / "a.md").write_text(MINIMAL)
    load(tmp_path)
    Topic.objects.filter(slug="form").update(name="Form and technique")

    load(tmp_path)

    assert Topic.objects.get(slug="form").name == "Form and technique"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace("---\n", "", 1), "front matter"),
        (lambda text: text.replace("slug: a-small-article", "slug: Not A Slug"), "slug"),
        (lambda text: text.replace("status: published", "status: live"), "status must be one of"),
        (lambda text: text.replace("published: 2026-01-05", "published: soon"), "'published' must be a date"),
        (lambda text: text.replace("updated: 2026-02-01", "updated: 2025-01-01"), "earlier than 'published'"),
        (lambda text: text.replace('  name: "Rex Reviewer"\n', ""), "reviewer"),
        (lambda text: text.replace('summary: "Short and sweet."', f'summary: "{"x" * 301}"'), "300 characters"),
        (lambda text: text.split("---\n\n")[0] + "---\n", "no body"),
    ],
)
def test_a_broken_file_is_refused_with_its_name_and_the_reason(tmp_path, change, message):
    (tmp_path / "good.md").write_text(MINIMAL.replace("a-small-article", "good-one"))
    (tmp_path / "broken.md").write_text(change(MINIMAL))

    with pytest.raises(CommandError) as error:
        load(tmp_path)

    assert "broken.md" in str(error.value)
    assert message in str(error.value)
    assert Article.objects.count() == 0, "nothing is loaded when one file is broken"


def test_two_files_with_one_slug_are_refused(tmp_path):
    (tmp_path / "one.md").write_text(MINIMAL)
    (tmp_path / "two.md").write_text(MINIMAL)

    with pytest.raises(CommandError, match="also used by"):
        load(tmp_path)


def test_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        load(tmp_path / "nowhere")


def test_the_parser_reads_every_field_of_a_file():
    source = article_source_parse(text=MINIMAL, origin="a.md")

    assert source.title == "A small article"
    assert source.topics == ("form", "brand-new-topic")
    assert source.author.name == "Ada Author"
    assert source.reviewer.credentials == "MD"
    assert source.status == "published"
    assert source.body_markdown.startswith("## Hello")
