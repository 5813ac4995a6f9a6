"""Runs Townsquare locally: embedded services when none are named, then web, worker and beat.

`python -m townsquare.devstack run` is `make run`; `... exec -- CMD` runs CMD (e.g. pytest)
with the same services and environment, and stops what it started afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from townsquare.embedded import EmbeddedPostgres, EmbeddedRedis

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def log(message: str) -> None:
    print(f"[townsquare] {message}", flush=True)


def base_environment(data_dir: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "platform")])
    environment.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    environment.setdefault("DATA_DIR", str(data_dir))
    if not environment.get("SECRET_KEY") and not environment.get("SECRET_KEY_FILE"):
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        environment["SECRET_KEY_FILE"] = str(key_file)
    if not environment.get("EMAIL_HOST"):
        # A local run prints its mail; production without EMAIL_HOST refuses to start.
        environment.setdefault("EMAIL_BACKEND", "console")
    return environment


@contextmanager
def services(data_dir: Path, environment: dict[str, str], *, database: str) -> Iterator[None]:
    """Starts embedded PostgreSQL/Redis for whichever of DATABASE_URL/REDIS_URL is unset."""
    postgres: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    try:
        if not environment.get("DATABASE_URL"):
            postgres = EmbeddedPostgres(data_dir / "postgres")
            log(f"starting embedded PostgreSQL in {postgres.data_dir}")
            postgres.start()
            postgres.ensure_database(database)
            environment["DATABASE_URL"] = postgres.url(database)
        if not environment.get("REDIS_URL"):
            redis = EmbeddedRedis(data_dir / "redis")
            redis.start()
            log(f"started embedded Redis on 127.0.0.1:{redis.port}")
            environment["REDIS_URL"] = redis.url()
        yield
    finally:
        if redis is not None:
            redis.stop()
            log("stopped embedded Redis")
        if postgres is not None and postgres.started_here:
            postgres.stop()
            log("stopped embedded PostgreSQL")


def manage(environment: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=environment, check=True)  # noqa: S603


def run(data_dir: Path) -> int:
    environment = base_environment(data_dir)
    port = environment.setdefault("PORT", "8000")
    environment.setdefault("PUBLIC_PORT", port)
    binds = [f"127.0.0.1:{port}"]
    if _ipv6_loopback_available():
        binds.append(f"[::1]:{port}")
    environment.setdefault("GUNICORN_BIND", ",".join(binds))
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with services(data_dir, environment, database="townsquare"):
        log("migrating the public and tenant schemas")
        manage(environment, "migrate_schemas", "--executor=multiprocessing")
        manage(environment, "collectstatic", "--noinput", "--verbosity=0")
        manage(environment, "seed_demo")
        # The platform staff login, beside the demo tenant's: a link to choose its password
        # until that is done, then just the username.
        root_domain = environment.get("ROOT_DOMAIN", "localhost")
        manage(environment, "bootstrap", f"--staff-email=staff@{root_domain}", "--new-link")
        celery = [PYTHON, "-m", "celery", "-A", "townsquare"]
        commands = {
            "web": [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
            "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [*celery, "beat", "--loglevel=INFO"],
        }
        for command in commands.values():
            children.append(subprocess.Popen(command, env=environment, cwd=ROOT))  # noqa: S603
        log(f"central site: http://{root_domain}:{port}")
        log(f"demo tenant:  http://merseyside.{root_domain}:{port}")
        log("press Ctrl-C to stop")
        while not stopping:
            if any(child.poll() is not None for child in children):
                log("a process exited; stopping the rest")
                break
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 25
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    log("stopped")
    return 0


def run_command(data_dir: Path, command: list[str], database: str) -> int:
    environment = base_environment(data_dir)
    with services(data_dir, environment, database=database):
        return subprocess.call(command, env=environment)  # noqa: S603


def _ipv6_loopback_available() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack", description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("DATA_DIR", str(ROOT / ".data")))
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("run", help="serve the app with worker and beat (make run)")
    exec_parser = sub.add_parser("exec", help="run a command with the services available")
    exec_parser.add_argument("--database", default="townsquare")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if args.action == "run":
        return run(data_dir)
    command = (
        [part for part in args.command if part != "--"]
        if args.command[:1] == ["--"]
        else args.command
    )
    if not command:
        parser.error("exec needs a command after --")
    return run_command(data_dir, command, args.database)


if __name__ == "__main__":
    sys.exit(main())
