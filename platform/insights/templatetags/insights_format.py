"""How insights write a length of time: the site-wide filter, under the name reports load."""

from __future__ import annotations

from django import template

from townsquare.templatetags.durations import duration_words

register = template.Library()
register.filter("duration_words", duration_words)
