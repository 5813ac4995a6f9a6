"""The read-only dialogues API and its OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_lists_the_tenants_public_dialogues_with_idea_counts(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="api-visible")
        IdeaFactory.create_batch(2, dialogue=dialogue)
    body = client_for(tenant_a).get("/api/v1/dialogues/").json()
    found = {item["slug"]: item for item in body["results"]}
    assert found["api-visible"]["idea_count"] == 2
    assert set(found["api-visible"]) == {
        "slug", "title", "question", "description_html", "state", "moderation", "opens_at",
        "closes_at", "idea_count", "tags", "outcome", "header_image", "video_url", "url",
        "created_at",
    }  # fmt: skip


def test_dialogues_are_not_written_through_the_api(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    anonymous = client_for(tenant_a).post("/api/v1/dialogues/", {"title": "x"})
    assert anonymous.status_code == 401
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(role="admin"))
    assert client.post("/api/v1/dialogues/", {"title": "x"}).status_code == 405


def test_openapi_schema_describes_the_dialogues_endpoint(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    response = client_for(tenant_a).get("/api/schema/", headers={"accept": "application/json"})
    assert response.status_code == 200
    assert "/api/v1/dialogues/" in response.json()["paths"]
