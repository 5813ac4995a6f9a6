"""A threaded live server on 127.0.0.1 that answers for every tenant's host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test.testcases import LiveServerThread


@dataclass
class LiveServer:
    thread: LiveServerThread

    @property
    def port(self) -> int:
        return int(self.thread.port)

    def url(self, slug: str | None = None, path: str = "/") -> str:
        """The address of the central site (slug None) or a tenant, as a browser would type it."""
        host = settings.ROOT_DOMAIN if slug is None else f"{slug}.{settings.ROOT_DOMAIN}"
        return f"http://{host}:{self.port}{path}"


def _bare_application(wrapped: Any) -> WSGIHandler:
    """Unwraps Django's test media handler: WhiteNoise serves static files and our own
    per-tenant view serves media, exactly as in production."""
    application: WSGIHandler = wrapped.application
    return application


def live_server_start() -> LiveServer:
    thread = LiveServerThread("127.0.0.1", static_handler=cast(Any, _bare_application), port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    return LiveServer(thread)


def live_server_stop(server: LiveServer) -> None:
    server.thread.terminate()
