"""User-written rich text: Markdown rendered to HTML, then sanitized by nh3."""

import hashlib

import markdown as markdown_lib
import nh3
from django.core.cache import cache
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text):
    """Safe HTML for `text`: scripts, event handlers and unknown tags are removed."""
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# Bump when render_markdown's output for a same text changes (extensions,
# allowed tags): the cached HTML is keyed by the text alone.
_MARKDOWN_KEY = "text:md:1:"


def cached_markdown(text):
    """render_markdown(text), safe for templates, read from the cache under
    the hash of the text itself (an edited text is a new key, so it never
    shows stale HTML) and rendered and stored when missing."""
    text = text or ""
    key = _MARKDOWN_KEY + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_markdown(text)
        cache.set(key, html, timeout=7 * 24 * 3600)
    return mark_safe(html)  # noqa: S308 - sanitized by nh3
