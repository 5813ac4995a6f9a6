"""Celery beat scheduler that sends periodic tasks to every active tenant's schema."""

from __future__ import annotations

from django.db.models import QuerySet
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

from tenants.models import Tenant


class ActiveTenantScheduler(TenantAwarePersistentScheduler):
    """Skips suspended and half-provisioned tenants; read-only (unpaid) ones still close
    dialogues on time and purge what their retention rules say."""

    @classmethod
    def get_queryset(cls) -> QuerySet[Tenant]:
        return Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.READ_ONLY])
