"""Fixtures for webhook tests: a local receiver, private addresses allowed, a worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings

from api.webhooks.models import Endpoint
from tenants.models import Tenant
from tests.api.webhooks.receiver import Receiver, receiver_start
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker, worker_start, worker_stop
from townsquare.celery import app

# The worker's settings: quick retries, a short run of failures before pausing.
WORKER_ENV = {
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "WEBHOOK_RETRY_SECONDS": "1",
    "WEBHOOK_MAX_ATTEMPTS": "3",
    "WEBHOOK_PAUSE_AFTER": "2",
    "WEBHOOK_TIMEOUT_SECONDS": "5",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = receiver_start()
    yield server
    server.stop()


@pytest.fixture
def private_ok(settings: Settings) -> None:
    """The local receiver is on 127.0.0.1 over plain http, as only tests allow."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture(scope="module")
def hooks_worker(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
    smtp_sink: SmtpSink,
) -> Iterator[Worker]:
    """A worker with WORKER_ENV on a queue of its own; this process routes the webhook tasks
    there, so the session's worker (without these settings) never takes them."""
    queue = f"hooks-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        worker = worker_start(
            tmp_path_factory.mktemp("hooks-worker"),
            smtp_port=smtp_sink.port,
            queue=queue,
            **WORKER_ENV,
        )
    routes = app.conf.task_routes
    app.conf.task_routes = {"api.webhooks.tasks.*": {"queue": queue}}
    app.amqp.flush_routes()
    router = app.amqp.router
    app.amqp.router = app.amqp.Router()
    yield worker
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.router = router
    worker_stop(worker)


@pytest.fixture
def endpoints_removed(tenant_a: Tenant, tenant_b: Tenant, committed_db: None) -> Iterator[None]:
    """Committed endpoints (and their deliveries) are removed after the test."""
    yield
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            Endpoint.objects.all().delete()
