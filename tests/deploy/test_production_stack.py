"""The production stack on this machine: gunicorn with production settings behind Debian's
Caddy (TLS from its internal CA, on demand, vouched for by /tls-allowed) and PgBouncer (SCRAM,
session mode), on a database and role of its own, migrated and bootstrapped as an operator
would, with the central site and two tenants."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import urllib3
from django.conf import settings
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ROOT_DOMAIN = "stack.test"
SITES = {"alpha": "Alpha Youth Voices", "beta": "Beta Safer Streets"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args!r} exited {process.returncode}:\n{log.read_text()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listened on {port}:\n{log.read_text()}")


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail(f"{name} is needed here: `make deploy-tools` installs Debian's package")
    return found


@dataclass
class Stack:
    work: Path
    env: dict[str, str]
    https_port: int
    http_port: int
    pgbouncer_port: int
    database: str
    role: str
    logs: dict[str, Path] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    bootstrap_output: str = ""

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
        return result.stdout

    def start(self, name: str, command: list[str], port: int, env: dict[str, str]) -> None:
        log = self.work / f"{name}.log"
        self.logs[name] = log
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        self.processes.append(process)
        _wait_for_port(port, process, log)

    @property
    def ca(self) -> Path:
        return self.work / "xdg" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def https(self, host: str, path: str = "/", **headers: str) -> urllib3.BaseHTTPResponse:
        """A request to Caddy as a browser at https://host would make it: SNI and Host."""
        pool = urllib3.HTTPSConnectionPool(
            "127.0.0.1",
            self.https_port,
            server_hostname=host,
            assert_hostname=host,
            ca_certs=str(self.ca),
            retries=False,
            timeout=30,
        )
        return pool.request("GET", path, headers={"Host": host, **headers}, redirect=False)

    def http(self, host: str, path: str = "/") -> urllib3.BaseHTTPResponse:
        pool = urllib3.HTTPConnectionPool("127.0.0.1", self.http_port, retries=False, timeout=30)
        return pool.request("GET", path, headers={"Host": host}, redirect=False)


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=int(db["PORT"] or 5432),
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _redis_url_for_stack() -> str:
    # A database index of its own on the same server: the stack's cache and queue never
    # meet the suite's.
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path="/13"))


