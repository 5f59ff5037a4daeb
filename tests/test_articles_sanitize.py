"""Article bodies are Markdown turned into HTML that can carry no script, however it was written."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from articles.rendering import reading_minutes, render_markdown
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

HOSTILE_BODY = """## Stretches

<script>alert("script tag")</script>

[Click me](javascript:alert('link'))

<a href="JaVaScRiPt:alert('mixed case')">mixed case</a>

<img src="x" onerror="alert('onerror')">

<p onclick="alert('onclick')" style="color: red">Styled paragraph</p>

<iframe src="https://example.org/"></iframe>

<!--csrf-token-->

Normal **bold** text and a [safe link](/articles/other/).
"""


def test_scripts_javascript_links_and_event_handlers_never_reach_the_page(client):
    article = ArticleFactory.create(body_markdown=HOSTILE_BODY)

    response = client.get(article.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    body = html.split('<div class="article-body">')[1].split("</div>")[0]
    for fragment in ("<script", "alert(", "javascript:", "JaVaScRiPt", "onerror", "onclick", "style=", "<iframe"):
        assert fragment not in body.lower() if fragment.islower() else fragment not in body, fragment
    assert "<strong>bold</strong>" in body
    assert '<a href="/articles/other/">safe link</a>' in body
    assert "Styled paragraph" in body


def test_sanitizing_keeps_the_structure_of_ordinary_markdown():
    html = render_markdown("# Title\n\n## Part\n\n1. one\n2. two\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n")

    assert "<h2>Title</h2>" in html, "an h1 in a body is demoted: the page's h1 is the title"
    assert "<h1" not in html
    assert "<ol>" in html
    assert "<table>" in html
    assert "style=" not in html, "table alignment must not become an inline style (the CSP forbids them)"


def test_html_comments_in_a_body_are_dropped():
    html = render_markdown("Before <!-- a note for the editor --> after")

    assert "<!--" not in html
    assert "a note for the editor" not in html


def test_the_stored_html_is_sanitized_when_the_article_is_saved():
    article = ArticleFactory.create(body_markdown="Hello")
    article.body_markdown = 'Hi <img src="x" onerror="alert(1)">'
    article.save()

    article.refresh_from_db()
    assert "onerror" not in article.body_html
    assert '<img src="x">' in article.body_html


@pytest.mark.parametrize(
    ("words", "minutes"),
    [(0, 1), (50, 1), (299, 1), (300, 2), (1000, 5), (1100, 6)],
)
def test_reading_time_is_words_over_two_hundred_rounded_and_at_least_one_minute(words, minutes):
    assert reading_minutes("<p>" + " ".join(["word"] * words) + "</p>") == minutes
