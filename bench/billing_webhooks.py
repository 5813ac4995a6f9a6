"""Stripe's webhooks for 100 sites: 1,000 signed deliveries (10 % repeats, shuffled) posted over
HTTP to gunicorn and handled by a Celery worker (target: endpoint p50 <= 20 ms, store and
enqueue only); every event must be handled once and each site must end in Stripe's state.

The fake Stripe (tests/harness) stands in for the network boundary, as in the tests. Exits 1
when a correctness check fails; never on timing.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tenants.models import Tenant
    from tests.harness.fake_stripe import FakeStripe

ROOT = Path(__file__).resolve().parents[1]
TENANTS = 100
DISTINCT = 900
DELIVERIES = 1_000
# Not "bench-": bench/provisioning.py deletes every site named so when it cleans up.
PREFIX = "billing-bench-"
SEED = 11
WEBHOOK = "/billing/stripe/webhook/"
# Production's gunicorn settings (deploy/gunicorn.conf.py): 2 processes of 4 threads.
WEB_CONCURRENCY, WEB_THREADS = "2", "4"
# The worker as `make run` and deploy/compose.yml run it: prefork, one process per core here.
WORKER_PROCESSES = 2
DRAIN_SECONDS = 600.0
# After Checkout, these many sites change nothing; the rest take random steps (weights).
QUIET = 15
STEPS = {"fail": 35, "pay": 35, "change": 20, "cancel": 10}

Obj = dict[str, Any]


@dataclass
class Delivered:
    """What the client saw: time per request, and each event's answers in order."""

    seconds: list[float] = field(default_factory=list)
    answers: dict[str, list[bool]] = field(default_factory=dict)  # event id -> duplicate flags
    problems: list[str] = field(default_factory=list)
    reconnects: int = 0


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    postgres = row[0] if row else "?"
    return (
        f"{len(os.sched_getaffinity(0))} CPUs ({model}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, PostgreSQL {postgres}"
    )


def _tenants() -> list[Tenant]:
    """The 100 sites, made once (each a migrated schema with an admin) and reset each run."""
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from billing.models import BillingAccount, WebhookEvent
    from tenants.models import Tenant
    from tenants.services import tenant_create

    slugs = [f"{PREFIX}{number:03d}" for number in range(TENANTS)]
    existing = {tenant.slug: tenant for tenant in Tenant.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in existing]
    if missing:
        print(f"making {len(missing)} sites (CREATE SCHEMA + migrations each)", flush=True)
        started = time.perf_counter()
        for slug in missing:
            tenant = tenant_create(name=f"Bench billing {slug[-3:]}", slug=slug)
            with tenant_context(tenant):
                User.objects.create(
                    username="admin", role=User.Role.ADMIN, email=f"admin@{slug}.example.org"
                )
            existing[slug] = tenant
        elapsed = time.perf_counter() - started
        print(f"made {len(missing)} sites in {elapsed:.1f} s", flush=True)
    tenants = [existing[slug] for slug in slugs]
    _schemas_migrate(tenants)
    # A fresh fake Stripe each run knows none of last run's customers: start from trials.
    # The bench database holds no other webhook events, so all of them go.
    WebhookEvent.objects.all().delete()
    BillingAccount.objects.filter(tenant__in=tenants).delete()
    Tenant.objects.filter(pk__in=[t.pk for t in tenants]).update(
        plan="trial", status=Tenant.Status.ACTIVE, held_by=Tenant.Hold.NONE
    )
    return list(Tenant.objects.filter(slug__in=slugs).order_by("slug"))


