"""Markdown for resource bodies: rendered, then sanitised with an allow-list (nh3)."""

import html
import re
import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
_TAGS = re.compile(r"<[^>]+>")
# Building a Markdown converter loads its extensions, which costs more than
# converting a short body; one per thread is reused (instances are not thread-safe).
_local = threading.local()


def _converter() -> markdown.Markdown:
    if not hasattr(_local, "converter"):
        _local.converter = markdown.Markdown(extensions=["tables", "sane_lists"])
    return _local.converter.reset()


def markdown_to_html(source: str) -> str:
    """Safe HTML from Markdown: scripts, styles, event handlers and javascript: links removed."""
    if not source:
        return ""
    rendered = _converter().convert(source)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown_to_text(source: str) -> str:
    """Plain text of the Markdown, for the search index and its snippets."""
    if not source:
        return ""
    text = _TAGS.sub(" ", markdown_to_html(source))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()
