"""Strict, typed reading of environment variables for the settings module."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Spellings of a rate's period, each read as the unit Django REST framework's throttles take.
_RATE_PERIODS = {
    **dict.fromkeys(("s", "sec", "second"), "second"),
    **dict.fromkeys(("m", "min", "minute"), "minute"),
    **dict.fromkeys(("h", "hour"), "hour"),
    **dict.fromkeys(("d", "day"), "day"),
}


class Env:
    """Reads variables from a mapping; every bad value names its variable."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source = os.environ if source is None else source

    def _raw(self, name: str) -> str | None:
        file_name = f"{name}_FILE"
        if file_name in self.source:
            path = Path(self.source[file_name])
            try:
                return path.read_text().strip()
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"{file_name}: cannot read {path}: {exc.strerror}"
                ) from exc
        return self.source.get(name)

    def string(self, name: str, default: str | None = None) -> str:
        value = self._raw(name)
        if value is None or value == "":
            if default is None:
                raise ImproperlyConfigured(f"{name} is required but not set")
            return default
        return value

    def optional_string(self, name: str) -> str | None:
        value = self._raw(name)
        return value or None

    def boolean(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name} must be true or false (1/0, yes/no, on/off), got {value!r}"
        )

    def _converted(self, name: str, convert: Callable[[str], T], kind: str) -> T | None:
        value = self._raw(name)
        if value is None or value.strip() == "":
            return None
        try:
            return convert(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be {kind}, got {value!r}") from None

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        number = self._converted(name, int, "a whole number")
        if number is None:
            return default
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
        return number

    def number(self, name: str, default: float, *, low: float, high: float) -> float:
        number = self._converted(name, float, "a number")
        if number is None:
            return default
        if not low <= number <= high:
            raise ImproperlyConfigured(f"{name} must be between {low} and {high}, got {number}")
        return number

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
        return value

    def database(self, name: str) -> dict[str, Any]:
        url = self.string(name)
        if not url.startswith(("postgres://", "postgresql://")):
            raise ImproperlyConfigured(f"{name} must be a postgres:// or postgresql:// URL")
        try:
            config: dict[str, Any] = environ.Env.db_url_config(url)
        except Exception as exc:
            raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} must name a database (…/dbname)")
        return config

    def redis_url(self, name: str, *, password: str | None = None) -> str:
        """A Redis URL; a password given apart (from a secret file) is put into it."""
        url = self.string(name)
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ImproperlyConfigured(f"{name} must be a redis://, rediss:// or unix:// URL")
        if password:
            parts = urlsplit(url)
            if parts.scheme == "unix":
                # (urlunsplit would drop the empty host of unix:///path.)
                return f"{url}{'&' if parts.query else '?'}password={quote(password, safe='')}"
            user = parts.username or ""
            host = parts.netloc.rpartition("@")[2]
            netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
            return urlunsplit(parts._replace(netloc=netloc))
        return url

    def url(self, name: str, default: str) -> str:
        """An http(s) address without a trailing slash, such as https://api.stripe.com."""
        value = self.string(name, default).strip().rstrip("/")
        scheme, _, rest = value.partition("://")
        if scheme not in {"http", "https"} or not rest or any(c.isspace() for c in rest):
            raise ImproperlyConfigured(f"{name} must be an http:// or https:// URL, got {value!r}")
        return value

    def hostname(self, name: str, default: str) -> str:
        value = self.string(name, default).strip().lower().rstrip(".")
        labels = value.split(".")
        if not all(
            label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels
        ):
            raise ImproperlyConfigured(
                f"{name} must be a bare host name such as example.org, got {value!r}"
            )
        return value

    def nameservers(self, name: str) -> list[tuple[str, int]]:
        """'address[:port],…' of DNS servers (IPv6 in brackets); empty when unset."""
        servers: list[tuple[str, int]] = []
        for item in (part.strip() for part in self.string(name, "").split(",")):
            if not item:
                continue
            address, port = item, "53"
            if item.startswith("["):
                address, bracket, rest = item[1:].partition("]")
                port = rest.removeprefix(":") or "53"
                if not bracket or (rest and not rest.startswith(":")):
                    address = ""
            elif item.count(":") == 1:
                address, port = item.split(":")
            try:
                ipaddress.ip_address(address)
                number = int(port)
            except ValueError:
                number = 0
            if not 0 < number < 65536:
                raise ImproperlyConfigured(
                    f"{name} must list DNS server addresses such as 192.0.2.53 or "
                    f"127.0.0.1:5353, got {item!r}"
                )
            servers.append((address, number))
        return servers

    def rate(self, name: str, default: str) -> str:
        """A request rate such as 60/minute: a count per second, minute, hour or day."""
        value = self.string(name, default).strip().lower()
        count, _, period = value.partition("/")
        if not (count.isdigit() and int(count) > 0 and period in _RATE_PERIODS):
            raise ImproperlyConfigured(
                f"{name} must be a count per period such as 60/minute "
                f"(second, minute, hour or day), got {value!r}"
            )
        return f"{int(count)}/{_RATE_PERIODS[period]}"

    def mapping(self, name: str, *, choices: tuple[str, ...]) -> dict[str, str]:
        """'key:value,key:value' with every value one of choices; empty when unset."""
        result: dict[str, str] = {}
        for item in self.string(name, "").split(","):
            if not item.strip():
                continue
            key, _, value = item.strip().partition(":")
            if not key or value not in choices:
                raise ImproperlyConfigured(
                    f"{name} must be key:value pairs with values {', '.join(choices)}, got {item!r}"
                )
            result[key] = value
        return result
