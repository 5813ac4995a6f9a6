"""The spare-schema pool: a claim renames a migrated spare, an empty pool falls back to
making one, stale spares are migrated and abandoned ones cleaned up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tenants.models import SpareSchema, Tenant
from tenants.pool import migrations_fingerprint, pool_refill, spare_make
from tenants.services import tenant_create

pytestmark = pytest.mark.django_db


def _schemas(prefix: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [prefix + "%"])
        return {row[0] for row in cursor.fetchall()}


def _tables(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [schema]
        )
        return int(cursor.fetchone()[0])


def test_a_new_tenant_takes_a_ready_spare_by_renaming_it() -> None:
    spare = spare_make()
    tables = _tables(spare.name)
    assert tables > 20
    tenant = tenant_create(name="Halton Voices", slug="halton")
    assert spare.name not in _schemas("spare_")
    assert _tables("halton") == tables
    assert not SpareSchema.objects.filter(pk=spare.pk).exists()
    assert tenant.status == Tenant.Status.ACTIVE


def test_with_the_pool_empty_a_tenant_is_still_made_and_no_spare_is_left_over() -> None:
    SpareSchema.objects.all().delete()
    before = _schemas("spare_")
    tenant_create(name="St Helens Voices", slug="st-helens")
    assert _tables("st_helens") > 20
    assert _schemas("spare_") == before
    assert not SpareSchema.objects.exists()


def test_refill_makes_spares_up_to_the_target_and_a_second_refill_adds_none() -> None:
    SpareSchema.objects.all().delete()
    assert pool_refill(target=2) == 2
    assert pool_refill(target=2) == 0
    spares = list(SpareSchema.objects.all())
    assert all(s.ready and s.fingerprint == migrations_fingerprint() for s in spares)
    assert {s.name for s in spares} <= _schemas("spare_")


def test_refill_drops_spares_abandoned_half_made_and_migrates_stale_ones() -> None:
    SpareSchema.objects.all().delete()
    abandoned = SpareSchema.objects.create(name="spare_abandoned0001")
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "spare_abandoned0001"')
    SpareSchema.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    stale = spare_make()
    SpareSchema.objects.filter(pk=stale.pk).update(fingerprint="made-by-older-code")
    pool_refill(target=1)
    assert "spare_abandoned0001" not in _schemas("spare_")
    assert not SpareSchema.objects.filter(pk=abandoned.pk).exists()
    stale.refresh_from_db()
    assert stale.ready
    assert stale.fingerprint == migrations_fingerprint()
