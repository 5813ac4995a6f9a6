"""The deployment files as an operator runs them: compose (checked by Debian's docker-compose,
there being no container engine here), the Caddyfile (by Caddy), the systemd units (by
systemd-analyze), the image's ignore list and the secrets script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_SERVICES = ("web", "worker", "beat")
REQUIRED = {"ROOT_DOMAIN": "town.example.org", "STAFF_EMAIL": "staff@town.example.org",
            "EMAIL_HOST": "smtp.example.org"}  # fmt: skip


def _compose_config(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose is needed here: `make deploy-tools` installs Debian's")
    # A copy of deploy/ with secrets in place, as deploy/new-secrets.sh leaves them.
    copy = tmp_path / "repo"
    shutil.copytree(DEPLOY, copy / "deploy", ignore=shutil.ignore_patterns("secrets"))
    subprocess.run(["sh", str(copy / "deploy" / "new-secrets.sh")], check=True, capture_output=True)
    clean = {key: value for key, value in os.environ.items() if key not in REQUIRED}
    return subprocess.run(
        [compose, "-f", str(copy / "deploy" / "compose.yml"), "config"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = _compose_config(tmp_path_factory.mktemp("compose"), **REQUIRED)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_migrate_then_bootstrap_complete_before_anything_serves(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["bootstrap"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["bootstrap"] == {
            "condition": "service_completed_successfully"
        }, name
    assert "bootstrap" in " ".join(services["bootstrap"]["command"])
    assert services["bootstrap"]["environment"]["STAFF_EMAIL"] == REQUIRED["STAFF_EMAIL"]
    assert services["caddy"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_web_databases_and_the_pooler_have_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("web", "postgres", "redis", "pgbouncer", "worker"):
        assert services[name].get("healthcheck", {}).get("test"), name
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_every_password_comes_from_a_secret_and_nothing_is_trusted(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    assert postgres["POSTGRES_HOST_AUTH_METHOD"] == "scram-sha-256"
    assert postgres["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "requirepass" in " ".join(services["redis"]["command"])
    for name in (*APP_SERVICES, "migrate", "bootstrap"):
        env = services[name]["environment"]
        # Through PgBouncer, no password in any URL.
        assert env["DATABASE_URL"].startswith("postgresql://townsquare@pgbouncer:6432/"), name
        assert env["DATABASE_PASSWORD_FILE"] == "/run/secrets/postgres_password"
        assert env["REDIS_PASSWORD_FILE"] == "/run/secrets/redis_password"
        assert env["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
        assert env["HTTPS"] == "true"
        assert {s["source"] if isinstance(s, dict) else s for s in services[name]["secrets"]} == {
            "secret_key", "postgres_password", "redis_password",
        }  # fmt: skip
    assert set(compose["secrets"]) == {"secret_key", "postgres_password", "redis_password"}


def test_pgbouncer_pools_in_session_mode_for_django_tenants() -> None:
    ini = (DEPLOY / "pgbouncer" / "pgbouncer.ini.template").read_text()
    assert re.search(r"^pool_mode = session$", ini, re.M)
    assert re.search(r"^auth_type = scram-sha-256$", ini, re.M)
    assert "search_path" in ini  # the reason is written down beside the setting


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_a_missing_required_setting_is_named(tmp_path: Path, missing: str) -> None:
    env = {key: value for key, value in REQUIRED.items() if key != missing}
    result = _compose_config(tmp_path, **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_the_caddyfile_is_valid() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is needed here: `make deploy-tools` installs Debian's")
    result = subprocess.run(
        [caddy, "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        env={**os.environ, "APP_UPSTREAM": "127.0.0.1:8000", "CADDY_GLOBAL": "admin off"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_the_systemd_units_parse_cleanly() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is needed here (Debian's systemd package)")
    units = sorted(
        str(path)
        for path in (DEPLOY / "systemd").iterdir()
        if path.suffix in (".service", ".target")
    )
    assert {Path(unit).name for unit in units} >= {
        "townsquare-migrate.service", "townsquare-web.service", "townsquare-worker.service",
        "townsquare-beat.service", "townsquare.target",
    }  # fmt: skip
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=60)
    # The programs live under /opt/townsquare on a real host; everything else must be clean
    # (a misspelt key or a bad value is reported here).
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and not re.search(r"Command /opt/townsquare/\S+ is not executable", line)
    ]
    assert not complaints, complaints


def test_the_web_unit_starts_only_after_migrations() -> None:
    web = (DEPLOY / "systemd" / "townsquare-web.service").read_text()
    assert "Requires=townsquare-migrate.service" in web
    assert "After=townsquare-migrate.service" in web
    assert "LoadCredential=secret_key:" in web


def test_the_image_leaves_out_local_data_history_and_secrets() -> None:
    # Docker cleans each pattern as a path and anchors it at the context's root.
    patterns = {
        os.path.normpath(line.strip())
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".data", ".venv", ".git", "deploy/secrets", "**/secrets"} <= patterns


def test_the_final_image_runs_unprivileged_without_build_tools() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    final = dockerfile.rsplit("\nFROM ", 1)[1]
    assert "COPY --from=builder /venv /venv" in final
    assert "uv" not in re.findall(r"\b\w+\b", final)
    assert "pip uninstall" in final
    assert re.search(r"^USER townsquare$", final, re.M)


def test_new_secrets_makes_random_secrets_once(tmp_path: Path) -> None:
    script = DEPLOY / "new-secrets.sh"
    target = tmp_path / "secrets"
    subprocess.run(["sh", str(script), str(target)], check=True, capture_output=True)
    first = {path.name: path.read_text() for path in target.iterdir()}
    assert set(first) == {"secret_key", "postgres_password", "redis_password"}
    assert len(set(first.values())) == 3
    assert all(len(value) >= 40 for value in first.values())
    assert target.stat().st_mode & 0o777 == 0o700
    subprocess.run(["sh", str(script), str(target)], check=True, capture_output=True)
    assert {path.name: path.read_text() for path in target.iterdir()} == first
