"""A real worker runs each task in the schema of the tenant that sent it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from celery.beat import ScheduleEntry
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from dialogues.models import Dialogue
from dialogues.tasks import dialogues_apply_schedule
from tenants.models import Tenant
from tenants.services import tenant_create
from tests.harness.worker import Worker, worker_wait
from townsquare.celery import app
from townsquare.scheduler import ActiveTenantScheduler

pytestmark = pytest.mark.worker


def _is_open(tenant: Tenant, slug: str) -> bool:
    return _state(tenant, slug) == Dialogue.State.OPEN


def _state(tenant: Tenant, slug: str) -> str:
    with tenant_context(tenant):
        return Dialogue.objects.get(slug=slug).state


@pytest.fixture
def due_drafts(committed_db: None, tenant_a: Tenant, tenant_b: Tenant) -> Iterator[str]:
    """A draft whose opening time has passed, under one slug in both tenants."""
    slug = f"due-{time.monotonic_ns()}"
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            Dialogue.objects.create(
                slug=slug, title="Due", question="?", opens_at=timezone.now() - timedelta(minutes=1)
            )
    yield slug
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            Dialogue.objects.filter(slug=slug).delete()


def test_a_task_sent_from_a_runs_in_as_schema_only(
    celery_worker: Worker, due_drafts: str, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogues_apply_schedule.delay()
    worker_wait(lambda: _state(tenant_a, due_drafts) == Dialogue.State.OPEN, celery_worker)
    assert _state(tenant_b, due_drafts) == Dialogue.State.DRAFT


@pytest.fixture
def suspended_tenant(committed_db: None) -> Iterator[Tenant]:
    tenant = Tenant.objects.filter(slug="gamma").first() or tenant_create(
        name="Gamma (suspended)", slug="gamma"
    )
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.SUSPENDED)
    yield tenant
    with tenant_context(tenant):
        Dialogue.objects.all().delete()


def test_beat_sends_periodic_tasks_to_every_active_tenant_and_skips_suspended_ones(
    celery_worker: Worker,
    due_drafts: str,
    suspended_tenant: Tenant,
    tenant_a: Tenant,
    tenant_b: Tenant,
    tmp_path: Path,
) -> None:
    with tenant_context(suspended_tenant):
        Dialogue.objects.create(
            slug=due_drafts,
            title="Due",
            question="?",
            opens_at=timezone.now() - timedelta(minutes=1),
        )
    active = set(ActiveTenantScheduler.get_queryset().values_list("slug", flat=True))
    assert {"alpha", "beta"} <= active
    assert "gamma" not in active
    scheduler = ActiveTenantScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    scheduler.setup_schedule()
    entry = next(
        entry
        for name, entry in scheduler.schedule.items()
        if name.startswith("dialogues-apply-schedule")
    )
    assert isinstance(entry, ScheduleEntry)
    with schema_context("public"):
        scheduler.apply_entry(entry)

    for tenant in (tenant_a, tenant_b):
        worker_wait(partial(_is_open, tenant, due_drafts), celery_worker)
    time.sleep(1)
    assert _state(suspended_tenant, due_drafts) == Dialogue.State.DRAFT
    assert "dialogues-apply-schedule" in settings.CELERY_BEAT_SCHEDULE
