"""Endpoints for infrastructure that answer on any host, before tenant routing: liveness,
readiness, and the TLS proxy's question of whether a host is ours."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from tenants.models import Domain, Tenant

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
TLS_ASK_PATH = "/tls-allowed"


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


def host_is_served(host: str) -> bool:
    """Whether a certificate for this host may be requested: the root domain, or a host of a
    site that answers (read-only and suspended sites show residents a page too) that is ours
    or that its organisation proved its own. Spares being provisioned have no public host."""
    host = host.strip().lower().rstrip(".")
    if host == settings.ROOT_DOMAIN:
        return True
    try:
        return (
            Domain.objects.filter(domain=host, verified_at__isnull=False)
            .exclude(tenant__status=Tenant.Status.PROVISIONING)
            .exists()
        )
    except DatabaseError:
        connection.close()
        return False


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
        if request.path == TLS_ASK_PATH:
            # Caddy's on-demand TLS asks before issuing a certificate for a new host.
            allowed = host_is_served(request.GET.get("domain", ""))
            return HttpResponse("ok" if allowed else "unknown host", status=200 if allowed else 404)
        return self.get_response(request)
