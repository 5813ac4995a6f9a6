"""The pool of pre-migrated spare schemas that turns making a tenant into a rename."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Domain, SpareSchema, Tenant, schema_name_for

logger = logging.getLogger(__name__)

# pg_advisory_lock keys: one claim at a time, one refill at a time.
CLAIM_LOCK = 7_451_001
REFILL_LOCK = 7_451_002
# A spare still not ready after this long belongs to a process that died making it.
ABANDONED_AFTER = timedelta(minutes=15)


@cache
def migrations_fingerprint() -> str:
    """Names the newest migration of every tenant app, as this code has them on disk."""
    labels = {c.label for c in apps.get_app_configs() if c.name in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = sorted(node for node in loader.graph.leaf_nodes() if node[0] in labels)
    return hashlib.sha256(repr(leaves).encode()).hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_migrate(*, schema_name: str) -> None:
    """Brings one schema up to this code's migrations (a no-op when it is current)."""
    with schema_context("public"):
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=schema_name,
            interactive=False,
            verbosity=0,
        )


def schema_drop(*, schema_name: str) -> None:
    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema_name)} CASCADE")


def spare_make() -> SpareSchema:
    """Creates and migrates one spare schema: the slow part, done ahead of time."""
    with schema_context("public"):
        spare = SpareSchema.objects.create(name=f"spare_{secrets.token_hex(8)}")
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA {_quote(spare.name)}")
            schema_migrate(schema_name=spare.name)
        except BaseException:
            schema_drop(schema_name=spare.name)
            spare.delete()
            raise
        spare.fingerprint = migrations_fingerprint()
        spare.ready = True
        spare.save(update_fields=["fingerprint", "ready"])
    return spare


def tenant_claim_spare(
    *,
    name: str,
    slug: str,
    plan: str,
    status: str,
    on_claim: Callable[[Tenant], None] | None = None,
) -> tuple[Tenant, str] | None:
    """Renames a spare to the tenant's schema and adds its rows, in one transaction.

    PostgreSQL's DDL is transactional: either the schema is renamed and the tenant, its
    domain and whatever on_claim writes all exist, or none of it happened. Returns the
    tenant and the spare's migrations fingerprint, or None when the pool is empty.
    """
    tenant = Tenant(name=name, slug=slug, schema_name=schema_name_for(slug), plan=plan)
    tenant.status = status
    tenant.full_clean()
    # The schema comes from the pool; django-tenants must not create (and migrate) one.
    tenant.auto_create_schema = False
    with schema_context("public"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLAIM_LOCK])
        current_first = Case(
            When(fingerprint=migrations_fingerprint(), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        spare = SpareSchema.objects.filter(ready=True).order_by(current_first, "created_at").first()
        if spare is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER SCHEMA {_quote(spare.name)} RENAME TO {_quote(tenant.schema_name)}"
            )
        spare.delete()
        tenant.save()
        Domain.objects.create(
            domain=f"{slug}.{settings.ROOT_DOMAIN}", tenant=tenant, is_primary=True
        )
        if on_claim is not None:
            on_claim(tenant)
        # tenants.tasks imports this module, so the task is imported where it is queued.
        from tenants.tasks import pool_refill_task

        transaction.on_commit(pool_refill_task.delay)
    return tenant, spare.fingerprint


@contextmanager
def advisory_lock(*keys: int) -> Iterator[bool]:
    """A PostgreSQL advisory lock held on a connection of its own, until the block ends.

    Not on Django's connection: migrate_schemas closes that one when it finishes, which
    would silently free a lock held there. PostgreSQL frees this one if the process dies.
    """
    params = connection.get_connection_params()
    holder = connection.get_new_connection(params)
    try:
        holder.autocommit = True
        placeholders = ", ".join(["%s"] * len(keys))
        row = holder.execute(f"SELECT pg_try_advisory_lock({placeholders})", keys).fetchone()
        yield bool(row and row[0])
    finally:
        holder.close()


def pool_refill(*, target: int | None = None) -> int:
    """Cleans abandoned spares, migrates stale ones and makes new ones up to the target.

    Returns how many spares were made; 0 when another process is already refilling.
    """
    target = settings.SPARE_SCHEMAS if target is None else target
    made = 0
    with schema_context("public"), advisory_lock(REFILL_LOCK) as locked:
        if not locked:
            return 0
        abandoned = SpareSchema.objects.filter(
            ready=False, created_at__lt=timezone.now() - ABANDONED_AFTER
        )
        for spare in abandoned:
            schema_drop(schema_name=spare.name)
            spare.delete()
        current = migrations_fingerprint()
        for spare in SpareSchema.objects.filter(ready=True).exclude(fingerprint=current):
            # Out of the claimable set while it migrates; a claim has it or we do.
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLAIM_LOCK])
                taken = SpareSchema.objects.filter(pk=spare.pk, ready=True).update(ready=False)
            if taken and schema_exists(spare.name):
                schema_migrate(schema_name=spare.name)
                SpareSchema.objects.filter(pk=spare.pk).update(fingerprint=current, ready=True)
        while SpareSchema.objects.filter(ready=True).count() < target:
            spare_make()
            made += 1
    if made:
        logger.info("Spare schema pool refilled with %d", made)
    return made
