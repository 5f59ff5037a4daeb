"""Markdown to safe HTML, and the reading time of a text.

Article bodies are written by staff, but they still go through an allow-list
sanitizer: an article is shown to patients, a pasted snippet can carry a
script, and the site's CSP is a second line of defence, not the only one.
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.html import strip_tags

WORDS_PER_MINUTE = 200

# Extensions that add structure only; none of them lets an author set
# attributes (attr_list would) or inline styles.
MARKDOWN_EXTENSIONS = ["sane_lists", "tables", "fenced_code", "abbr", "def_list"]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that keeps only allow-listed tags, attributes and URL schemes.

    Scripts and styles are dropped with their content, event-handler and
    style attributes are removed, `javascript:` and `data:` links lose their
    href, and HTML comments go (editors' notes never reach a page). The
    page's single h1 is the title, so an h1 in the body is demoted to h2.
    """
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        strip_comments=True,
        # The site's referrer policy already keeps the referrer on this
        # origin, and links never open new windows, so no rel is needed.
        link_rel=None,
    )


def reading_minutes(html: str) -> int:
    """Minutes to read `html`'s text at 200 words a minute, rounded, at least one."""
    words = len(strip_tags(html).split())
    return max(1, int(words / WORDS_PER_MINUTE + 0.5))
