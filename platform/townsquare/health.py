"""Liveness and readiness endpoints that answer on any host, before tenant routing."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        # A broken connection must not be reused by the next request on this thread.
        connection.close()
        return False


@lru_cache(maxsize=4)
def _broker_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def broker_ready() -> bool:
    try:
        return bool(_broker_client(settings.REDIS_URL).ping())
    except (redis.RedisError, OSError):
        return False


def readiness() -> dict[str, str]:
    return {
        "database": "ok" if database_ready() else "unavailable",
        "broker": "ok" if broker_ready() else "unavailable",
    }


class HealthCheckMiddleware:
    """Answers probes first, so an unknown host or a down database never hides them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVENESS_PATH:
            return JsonResponse({"status": "ok"})
        if request.path == READINESS_PATH:
            checks = readiness()
            ready = all(value == "ok" for value in checks.values())
            failed = [name for name, value in checks.items() if value != "ok"]
            body = {"status": "ok" if ready else "unavailable", "checks": checks, "failed": failed}
            return JsonResponse(body, status=200 if ready else 503)
        return self.get_response(request)
