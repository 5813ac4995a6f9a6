"""Template filter that marks what made a post look like it contains personal details."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from moderation.personal_details import blocked_words_parse, find_personal_details
from sitesettings.selectors import site_settings_get

register = template.Library()


@register.filter
def mark_personal_details(text: str) -> SafeString:
    blocked = blocked_words_parse(site_settings_get().blocked_words)
    pieces: list[str] = []
    position = 0
    for finding in find_personal_details(text, blocked_words=blocked):
        pieces.append(escape(text[position : finding.start]))
        pieces.append(
            f'<mark title="{escape(finding.kind)}">{escape(finding.text)}</mark>'
            f'<span class="visually-hidden"> ({escape(finding.kind)})</span>'
        )
        position = finding.end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above
