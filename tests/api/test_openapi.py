"""The OpenAPI description is complete: every operation says what it does, shows an example
and lists the errors it can answer with, in the problem format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from drf_spectacular.validation import validate_schema

from tenants.models import Tenant
from tests.api.conftest import ApiClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(tenant_a: Tenant, api_for: Callable[..., ApiClient]) -> dict[str, Any]:
    response = api_for(tenant_a).get("/api/schema/", headers={"accept": "application/json"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _has_example(operation: dict[str, Any]) -> bool:
    """An example of the data itself: of the request body or of a successful answer (an
    operation that takes nothing and answers 204 has no data to show)."""
    successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
    if set(successes) == {"204"} and "requestBody" not in operation:
        return True
    bodies = [operation.get("requestBody", {}), *successes.values()]
    return any(
        "examples" in media or "example" in media
        for body in bodies
        for media in body.get("content", {}).values()
    )


def test_the_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_every_operation_is_described_with_examples_and_errors(schema: dict[str, Any]) -> None:
    operations = _operations(schema)
    assert len(operations) >= 30
    undescribed = [(p, m) for p, m, op in operations if len(op.get("description", "")) < 20]
    without_example = [(p, m) for p, m, op in operations if not _has_example(op)]
    without_errors = [
        (p, m) for p, m, op in operations if not {"401", "403", "429"} <= set(op["responses"])
    ]
    assert (undescribed, without_example, without_errors) == ([], [], [])


def test_error_responses_are_problem_details(schema: dict[str, Any]) -> None:
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response.get("content", {})) == ["application/problem+json"], (
                    path,
                    method,
                    status,
                )
        if "{" in path:
            assert "404" in operation["responses"], (path, method)
        if method != "get":
            assert {"400", "413", "415"} <= set(operation["responses"]), (path, method)


def test_both_ways_of_signing_in_are_described(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["personalAccessToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["personalAccessToken"]["description"],
    }
    assert schemes["siteSession"]["in"] == "cookie"
    assert "basicAuth" not in schemes
