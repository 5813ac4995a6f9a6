"""A local HTTP endpoint that receives what sentry-sdk really sends, for assertions."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli


@dataclass
class SentryEndpoint:
    server: ThreadingHTTPServer
    envelopes: list[bytes] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://publickey@{host!s}:{port}/42"

    def events(self) -> list[dict[str, Any]]:
        """Error events (not transactions or sessions) found in the received envelopes."""
        found = []
        for raw in self.envelopes:
            lines = raw.split(b"\n")
            for header_line, payload in zip(lines[1::2], lines[2::2], strict=False):
                if not header_line.strip():
                    continue
                item_header = json.loads(header_line)
                if item_header.get("type") == "event":
                    found.append(json.loads(payload))
        return found

    def raw(self) -> bytes:
        return b"\n".join(self.envelopes)


def sentry_endpoint_start() -> SentryEndpoint:
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                # sentry-sdk compresses with brotli whenever the module is installed
                # (WeasyPrint's font handling brings it).
                body = brotli.decompress(body)
            elif encoding:
                raise ValueError(f"unexpected encoding {encoding}")
            received.append(body)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return SentryEndpoint(server, received)