def _schemas_migrate(tenants: list[Tenant]) -> None:
    """Brings reused sites up to this code's migrations (deploys do it for real tenants)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder
    from django_tenants.utils import schema_context

    from tenants.pool import schema_migrate

    # A tenant schema records every app's migrations, so its newest ones say it is current.
    leaves = set(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    for tenant in tenants:
        with schema_context(tenant.schema_name):
            applied = set(MigrationRecorder(connection).applied_migrations())
        if not leaves <= applied:
            print(f"migrating {tenant.schema_name}", flush=True)
            schema_migrate(schema_name=tenant.schema_name)


def _events(fake: FakeStripe, tenants: list[Tenant], rng: random.Random) -> dict[int, str]:
    """Each site pays at Checkout, then payments fail, are paid, plans change and some
    subscriptions end, until Stripe has made DISTINCT events. Returns site -> subscription."""
    from billing import stripe_gateway as gateway
    from billing.plans import PAID_PLANS
    from billing.services import checkout_start

    subscriptions: dict[int, str] = {}
    for tenant in tenants:
        url = checkout_start(
            tenant=tenant,
            plan=rng.choice(PAID_PLANS),
            email=f"admin@{tenant.slug}.example.org",
            base_url=f"http://{tenant.slug}.localhost",
        )
        session_id = url.rsplit("/", 1)[-1]
        fake.checkout_complete(session_id, deliver=False)
        subscriptions[tenant.pk] = str(fake.checkout_sessions[session_id]["subscription"])
    live = [tenant.pk for tenant in tenants[QUIET:]]
    while (left := DISTINCT - len(fake.events)) > 0:
        if not live:
            raise SystemExit("every subscription ended before the events were made")
        pk = rng.choice(live)
        subscription = subscriptions[pk]
        # A change of plan makes exactly one event, so the count lands on DISTINCT.
        step = "change" if left == 1 else rng.choices(list(STEPS), weights=list(STEPS.values()))[0]
        if step == "fail":
            fake.invoice_fail(subscription, deliver=False)
        elif step == "pay":
            fake.invoice_pay(subscription, deliver=False)
        elif step == "cancel":
            fake.subscription_cancel(subscription, deliver=False)
            live.remove(pk)
        else:
            current = gateway.subscription_get(subscription)
            other = next(p for p in PAID_PLANS if p.lookup_key != current.lookup_key)
            gateway.subscription_change_price(
                subscription=current, price_id=gateway.price_id_for(other)
            )
    if len(fake.events) != DISTINCT:
        raise SystemExit(f"the fake made {len(fake.events)} events, not {DISTINCT}")
    return subscriptions


def _server(environment: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        environment,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=WEB_CONCURRENCY,
        WEB_THREADS=WEB_THREADS,
    )
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise SystemExit(f"gunicorn did not start; see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": "localhost"})
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            pass
        time.sleep(0.1)


def _worker(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # SPARE_SCHEMAS=0: making the sites queued pool refills, which must not make schemas here.
    env = dict(environment, SPARE_SCHEMAS="0")
    nodename = f"bench-billing-{uuid.uuid4().hex[:6]}@localhost"
    command = [
        sys.executable, "-m", "celery", "-A", "townsquare", "worker",
        f"--concurrency={WORKER_PROCESSES}", "--without-mingle", "--without-gossip",
        "--loglevel=WARNING", "-n", nodename,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    from townsquare.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[nodename], timeout=0.5):
        if time.monotonic() > deadline or process.poll() is not None:
            _stop(process)
            raise SystemExit(f"the Celery worker did not start; see {log}")
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _queue_length() -> int:
    from django.conf import settings
    from kombu.exceptions import ChannelError

    from townsquare.celery import app

    with app.connection_for_write() as connection:
        try:
            declared = connection.default_channel.queue_declare(
                queue=settings.CELERY_TASK_DEFAULT_QUEUE, passive=True
            )
        except ChannelError:  # Redis keeps no empty list: an empty queue is no queue
            return 0
    return int(declared.message_count)


def _queue_wait(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _queue_length():
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not empty its queue in time")
        time.sleep(0.1)


def _deliver(port: int, secret: str, deliveries: list[tuple[str, bytes]]) -> Delivered:
    """POSTs each signed body on one keep-alive connection, as Stripe's sender would."""
    from django.conf import settings

    from tests.harness.fake_stripe import stripe_signature

    result = Delivered()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for event_id, body in deliveries:
        headers = {
            "Host": f"{settings.ROOT_DOMAIN}:{port}",
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            # Signed when sent, as Stripe does: the endpoint refuses stale timestamps.
            "Stripe-Signature": stripe_signature(body, secret),
        }
        try:
            status, answer, seconds = _post(connection, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection: a new one, timed afresh.
            connection.close()
            result.reconnects += 1
            status, answer, seconds = _post(connection, body, headers)
        result.seconds.append(seconds)
        if status != 200:
            result.problems.append(f"{event_id}: HTTP {status} {answer[:200]!r}")
            continue
        reply = json.loads(answer)
        if reply.get("received") is not True or not isinstance(reply.get("duplicate"), bool):
            result.problems.append(f"{event_id}: unexpected answer {reply!r}")
            continue
        result.answers.setdefault(event_id, []).append(reply["duplicate"])
    connection.close()
    return result


def _post(
    connection: http.client.HTTPConnection, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    connection.request("POST", WEBHOOK, body, headers)
    response = connection.getresponse()
    answer = response.read()
    return response.status, answer, time.perf_counter() - started


def _drained(event_ids: set[str], deadline: float) -> bool:
    """Waits until every event is stored and none waits or failed; False past the deadline."""
    from billing.models import WebhookEvent

    waiting = [WebhookEvent.Outcome.PENDING, WebhookEvent.Outcome.FAILED]
    while time.monotonic() < deadline:
        stored = WebhookEvent.objects.filter(event_id__in=event_ids)
        if stored.count() == len(event_ids) and not stored.filter(outcome__in=waiting).exists():
            return True
        time.sleep(0.05)
    return False


def _check(
    fake: FakeStripe, tenants: list[Tenant], subscriptions: dict[int, str], delivered: Delivered
) -> list[str]:
    """Every event answered, stored once and handled; every site in Stripe's final state."""
    from billing.models import OVERDUE_STATUSES, PAID_STATUSES, BillingAccount, WebhookEvent
    from billing.plans import PAID_PLANS, TRIAL
    from tenants.models import Tenant

    mismatches = list(delivered.problems)
    event_ids = {str(event["id"]) for event in fake.events}
    for event_id in event_ids:
        flags = delivered.answers.get(event_id, [])
        # The first delivery to arrive stores it; every later one is told it is a duplicate.
        if not flags or flags[0] or not all(flags[1:]):
            mismatches.append(f"{event_id}: answers said duplicate {flags}")
    stored = Counter(
        WebhookEvent.objects.filter(event_id__in=event_ids).values_list("outcome", flat=True)
    )
    if sum(stored.values()) != len(event_ids):
        mismatches.append(f"{sum(stored.values())} events stored, {len(event_ids)} sent")
    handled = {WebhookEvent.Outcome.PROCESSED, WebhookEvent.Outcome.IGNORED}
    for outcome, count in stored.items():
        if outcome not in handled:
            mismatches.append(f"{count} events ended {outcome}")
    plans = {plan.lookup_key: plan.key for plan in PAID_PLANS}
    accounts = {a.tenant_id: a for a in BillingAccount.objects.filter(tenant__in=tenants)}
    sites = {t.pk: t for t in Tenant.objects.filter(pk__in=[t.pk for t in tenants])}
    with fake.lock:
        for pk, subscription_id in subscriptions.items():
            subscription = fake.subscriptions[subscription_id]
            status = str(subscription["status"])
            lookup_key = subscription["items"]["data"][0]["price"]["lookup_key"]
            live = status in PAID_STATUSES | OVERDUE_STATUSES
            plan = plans[lookup_key] if live else TRIAL.key
            account, site = accounts.get(pk), sites[pk]
            seen = (
                (account.stripe_subscription_id, account.subscription_status, site.plan)
                if account
                else None
            )
            if seen != (subscription_id, status, plan):
                mismatches.append(f"{site.slug}: {seen} where Stripe says {status} on {plan}")
    return mismatches


def main() -> int:
    from bench.dialogue_page import _bench_database

    _bench_database()
    # Its own queue, so a `make run` worker on the same Redis never takes these tasks.
    os.environ.setdefault("CELERY_QUEUE", f"townsquare-bench-{os.getpid()}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    from tests.harness.fake_stripe import fake_stripe_start, fake_stripe_stop

    fake = fake_stripe_start()
    # Billing on against the fake, here and in the server and worker started below.
    os.environ.update(
        STRIPE_SECRET_KEY=fake.api_key,
        STRIPE_WEBHOOK_SECRET=fake.webhook_secret,
        STRIPE_API_BASE=fake.api_base,
    )
    import django

    django.setup()
    from django.core.management import call_command

    from billing.plans import PAID_PLANS
    from tenants.services import public_tenant_ensure

    for plan in PAID_PLANS:
        fake.price_create(lookup_key=plan.lookup_key, unit_amount=plan.monthly_price_pence)
    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    tenants = _tenants()
    rng = random.Random(SEED)  # noqa: S311 - a repeatable scenario, not a secret
    subscriptions = _events(fake, tenants, rng)
    bodies = {str(event["id"]): json.dumps(event, indent=2).encode() for event in fake.events}
    repeats = rng.choices(list(bodies), k=DELIVERIES - DISTINCT)
    deliveries = [(event_id, bodies[event_id]) for event_id in [*bodies, *repeats]]
    rng.shuffle(deliveries)
    kinds = Counter(str(event["type"]) for event in fake.events)
    print(
        f"billing webhooks: {DELIVERIES} deliveries of {DISTINCT} events "
        f"({DELIVERIES - DISTINCT} repeats, shuffled) for {TENANTS} sites",
        flush=True,
    )
    print("  " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))

    data_dir = Path(os.environ.get("DATA_DIR", ROOT / ".data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    server_log = data_dir / "bench-billing-web.log"
    worker_log = data_dir / "bench-billing-worker.log"
    environment = dict(os.environ)
    port = _free_port()
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(_server(environment, port, server_log))
        started.append(_worker(environment, worker_log))
        # The sites' creation queued pool refills; they go first, untimed.
        _queue_wait(120)
        began = time.perf_counter()
        delivered = _deliver(port, fake.webhook_secret, deliveries)
        sent = time.perf_counter() - began
        drained = _drained(set(bodies), time.monotonic() + DRAIN_SECONDS)
        total = time.perf_counter() - began
        if drained:
            _queue_wait(120)  # the admins' emails the events caused, before the worker stops
    finally:
        for process in started:
            _stop(process)
        fake_stripe_stop(fake)

    mismatches = _check(fake, tenants, subscriptions, delivered)
    if not drained:
        mismatches.insert(0, f"events still waiting after {DRAIN_SECONDS:.0f} s")
    ordered = sorted(seconds * 1000 for seconds in delivered.seconds)
    print(
        f"endpoint over HTTP (gunicorn {WEB_CONCURRENCY}x{WEB_THREADS} threads, one keep-alive "
        f"client): p50 {statistics.median(ordered):5.1f} ms  p95 {_percentile(ordered, 0.95):5.1f} "
        f"ms  max {ordered[-1]:6.1f} ms  ({len(ordered)} requests, {delivered.reconnects} "
        "reconnects)"
    )
    print(
        f"all {DELIVERIES} sent in {sent:.1f} s; every event handled {total:.1f} s after the "
        f"first ({DISTINCT / total:.0f} events/s, one worker of {WORKER_PROCESSES} processes)"
    )
    print(f"machine: {_machine()}")
    print(f"logs: {server_log}, {worker_log}")
    print(f"mismatches: {len(mismatches)}")
    for line in mismatches[:20]:
        print(f"  {line}")
    p50 = statistics.median(ordered)
    print(f"target: endpoint p50 <= 20 ms: {'met' if p50 <= 20 else 'NOT met'}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
