"""Sign-up to a new site answering, with a warm spare-schema pool and with an empty one,
the schema step alone, and 100 sign-ups back to back (target: warm p50 <= 1 s, schema
step p50 <= 50 ms). A real Celery worker provisions; the central site runs in-process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIGNUPS = 50
BACK_TO_BACK = 100
PASSWORD = "bench-correct-horse-battery"


@dataclass
class Phase:
    label: str
    totals: list[float] = field(default_factory=list)
    schema_steps: list[float] = field(default_factory=list)
    used_spares: int = 0


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _worker(spares: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SPARE_SCHEMAS=str(spares))
    command = [
        sys.executable, "-m", "celery", "-A", "townsquare", "worker", "--pool=solo",
        "--without-mingle", "--without-gossip", "--loglevel=WARNING",
        "-n", f"bench-{uuid.uuid4().hex[:6]}@localhost",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    from townsquare.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the Celery worker did not start")
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(30)


def _submit(number: int) -> tuple[object, str, str, float]:
    """Posts the sign-up form as a browser would; returns the client, slug, status URL, start."""
    import re

    from django.test import Client

    client = Client(
        headers={"host": "localhost"}, REMOTE_ADDR=f"10.{number // 250}.{number % 250}.9"
    )
    page = client.get("/signup/").content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page)
    assert key is not None
    slug = f"bench-{uuid.uuid4().hex[:10]}"
    started = time.perf_counter()
    response = client.post(
        "/signup/",
        {
            "organisation": f"Bench {number}",
            "slug": slug,
            "admin_email": f"admin@{slug}.example.org",
            "password": PASSWORD,
            "plan": "community",
            "submit_key": key.group(1),
        },
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-up {number} answered {response.status_code}")
    return client, slug, response["Location"], started


def _until_answering(client: object, slug: str, status_url: str, started: float) -> float:
    from django.test import Client

    assert isinstance(client, Client)
    while client.get(status_url).status_code != 302:  # the page holds up to 3 s itself
        time.sleep(0.05)
    site = Client(headers={"host": f"{slug}.localhost"})
    while site.get("/").status_code != 200:
        time.sleep(0.01)
    return time.perf_counter() - started


def _record(phase: Phase, slug: str, total: float) -> None:
    from tenants.models import Signup

    signup = Signup.objects.get(slug=slug)
    phase.totals.append(total)
    phase.schema_steps.append(float(signup.timings.get("schema", 0.0)))
    phase.used_spares += bool(signup.used_spare)


def _print(phase: Phase) -> None:
    p50, p95 = _percentiles(phase.totals)
    s50, s95 = _percentiles(phase.schema_steps)
    print(
        f"{phase.label:<34} sign-up -> site answering p50 {p50 * 1000:6.0f} ms  "
        f"p95 {p95 * 1000:6.0f} ms | schema step p50 {s50 * 1000:6.1f} ms  "
        f"p95 {s95 * 1000:6.1f} ms | spares used {phase.used_spares}/{len(phase.totals)}",
        flush=True,
    )


def _pool_empty() -> None:
    from tenants.models import SpareSchema
    from tenants.pool import schema_drop

    for spare in SpareSchema.objects.all():
        schema_drop(schema_name=spare.name)
        spare.delete()


def _cleanup() -> None:
    from django.db import connection

    from tenants.models import Signup, Tenant

    # The in-process requests leave the connection on the last tenant's schema.
    connection.set_schema_to_public()  # type: ignore[attr-defined]

    for tenant in Tenant.objects.filter(slug__startswith="bench-"):
        tenant.delete(force_drop=True)
    Signup.objects.filter(slug__startswith="bench-").delete()


def _clone_mode(count: int) -> None:
    """django-tenants' clone_schema, timed for comparison only (we do not use it)."""
    from django_tenants.clone import CloneSchema

    from tenants.pool import schema_drop, spare_make

    base = spare_make()
    times = []
    try:
        for number in range(count):
            name = f"bench_clone_{number}"
            started = time.perf_counter()
            CloneSchema().clone_schema(base.name, name, "DATA")
            times.append(time.perf_counter() - started)
            schema_drop(schema_name=name)
    finally:
        schema_drop(schema_name=base.name)
        base.delete()
    p50, p95 = _percentiles(times)
    print(
        f"{'django-tenants clone_schema (unused)':<34} schema step only: p50 {p50 * 1000:6.1f} ms  "
        f"p95 {p95 * 1000:6.1f} ms  max {max(times) * 1000:6.1f} ms ({count} clones)",
        flush=True,
    )


def main() -> int:
    from bench.dialogue_page import _bench_database

    _bench_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tenants.pool import pool_refill
    from tenants.services import public_tenant_ensure

    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    _cleanup()
    _pool_empty()
    _clone_mode(20)
    print(f"provisioning: {SIGNUPS} sign-ups per phase, one solo worker", flush=True)

    # Warm and empty: the worker never refills; the pool is set up between sign-ups, untimed.
    worker = _worker(spares=0)
    try:
        warm, empty = Phase("warm pool (1 spare ready)"), Phase("empty pool (plain creation)")
        for number in range(SIGNUPS):
            pool_refill(target=1)
            client, slug, status_url, started = _submit(number)
            _record(warm, slug, _until_answering(client, slug, status_url, started))
        _print(warm)
        _pool_empty()
        for number in range(SIGNUPS, 2 * SIGNUPS):
            client, slug, status_url, started = _submit(number)
            _record(empty, slug, _until_answering(client, slug, status_url, started))
        _print(empty)
    finally:
        _stop(worker)

    # Back to back, as configured for production: 3 spares, refilled by the worker itself.
    _pool_empty()
    pool_refill(target=3)
    worker = _worker(spares=3)
    try:
        burst = Phase(f"{BACK_TO_BACK} back to back (pool of 3)")
        began = time.perf_counter()
        submitted = [_submit(2 * SIGNUPS + n) for n in range(BACK_TO_BACK)]
        for client, slug, status_url, started in submitted:
            _record(burst, slug, _until_answering(client, slug, status_url, started))
        elapsed = time.perf_counter() - began
        _print(burst)
        print(
            f"{'':<34} all {BACK_TO_BACK} answering after {elapsed:.1f} s "
            f"({elapsed / BACK_TO_BACK * 1000:.0f} ms per site)",
            flush=True,
        )
    finally:
        _stop(worker)
        _cleanup()
    warm_p50, _ = _percentiles(warm.totals)
    schema_p50, _ = _percentiles(warm.schema_steps)
    print(f"target: warm p50 <= 1 s: {'met' if warm_p50 <= 1.0 else 'NOT met'}")
    print(f"target: schema step p50 <= 50 ms: {'met' if schema_p50 <= 0.05 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
