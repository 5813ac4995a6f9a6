"""Creating tenants: a bad slug changes nothing; a good one gets a schema and its domain.

Schema creation is transactional in PostgreSQL, so the test transaction's rollback drops it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from tenants.models import Domain, Tenant, schema_name_for
from tenants.services import tenant_create

pytestmark = pytest.mark.django_db


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


@pytest.mark.parametrize("slug", ["-leading", "trailing-", "Upper", "under_score", "a" * 64, ""])
def test_a_slug_that_is_not_a_dns_label_is_refused_and_nothing_is_created(slug: str) -> None:
    with pytest.raises(ValidationError, match="lowercase letters, digits or hyphens"):
        tenant_create(name="Bad", slug=slug)
    assert not Tenant.objects.filter(name="Bad").exists()
    if slug:
        assert not _schema_exists(schema_name_for(slug))


def test_a_taken_slug_is_refused() -> None:
    with pytest.raises(ValidationError, match="slug"):
        tenant_create(name="Another Alpha", slug="alpha")
    assert Tenant.objects.filter(slug="alpha").count() == 1


def test_a_new_tenant_gets_a_migrated_schema_and_its_subdomain() -> None:
    tenant = tenant_create(name="North West Youth", slug="north-west")
    assert tenant.schema_name == "north_west"
    assert _schema_exists("north_west")
    assert Domain.objects.get(tenant=tenant, is_primary=True).domain == (
        f"north-west.{settings.ROOT_DOMAIN}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = 'north_west' AND table_name = 'dialogues_dialogue'"
        )
        assert cursor.fetchone() is not None
