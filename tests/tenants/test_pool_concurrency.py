"""Claims are serialised: concurrent sign-ups never take the same spare, and each gets a site."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from tenants.models import SpareSchema, Tenant
from tenants.pool import pool_refill
from tenants.services import tenant_create

pytestmark = pytest.mark.usefixtures("committed_db")


def test_four_concurrent_claims_on_two_spares_make_four_sites() -> None:
    pool_refill(target=2)
    spares = set(SpareSchema.objects.filter(ready=True).values_list("name", flat=True))
    assert len(spares) >= 2
    slugs = [f"race-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(slugs))

    def claim(slug: str) -> None:
        try:
            barrier.wait()
            tenant_create(name=slug, slug=slug)
        except BaseException as error:  # reported below, with the others
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(slug,)) for slug in slugs]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert errors == []
        tenants = list(Tenant.objects.filter(slug__in=slugs))
        assert len(tenants) == 4
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)",
                [[t.schema_name for t in tenants]],
            )
            assert len(cursor.fetchall()) == 4
        # Both spares were taken, each by one claim (a second rename of one would fail).
        assert not spares & set(SpareSchema.objects.values_list("name", flat=True))
    finally:
        for tenant in Tenant.objects.filter(slug__in=slugs):
            tenant.delete(force_drop=True)
