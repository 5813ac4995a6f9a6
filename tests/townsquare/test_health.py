"""Health endpoints answer on every host and say which dependency is down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from django.test import Client
from django.test.utils import override_settings

from tenants.models import Tenant
from townsquare.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "alpha.localhost", "nobody-here.localhost"])
def test_liveness_and_readiness_on_every_host(host: str, tenant_a: Tenant) -> None:
    client = Client(headers={"host": host})
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readiness_names_the_broker_when_it_is_down(client_for: Callable[..., Client]) -> None:
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client_for(None).get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["checks"]["database"] == "ok"


def test_a_server_whose_database_is_down_stays_up_and_says_so(tmp_path: Path) -> None:
    """gunicorn with an unreachable database: /readyz says 503 database, /healthz still 200."""
    port = free_port()
    dead_database = f"postgresql://nobody@127.0.0.1:{free_port()}/townsquare"
    environment = dict(
        os.environ,
        DATABASE_URL=dead_database,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        DB_CONNECT_TIMEOUT="1",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("wb"),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or still loading Django on a busy machine.
                assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        for _ in range(3):
            ready = requests.get(f"{base}/readyz", headers={"Host": "localhost"}, timeout=10)
            assert ready.status_code == 503
            assert ready.json()["failed"] == ["database"]
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        assert server.poll() is None, "the server exited instead of reporting"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


@pytest.mark.django_db
def test_the_tls_proxy_may_only_ask_for_certificates_for_our_hosts(tenant_a: Tenant) -> None:
    client = Client(headers={"host": "web:8000"})
    assert client.get("/tls-allowed", {"domain": "localhost"}).status_code == 200
    assert client.get("/tls-allowed", {"domain": "alpha.localhost"}).status_code == 200
    assert client.get("/tls-allowed", {"domain": "nobody-here.localhost"}).status_code == 404
    assert client.get("/tls-allowed", {"domain": "evil.example"}).status_code == 404
    assert client.get("/tls-allowed").status_code == 404
