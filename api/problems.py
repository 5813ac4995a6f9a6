"""Every API error as RFC 9457 problem details, whatever raised it: DRF, a service's rule, a
plan's limit, an oversized body."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from billing.entitlements import PlanLimitError
from townsquare.errors import NotAllowed
from townsquare.lib.problems import PROBLEM_CONTENT_TYPE, problem_body


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the API accepts."
    default_code = "payload_too_large"


class Refused(exceptions.PermissionDenied):
    """A service's rule said no (a closed dialogue, a paused account): its words, as they are."""

    default_code = "not_allowed"


class PlanRefused(exceptions.PermissionDenied):
    default_code = "plan_limit"

    def __init__(self, refusal: PlanLimitError) -> None:
        super().__init__(refusal.message)
        self.upgrade_url = refusal.upgrade_url


def _field_errors(detail: Any, field: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        return [
            error
            for name, value in detail.items()
            for error in _field_errors(
                value,
                field
                if name == "non_field_errors" and not field
                else f"{field}.{name}"
                if field
                else str(name),
            )
        ]
    if isinstance(detail, list):
        return [error for item in detail for error in _field_errors(item, field)]
    code = getattr(detail, "code", "invalid")
    return [{"field": field, "message": str(detail), "code": str(code)}]


def _translated(exc: Exception) -> Exception:
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, PlanLimitError):
        return PlanRefused(exc)
    if isinstance(exc, NotAllowed):
        return Refused(str(exc))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _translated(exc)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # a 500: Django's handler answers, in the same format (views.py)
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        extra["errors"] = errors
        detail = errors[0]["message"] if len(errors) == 1 else "Some fields need changing."
        code = next(
            (e["code"] for e in errors if e["code"] == "invalid_cursor"), "validation_failed"
        )
    else:
        detail_value: Any = exc.detail
        if isinstance(detail_value, dict):
            detail_value = detail_value.get("detail", next(iter(detail_value.values()), ""))
        if isinstance(detail_value, list):
            detail_value = detail_value[0] if detail_value else ""
        detail = str(detail_value)
        code = str(getattr(detail_value, "code", None) or exc.default_code)
    if isinstance(exc, PlanRefused):
        extra["upgrade_url"] = exc.upgrade_url
    if isinstance(exc, exceptions.Throttled) and response.has_header("Retry-After"):
        extra["retry_after"] = int(response["Retry-After"])
    response.data = problem_body(response.status_code, detail, code, **extra)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
