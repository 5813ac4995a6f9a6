"""Sentry set-up: off until SENTRY_DSN is set, never sends personal data, tags the tenant."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

# Headers that say nothing about who the visitor is; everything else is dropped.
_SAFE_HEADERS = {"host", "content-type", "accept", "x-request-id"}


def current_schema() -> str:
    """The schema the current thread's database connection points at."""
    from django.db import connection

    return str(getattr(connection, "schema_name", "") or "unknown")


def scrub_event(event: Event, hint: Hint | None = None) -> Event | None:
    """Drops request bodies, cookies, query strings, addresses and users; adds the tenant tag."""
    request: dict[str, Any] = event.get("request") or {}
    if request:
        for key in ("data", "cookies", "env", "query_string"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in _SAFE_HEADERS}
        if "url" in request:
            request["url"] = str(request["url"]).split("?", 1)[0]
        event["request"] = request
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if "id" in user else {}
    tags = dict(event.get("tags") or {})
    tags["tenant"] = current_schema()
    event["tags"] = tags
    return event


def sentry_init(*, dsn: str | None, environment: str, traces_sample_rate: float) -> bool:
    """Starts the SDK when a DSN is configured; returns whether it did."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # sentry-sdk 2.7x replaces send_default_pii (left at its default, off) with
        # data_collection; collect nothing that could identify a resident.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(_SAFE_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "gen_ai": {"inputs": False, "outputs": False},
            "stack_frame_variables": False,
        },
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    return True
