"""Billing tests change alpha's plan and status inside their transaction: each gets its own
copy of the tenant, so the session-wide one keeps its committed values."""

from __future__ import annotations

import pytest

from billing import services
from billing.plans import COMMUNITY, Plan
from tenants.models import Tenant
from tests.harness.fake_stripe import FakeStripe


@pytest.fixture
def alpha(tenant_a: Tenant) -> Tenant:
    return Tenant.objects.get(pk=tenant_a.pk)


@pytest.fixture
def beta(tenant_b: Tenant) -> Tenant:
    return Tenant.objects.get(pk=tenant_b.pk)


def paid_at_checkout(fake: FakeStripe, tenant: Tenant, plan: Plan = COMMUNITY) -> str:
    """The site's admin chooses a plan and pays on Checkout (events not delivered);
    returns the Checkout session's id."""
    url = services.checkout_start(
        tenant=tenant,
        plan=plan,
        email=f"admin@{tenant.slug}.example.org",
        base_url=f"http://{tenant.slug}.localhost",
    )
    session_id = url.rsplit("/", 1)[-1]
    fake.checkout_complete(session_id, deliver=False)
    return session_id
