"""RFC 9457 problem details: the one shape of every API error, whoever raises it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


def problem_body(status: int, detail: str, code: str, **extra: Any) -> dict[str, Any]:
    """`type` is about:blank, so `title` is the status's own phrase; `code` is ours and
    stable, for programs to act on; `detail` is for people."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


def problem_response(status: int, detail: str, code: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        problem_body(status, detail, code, **extra),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
