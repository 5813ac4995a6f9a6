"""The OpenAPI description: every operation also documents the problem details it can
answer with, so clients (and schemathesis) know every status the API gives."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from api.serializers import StrictInput
from townsquare.lib.problems import PROBLEM_CONTENT_TYPE, problem_body


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="The field, dotted for nested ones; empty for all.")
    message = serializers.CharField()
    code = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="Always about:blank: `code` says which problem.")
    title = serializers.CharField(help_text="The HTTP status's own phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    code = serializers.CharField(help_text="A stable name of the problem, for programs.")
    errors = FieldErrorSerializer(many=True, required=False, help_text="Each field's problem.")  # type: ignore[assignment]
    upgrade_url = serializers.CharField(
        required=False, help_text="With `plan_limit`: where the site's admins choose a plan."
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="With `throttled`: seconds to wait, as in Retry-After."
    )


_EXAMPLES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": (
        "The request was not valid: a field, a filter or a cursor.",
        "validation_failed",
        {"errors": [{"field": "title", "message": "This field is required.", "code": "required"}]},
    ),
    "401": ("The token is unknown, revoked or expired.", "authentication_failed", {}),
    "403": (
        "You may not do this (your role, the token's scope or the plan).",
        "permission_denied",
        {},
    ),
    "404": ("There is no such thing on this site, or you may not see it.", "not_found", {}),
    "413": ("The request body is larger than the API accepts.", "payload_too_large", {}),
    "415": ("Send JSON (Content-Type: application/json).", "unsupported_media_type", {}),
    "429": ("Too many requests: wait, then try again.", "throttled", {"retry_after": 30}),
}


class ProblemAwareSchema(AutoSchema):
    def _problem_codes(self) -> list[str]:
        codes = ["401", "403", "429"]
        writes = self.method in {"POST", "PUT", "PATCH", "DELETE"}
        if writes or self._get_parameters():
            codes.append("400")
        if "{" in self.path:
            codes.append("404")
        if writes:
            codes += ["413", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        for code in self._problem_codes():
            detail, name, extra = _EXAMPLES[code]
            given = responses.get(code, {})
            response: dict[str, Any] = {
                "description": given.get("description") or detail,
                "content": {
                    PROBLEM_CONTENT_TYPE: {
                        "schema": problem,
                        "examples": {
                            name: {"value": problem_body(int(code), detail, name, **extra)}
                        },
                    }
                },
            }
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before trying again.",
                    }
                }
            responses[code] = response
        for code, given in list(responses.items()):
            if code.startswith("4") and code not in self._problem_codes():
                responses[code] = {
                    "description": given.get("description", "The request was refused."),
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
                }
        return responses

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInput):
            # The API refuses fields it does not know; the description says so.
            schema["additionalProperties"] = False
        return schema


class PersonalAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PersonalAccessTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (`tsq_…`) made under Account → API tokens "
            "on this site; read-only tokens cannot change anything.",
        }


class SiteSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SiteSessionAuthentication"
    name = "siteSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The site's own sign-in; writes also need the CSRF token "
            "(`X-CSRFToken` header).",
        }
