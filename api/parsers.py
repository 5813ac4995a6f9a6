"""The API reads JSON only, of a bounded size, and refuses what PostgreSQL could not store."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.problems import PayloadTooLarge


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class BoundedJSONParser(JSONParser):
    """JSON bodies up to API_MAX_BODY_BYTES; larger ones are refused unread (413)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
        limit = settings.API_MAX_BODY_BYTES
        if length and (not length.isdigit() or int(length) > limit):
            raise PayloadTooLarge(f"The request body may be at most {limit} bytes.")
        data = super().parse(stream, media_type, parser_context)
        if _holds_nul(data):
            raise ParseError("Text in the request holds a NUL character, which no field accepts.")
        return data
