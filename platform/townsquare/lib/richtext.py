"""Sanitised rich text: the few tags an organisation needs to explain a question, nothing else."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
    "blockquote", "a", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
# No javascript:, data: or other schemes: links go to web pages, mail or phone numbers only.
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
MAX_LENGTH = 20_000


def richtext_clean(html: str) -> str:
    """Returns HTML safe to render as-is: unknown tags stripped, scripts and styles removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
