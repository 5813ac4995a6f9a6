"""Settings read from the environment: typed, strict, and naming the variable at fault."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from townsquare.config import Env

ROOT = Path(__file__).resolve().parents[2]


def test_booleans_accept_the_usual_spellings() -> None:
    env = Env({"A": "yes", "B": "0", "C": "True"})
    assert env.boolean("A", False) is True
    assert env.boolean("B", True) is False
    assert env.boolean("C", False) is True
    assert env.boolean("MISSING", True) is True


@pytest.mark.parametrize(
    ("source", "read", "message"),
    [
        (
            {"DEBUG": "maybe"},
            lambda env: env.boolean("DEBUG", False),
            "DEBUG must be true or false",
        ),
        ({"PORT": "80a"}, lambda env: env.integer("PORT", 1), "PORT must be a whole number"),
        ({"N": "0"}, lambda env: env.integer("N", 1, minimum=1), "N must be at least 1"),
        ({"R": "2"}, lambda env: env.number("R", 0.0, low=0, high=1), "R must be between"),
        ({}, lambda env: env.string("SECRET_KEY"), "SECRET_KEY is required"),
        ({"DATABASE_URL": "mysql://x/y"}, lambda env: env.database("DATABASE_URL"), "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://host"}, lambda env: env.database("DATABASE_URL"), "name"),
        ({"REDIS_URL": "http://x"}, lambda env: env.redis_url("REDIS_URL"), "REDIS_URL must be"),
        (
            {"ROOT_DOMAIN": "bad domain"},
            lambda env: env.hostname("ROOT_DOMAIN", "x"),
            "ROOT_DOMAIN",
        ),
        ({"API_RATE": "60/fortnight"}, lambda env: env.rate("API_RATE", "1/s"), "API_RATE"),
        ({"API_RATE": "0/minute"}, lambda env: env.rate("API_RATE", "1/s"), "API_RATE"),
        ({"API_RATE": "sixty/minute"}, lambda env: env.rate("API_RATE", "1/s"), "API_RATE"),
        ({"API_RATE": "5/15m"}, lambda env: env.rate("API_RATE", "1/s"), "API_RATE"),
        (
            {"STRIPE_API_BASE": "ftp://stripe.example"},
            lambda env: env.url("STRIPE_API_BASE", "https://api.stripe.com"),
            "STRIPE_API_BASE must be an http",
        ),
        (
            {"LOG_LEVEL": "LOUD"},
            lambda env: env.choice("LOG_LEVEL", "INFO", ("INFO",)),
            "LOG_LEVEL",
        ),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(
    source: dict[str, str], read: object, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        read(Env(source))  # type: ignore[operator]


def test_rates_accept_the_usual_period_spellings() -> None:
    env = Env({"A": "60/min", "B": " 5/Hour ", "C": "100/d"})
    assert env.rate("A", "1/s") == "60/minute"
    assert env.rate("B", "1/s") == "5/hour"
    assert env.rate("C", "1/s") == "100/day"
    assert env.rate("MISSING", "2/s") == "2/second"


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    assert Env({"SECRET_KEY_FILE": str(secret)}).string("SECRET_KEY") == "s3cret"
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE: cannot read"):
        Env({"SECRET_KEY_FILE": str(tmp_path / "missing")}).string("SECRET_KEY")


def test_database_url_with_a_socket_directory_is_understood() -> None:
    config = Env({"DATABASE_URL": "postgresql://postgres@/townsquare?host=/run/pg"}).database(
        "DATABASE_URL"
    )
    assert config["NAME"] == "townsquare"
    assert config["OPTIONS"]["host"] == "/run/pg"


def _start_django(**overrides: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, **overrides)
    environment.pop("SECRET_KEY_FILE", None)
    environment.setdefault("SECRET_KEY", "test")
    code = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


def test_an_invalid_variable_stops_start_up_with_its_name() -> None:
    result = _start_django(DEBUG="sometimes")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
    assert "started" not in result.stdout


def test_without_debug_a_secret_key_is_required() -> None:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE"}
    }
    environment["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_a_stripe_key_without_the_webhook_secret_stops_start_up() -> None:
    result = _start_django(DEBUG="false", STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="")
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET is required" in result.stderr


def test_valid_settings_start() -> None:
    result = _start_django(DEBUG="false")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def _mail_backend(**overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"EMAIL_HOST", "EMAIL_BACKEND"}}
    environment.pop("SECRET_KEY_FILE", None)
    environment.update(SECRET_KEY="test", **overrides)
    code = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


def test_without_debug_a_mail_server_is_required() -> None:
    refused = _mail_backend(DEBUG="false")
    assert refused.returncode != 0
    assert "EMAIL_HOST is required" in refused.stderr
    assert "EMAIL_BACKEND=console" in refused.stderr  # and it says how to opt out
    smtp = _mail_backend(DEBUG="false", EMAIL_HOST="smtp.example.org")
    assert smtp.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", smtp.stderr
    printed = "django.core.mail.backends.console.EmailBackend"
    assert _mail_backend(DEBUG="true").stdout.strip() == printed
    assert _mail_backend(DEBUG="false", EMAIL_BACKEND="console").stdout.strip() == printed
    no_host = _mail_backend(DEBUG="false", EMAIL_BACKEND="smtp")
    assert "EMAIL_HOST is required" in no_host.stderr
    assert "EMAIL_BACKEND must be one of" in _mail_backend(EMAIL_BACKEND="mailgun").stderr


def test_debug_with_a_public_root_domain_refuses_to_start_naming_both() -> None:
    result = _start_django(DEBUG="true", ROOT_DOMAIN="voices.example.org")
    assert result.returncode != 0
    assert "DEBUG is on while ROOT_DOMAIN=voices.example.org" in result.stderr
    assert "started" not in result.stdout
    local = _start_django(DEBUG="true", ROOT_DOMAIN="townsquare.test")
    assert local.returncode == 0, local.stderr


def test_passwords_given_apart_from_their_urls_are_used() -> None:
    env = Env({"REDIS_URL": "redis://redis:6379/0", "REDIS_PASSWORD": "p@ss/word"})
    assert env.redis_url("REDIS_URL", password=env.optional_string("REDIS_PASSWORD")) == (
        "redis://:p%40ss%2Fword@redis:6379/0"
    )
    socket = Env({"REDIS_URL": "unix:///run/redis.sock?db=2"})
    assert socket.redis_url("REDIS_URL", password="s3cret") == (
        "unix:///run/redis.sock?db=2&password=s3cret"
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['PASSWORD'])"
    )
    environment = dict(os.environ, SECRET_KEY="test", DATABASE_PASSWORD="from-the-secret")
    environment.pop("SECRET_KEY_FILE", None)
    printed = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )
    assert printed.stdout.strip() == "from-the-secret", printed.stderr


def test_dns_servers_are_read_with_their_ports() -> None:
    env = Env({"DNS": "192.0.2.53, 127.0.0.1:5353,[::1]:53", "NONE": ""})
    assert env.nameservers("DNS") == [("192.0.2.53", 53), ("127.0.0.1", 5353), ("::1", 53)]
    assert env.nameservers("NONE") == []
    assert env.nameservers("UNSET") == []


@pytest.mark.parametrize("value", ["dns.example.org", "127.0.0.1:0", "127.0.0.1:x", "[::1"])
def test_a_dns_server_that_is_not_an_address_is_named(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DNS_NAMESERVERS must list"):
        Env({"DNS_NAMESERVERS": value}).nameservers("DNS_NAMESERVERS")
