"""One signed HTTP POST of a delivery, over a connection that refuses private addresses.

The host is resolved and every address checked before connecting; once connected, the
address the socket actually reached is checked again before any byte is sent, so a name
that changes its answer between the two (DNS rebinding) still cannot reach a private host.
Redirects are never followed and at most a few kilobytes of the answer are read.
"""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import urllib3
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from api.webhooks.addresses import BlockedAddressError, address_allowed, host_check, private_allowed

USER_AGENT = "Townsquare-Webhooks/1"
# Receivers answer with a status; anything they write past this is not read.
MAX_ANSWER_BYTES = 4096


class SchemeRefusedError(Exception):
    """Plain http while private addresses (and so unencrypted tests) are not allowed."""


def _guarded(sock: socket.socket, host: str) -> socket.socket:
    peer = sock.getpeername()[0]
    if not address_allowed(str(peer)):
        sock.close()
        raise BlockedAddressError(host)
    return sock


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        host_check(self._dns_host, self.port)
        return _guarded(super()._new_conn(), self._dns_host)


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        host_check(self._dns_host, self.port)
        return _guarded(super()._new_conn(), self._dns_host)


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


@dataclass(frozen=True)
class Answer:
    status: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature_headers(
    *, secrets: list[str], message_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """Standard Webhooks headers; one signature per secret still in use, space-separated."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(
            Webhook(secret).sign(message_id, timestamp, body) for secret in secrets
        ),
    }


def post(*, url: str, secrets: list[str], message_id: str, payload: dict[str, Any]) -> Answer:
    """Sends one attempt; raises on anything short of an HTTP answer (refused address,
    timeout, connection or TLS error)."""
    parts = urllib3.util.parse_url(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and private_allowed()):
        raise SchemeRefusedError
    if parts.host is None:
        raise BlockedAddressError(url)
    body = body_of(payload)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signature_headers(
            secrets=secrets, message_id=message_id, timestamp=timezone.now(), body=body
        ),
    }
    seconds = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    pool_class = _GuardedHTTPSPool if parts.scheme == "https" else _GuardedHTTPPool
    pool = pool_class(
        parts.host,
        parts.port,
        timeout=urllib3.Timeout(connect=seconds, read=seconds),
        retries=False,
        maxsize=1,
        block=False,
    )
    try:
        response = pool.urlopen(
            "POST",
            parts.request_uri,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        # The status decides; an answer cut short after it still counts as answered.
        with contextlib.suppress(urllib3.exceptions.HTTPError, OSError):
            response.read(MAX_ANSWER_BYTES)
        response.close()
        return Answer(status=response.status)
    finally:
        pool.close()
