"""The quick start: `make run` serves both sites from embedded services, then stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from townsquare.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]


def _get(port: int, host: str, path: str = "/") -> requests.Response:
    return requests.get(f"http://127.0.0.1:{port}{path}", headers={"Host": host}, timeout=10)


def _start(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        k: v
        for k, v in os.environ.items()
        # The quick start with nothing configured: embedded PostgreSQL and Redis.
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SECRET_KEY_FILE", "DATA_DIR"}
    }
    environment |= {"PORT": str(port), "CELERY_QUEUE": f"quickstart-{port}"}
    return subprocess.Popen(
        [sys.executable, "-m", "townsquare.devstack", "--data-dir", str(data_dir), "run"],
        cwd=ROOT,
        env=environment,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for_both_sites(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if _get(port, "merseyside.localhost").status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    pytest.fail(f"make run did not serve within 180 s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    _, alive = psutil.wait_procs(children, timeout=15)
    return alive


def _postgres_running(data_dir: Path) -> bool:
    pid_file = data_dir / "postgres" / "postmaster.pid"
    if not pid_file.exists():
        return False
    return psutil.pid_exists(int(pid_file.read_text().split()[0]))


def test_quick_start_serves_both_sites_then_stops_everything(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    log = tmp_path / "run.log"
    port = free_port()
    process = _start(data_dir, port, log)
    try:
        _wait_for_both_sites(process, port, log)
        central = _get(port, "localhost")
        assert central.status_code == 200
        assert "Conversation, not consultation" in central.text
        demo = _get(port, "merseyside.localhost")
        assert "Merseyside Violence Reduction Partnership" in demo.text
        assert "Making Merseyside safer" in demo.text
        dialogue = _get(port, "merseyside.localhost", "/dialogues/safer-merseyside/")
        assert "More youth clubs open late" in dialogue.text
        assert _get(port, "localhost", "/readyz").json()["failed"] == []
        output = log.read_text()
        password = re.search(r"username: admin\s+password: (\S+)", output)
        assert password, output
        assert "http://merseyside.localhost:" in output
        # The printed sign-in link opens as printed: it carries the port.
        login_line = f"Demo staff logins at http://merseyside.localhost:{port}/accounts/login/"
        assert login_line in output
        session = requests.Session()
        login_url = f"http://127.0.0.1:{port}/accounts/login/"
        host = {"Host": "merseyside.localhost"}
        session.get(login_url, headers=host, timeout=10)
        signed_in = session.post(
            login_url,
            data={
                "login": "admin",
                "password": password.group(1),
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers=host | {"Origin": "http://merseyside.localhost"},
            timeout=10,
        )
        assert "Signed in as admin" in signed_in.text
    finally:
        leftovers = _stop(process) if process.poll() is None else []
    assert leftovers == [], f"processes left running: {leftovers}"
    assert not _postgres_running(data_dir)

    # A second start reuses .data/: no new demo, the same login still printed.
    process = _start(data_dir, port, log)
    try:
        _wait_for_both_sites(process, port, log)
        assert log.read_text().count("Created tenant merseyside") == 1
        assert log.read_text().count(login_line) == 2
    finally:
        assert _stop(process) == []
    assert not _postgres_running(data_dir)