def _run_as_unprivileged(command: list[str]) -> list[str]:
    # PgBouncer refuses to run as root, as the image runs it as postgres.
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    caddy, pgbouncer = _tool("caddy"), _tool("pgbouncer")
    # Not under pytest's own temporary folder, which only its owner may enter: PgBouncer runs
    # as another user and reads its files here.
    work = Path(tempfile.mkdtemp(prefix="townsquare-stack-"))
    work.chmod(0o755)
    suffix = secrets.token_hex(4)
    role, database = f"ts_stack_{suffix}", f"ts_stack_{suffix}"
    password = secrets.token_urlsafe(24)
    secret_dir = work / "secrets"
    secret_dir.mkdir()
    (secret_dir / "postgres_password").write_text(password)
    (secret_dir / "secret_key").write_text(secrets.token_urlsafe(50))
    for secret in secret_dir.iterdir():
        secret.chmod(0o644)  # PgBouncer reads it as nobody
    db = settings.DATABASES["default"]
    with _admin_connection() as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(role)
            )
        )
    stack = Stack(
        work=work,
        env={},
        https_port=_free_port(),
        http_port=_free_port(),
        pgbouncer_port=_free_port(),
        database=database,
        role=role,
    )
    try:
        run_dir = work / "pgbouncer"
        run_dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(run_dir, user="nobody")
        pgbouncer_env = {
            "PATH": f"{Path(pgbouncer).parent}:/usr/bin:/bin",
            "DB_HOST": db["HOST"] or "127.0.0.1",
            "DB_PORT": str(db["PORT"] or 5432),
            "DB_NAME": database,
            "DB_USER": role,
            "DB_PASSWORD_FILE": str(secret_dir / "postgres_password"),
            "LISTEN_ADDR": "127.0.0.1",
            "LISTEN_PORT": str(stack.pgbouncer_port),
            "RUN_DIR": str(run_dir),
        }
        stack.start(
            "pgbouncer",
            _run_as_unprivileged([str(DEPLOY / "pgbouncer" / "entrypoint.sh")]),
            stack.pgbouncer_port,
            pgbouncer_env,
        )
        gunicorn_port = _free_port()
        stack.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(work),
            "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}",
            "DJANGO_SETTINGS_MODULE": "townsquare.settings",
            # As the compose file has it: through PgBouncer, the password from a secret.
            "DATABASE_URL": f"postgresql://{role}@127.0.0.1:{stack.pgbouncer_port}/{database}",
            "DATABASE_PASSWORD_FILE": str(secret_dir / "postgres_password"),
            "REDIS_URL": _redis_url_for_stack(),
            "SECRET_KEY_FILE": str(secret_dir / "secret_key"),
            "ROOT_DOMAIN": ROOT_DOMAIN,
            "HTTPS": "true",
            "EMAIL_HOST": "127.0.0.1",
            "CELERY_QUEUE": f"stack-{suffix}",
            "DATA_DIR": str(work / "data"),
            "STATIC_ROOT": str(work / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{gunicorn_port}",
            "WEB_CONCURRENCY": "2",
        }
        stack.manage("migrate_schemas", "--noinput")
        stack.bootstrap_output = stack.manage(
            "bootstrap", f"--staff-email=staff@{ROOT_DOMAIN}", "--new-link"
        )
        creation = "; ".join(
            f"tenant_create(name={name!r}, slug={slug!r})" for slug, name in SITES.items()
        )
        stack.manage("shell", "-c", f"from tenants.services import tenant_create; {creation}")
        stack.manage("collectstatic", "--noinput", "--verbosity=0")
        stack.start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")],
            gunicorn_port,
            stack.env,
        )
        caddy_env = {
            "PATH": os.environ["PATH"],
            "HOME": str(work),
            "XDG_DATA_HOME": str(work / "xdg"),
            "XDG_CONFIG_HOME": str(work / "xdg-config"),
            "APP_UPSTREAM": f"127.0.0.1:{gunicorn_port}",
            "TLS_ISSUER": "internal",
            "HTTP_PORT": str(stack.http_port),
            "HTTPS_PORT": str(stack.https_port),
            "CADDY_GLOBAL": "skip_install_trust\nadmin off",
        }
        stack.start(
            "caddy",
            [caddy, "run", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
            stack.https_port,
            caddy_env,
        )
        deadline = time.monotonic() + 30
        while not stack.ca.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        yield stack
    finally:
        for process in reversed(stack.processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with _admin_connection() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        if not os.environ.get("KEEP_STACK"):
            shutil.rmtree(work, ignore_errors=True)


def test_the_central_site_and_each_tenant_answer_on_their_own_host(stack: Stack) -> None:
    central = stack.https(ROOT_DOMAIN)
    assert central.status == 200, central.data[:500]
    for slug, name in SITES.items():
        page = stack.https(f"{slug}.{ROOT_DOMAIN}")
        assert page.status == 200
        assert name in page.data.decode()
        other = next(n for s, n in SITES.items() if s != slug)
        assert other not in page.data.decode()


def test_every_response_carries_the_security_headers(stack: Stack) -> None:
    for host in (ROOT_DOMAIN, f"alpha.{ROOT_DOMAIN}"):
        headers = stack.https(host).headers
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        # Signed in or not, cookies only ever travel over HTTPS.
        for cookie in headers.getlist("Set-Cookie"):
            assert "Secure" in cookie, cookie


def test_static_files_are_compressed_hashed_and_kept_for_ever(stack: Stack) -> None:
    page = stack.https(f"alpha.{ROOT_DOMAIN}").data.decode()
    stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    name = stylesheet.rsplit("/", 1)[-1]
    assert len(name.split(".")) == 3, f"{name} is not a hashed name"
    response = stack.https(f"alpha.{ROOT_DOMAIN}", stylesheet, **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("text/css")


def test_readiness_is_reported_through_the_proxy(stack: Stack) -> None:
    response = stack.https(ROOT_DOMAIN, "/readyz")
    assert response.status == 200
    assert json.loads(response.data)["checks"] == {"database": "ok", "broker": "ok"}


def test_plain_http_redirects_to_https(stack: Stack) -> None:
    response = stack.http(f"beta.{ROOT_DOMAIN}", "/dialogues/?page=2")
    assert response.status == 308
    assert response.headers["Location"] == f"https://beta.{ROOT_DOMAIN}/dialogues/?page=2"


def test_a_host_that_is_no_site_gets_no_certificate(stack: Stack) -> None:
    for host in ("stranger.example.org", f"nobody.{ROOT_DOMAIN}"):
        with pytest.raises(urllib3.exceptions.SSLError):
            stack.https(host)
    # The certificate that was issued names its host and comes from the CA Caddy made here.
    context = ssl.create_default_context(cafile=str(stack.ca))
    with (
        socket.create_connection(("127.0.0.1", stack.https_port)) as raw,
        context.wrap_socket(raw, server_hostname=f"alpha.{ROOT_DOMAIN}") as tls,
    ):
        certificate = tls.getpeercert()
    assert certificate is not None
    names = [pair[1] for pair in certificate["subjectAltName"] if pair[0] == "DNS"]
    assert names == [f"alpha.{ROOT_DOMAIN}"]


def test_pgbouncer_refuses_a_wrong_password(stack: Stack) -> None:
    with pytest.raises(psycopg.OperationalError, match="authentication failed"):
        psycopg.connect(
            host="127.0.0.1",
            port=stack.pgbouncer_port,
            user=stack.role,
            dbname=stack.database,
            password="not-the-password",
            connect_timeout=5,
        )


def test_production_settings_pass_the_deploy_check(stack: Stack) -> None:
    output = stack.manage("check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in output


def test_bootstrap_gave_a_staff_link_on_the_central_host_and_a_rerun_changes_nothing(
    stack: Stack,
) -> None:
    link = next(
        word
        for word in stack.bootstrap_output.split()
        if word.startswith("https://") and "/password/reset/key/" in word
    )
    assert urlsplit(link).hostname == ROOT_DOMAIN
    page = stack.https(ROOT_DOMAIN, urlsplit(link).path)
    assert page.status in (200, 302)
    again = stack.manage("bootstrap")
    assert "exists" in again
    assert "/password/reset/key/" not in again


def test_no_client_address_reaches_any_log(stack: Stack) -> None:
    stack.https(f"alpha.{ROOT_DOMAIN}", "/?q=private")
    time.sleep(0.5)  # Caddy writes its access log line after the response
    caddy_log = stack.logs["caddy"].read_text()
    assert "http.log.access" in caddy_log, "the access log is on"
    for name, log in stack.logs.items():
        text = log.read_text()
        assert "remote_ip" not in text, name
        assert "client_ip" not in text, name
        assert "q=private" not in text, name
