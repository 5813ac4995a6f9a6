"""A real Celery worker process against the real broker and the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from townsquare.celery import app

# Where the workers send platform staff's notices (demo requests).
STAFF_INBOX = "sales@townsquare.test"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    nodename: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def test_database_url() -> str:
    """DATABASE_URL pointed at the database pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


def worker_start(log_dir: Path, *, smtp_port: int, queue: str | None = None, **env: str) -> Worker:
    """Starts a worker; env adds settings (failpoints, say), queue gives it a queue of its own."""
    nodename = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / f"celery-{nodename.split('@')[0]}.log"
    environment = dict(
        os.environ,
        DATABASE_URL=test_database_url(),
        EMAIL_BACKEND="smtp",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        # One spare after each claim keeps the solo worker free for the tests' other tasks.
        SPARE_SCHEMAS="1",
        PROVISIONING_RETRY_SECONDS="0",
        # Safeguarding alerts: a second and a third try, after 1 s and 2 s.
        SAFEGUARDING_ALERT_RETRIES="2",
        SAFEGUARDING_ALERT_RETRY_SECONDS="1",
        STAFF_EMAILS=STAFF_INBOX,
        **env,
    )
    if queue is not None:
        environment["CELERY_QUEUE"] = queue
    command = [
        sys.executable, "-m", "celery", "-A", "townsquare", "worker",
        "--pool=solo", "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", nodename,
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, env=environment, stdout=log_file, stderr=subprocess.STDOUT
        )
    worker = Worker(process, nodename, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{worker.log()}")
        replies = app.control.ping(destination=[nodename], timeout=0.5)
        if replies:
            return worker
    worker_stop(worker)
    raise RuntimeError(f"Celery worker did not answer within 60 s:\n{worker.log()}")


def worker_stop(worker: Worker) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(20)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


def worker_wait(check: Callable[[], Any], worker: Worker, seconds: float = 30) -> None:
    """Waits until check() is true; past the deadline fails with the end of the worker's log."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, worker.log()[-4000:]
        time.sleep(0.1)


def beat_start(log_dir: Path, **env: str) -> subprocess.Popen[bytes]:
    """Celery beat against the test database, its schedule file in log_dir; env adds settings
    (BILLING_SWEEP_SECONDS=1, say). Stop it with worker_stop-like terminate()."""
    environment = dict(os.environ, DATABASE_URL=test_database_url(), DATA_DIR=str(log_dir), **env)
    command = [sys.executable, "-m", "celery", "-A", "townsquare", "beat", "--loglevel=INFO"]
    log_path = log_dir / "celery-beat.log"
    with log_path.open("wb") as log_file:
        return subprocess.Popen(command, env=environment, stdout=log_file, stderr=subprocess.STDOUT)


def beat_stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
