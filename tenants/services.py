"""Writes for organisations: creating the public site and tenants with their domains."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from billing.plans import TRIAL
from tenants.models import DemoRequest, Domain, Tenant, schema_name_for


def public_tenant_ensure() -> Tenant:
    """The central site: the public schema, answering on the root domain."""
    with transaction.atomic():
        tenant, _ = Tenant.objects.get_or_create(
            schema_name=get_public_schema_name(),
            defaults={"name": "Townsquare", "slug": "", "status": Tenant.Status.ACTIVE},
        )
        Domain.objects.get_or_create(
            domain=settings.ROOT_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
        )
    return tenant


def tenant_create(*, name: str, slug: str, plan: str = TRIAL.key) -> Tenant:
    """Creates the schema (migrated) and the primary domain <slug>.<root domain>.

    Schema creation runs DDL outside our transaction (django-tenants migrates it), so
    a failure after it deletes the row and drops the schema instead of leaving half a tenant.
    """
    tenant = Tenant(name=name, slug=slug, schema_name=schema_name_for(slug), plan=plan)
    tenant.full_clean()
    tenant.save()
    try:
        Domain.objects.create(
            domain=f"{slug}.{settings.ROOT_DOMAIN}", tenant=tenant, is_primary=True
        )
    except Exception:
        tenant.delete(force_drop=True)
        raise
    return tenant


@transaction.atomic
def demo_request_create(*, request: DemoRequest) -> DemoRequest:
    """Stores the request; staff are told and the requester gets a confirmation, by Celery."""
    request.full_clean()
    request.save()
    from tenants.tasks import demo_request_emails

    transaction.on_commit(lambda: demo_request_emails.delay(demo_request_id=request.pk))
    return request


def demo_requests_purge(*, now: datetime | None = None) -> int:
    """Erases contact details from requests closed more than DEMO_RETENTION_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DEMO_RETENTION_DAYS)
    return DemoRequest.objects.filter(closed_at__lte=cutoff, purged_at__isnull=True).update(
        name="(removed)", email="removed@invalid", phone="", message="", purged_at=now
    )
