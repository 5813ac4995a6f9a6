"""Billing tests change alpha's plan and status inside their transaction: each gets its own
copy of the tenant, so the session-wide one keeps its committed values."""

from __future__ import annotations

import pytest

from tenants.models import Tenant


@pytest.fixture
def alpha(tenant_a: Tenant) -> Tenant:
    return Tenant.objects.get(pk=tenant_a.pk)


@pytest.fixture
def beta(tenant_b: Tenant) -> Tenant:
    return Tenant.objects.get(pk=tenant_b.pk)
