"""The ideas API over HTTP to gunicorn: a dialogue with 5,000 ideas, 20 a page (targets: p50
<= 30 ms, and at least half the requests per second of a bare DRF view in the same server).

The bare DRF view the ratio is taken against lists the same 20 ideas with a plain
ModelSerializer and page numbers, and checks nothing; a view answering a constant is shown
too, but no view that reads the database can be within 2x of one that does not.

Uses the dialogue bench's database and fill (bench/dialogue_page.py). The load comes from
threads in this process on the same two cores as the server, so the rates are a floor.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.billing_webhooks import WEB_CONCURRENCY, WEB_THREADS, _free_port, _machine, _stop
from bench.billing_webhooks import _server as gunicorn_start
from bench.dialogue_page import SLUG, _bench_database, _fill

ROOT = Path(__file__).resolve().parents[1]
HOST = "bench.localhost"
SEQUENTIAL = 300
LOAD_SECONDS = 10.0
CLIENTS = 4
IDEAS_PATH = f"/api/v1/dialogues/{SLUG}/ideas/"
BARE_IDEAS = f"/bench/bare-ideas/{SLUG}/"


def _server(port: int, log: Path) -> subprocess.Popen[bytes]:
    environment = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.api_settings",
        # The limits would stop a benchmark after a minute's allowance; they are still
        # counted on every request, as in production.
        API_ANON_RATE="100000000/minute",
        LOG_LEVEL="WARNING",
    )
    return gunicorn_start(environment, port, log)


def _get(connection: http.client.HTTPConnection, path: str) -> dict[str, object]:
    connection.request("GET", path, headers={"Host": HOST, "Accept": "application/json"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}: {body[:300]!r}")
    parsed: dict[str, object] = json.loads(body)
    return parsed


def _latency(port: int, label: str, paths: list[str]) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths[:10]:
        _get(connection, path)  # warm the server's caches and connections
    times = []
    for n in range(SEQUENTIAL):
        started = time.perf_counter()
        _get(connection, paths[n % len(paths)])
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(f"{label:<46} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({SEQUENTIAL} requests)")
    return p50


def _throughput(port: int, path: str) -> float:
    done = [0] * CLIENTS
    stop = time.monotonic() + LOAD_SECONDS

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            _get(connection, path)
            done[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def _cursor_paths(port: int, sort: str, pages: int) -> list[str]:
    """Cursor links deep into the list, as a client walking it would follow them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    url = f"{IDEAS_PATH}?sort={sort}"
    paths = []
    for _ in range(pages):
        body = _get(connection, url)
        following = body["next"]
        if not isinstance(following, str):
            break
        url = following.split(HOST, 1)[1]
        paths.append(url)
    connection.close()
    return paths


def main() -> int:
    _bench_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    import django

    django.setup()
    _fill()
    from tenants.models import Tenant

    # The API is sold from the Community plan up.
    Tenant.objects.filter(slug="bench").update(plan="partnership")
    log = Path(os.environ.get("DATA_DIR", ROOT / ".data")) / "bench-api-gunicorn.log"
    port = _free_port()
    server = _server(port, log)
    try:
        print(
            f"ideas API, 5,000 ideas, 20 a page, over HTTP to gunicorn "
            f"({WEB_CONCURRENCY}x{WEB_THREADS} threads) on {_machine()}:"
        )
        p50 = _latency(port, "newest, first page", [IDEAS_PATH])
        _latency(port, "top rated, first page", [f"{IDEAS_PATH}?sort=top_rated"])
        deep = _cursor_paths(port, "most_discussed", 50)
        _latency(port, "most discussed, pages 2-50 by cursor", deep)
        _latency(port, "tag filter", [f"{IDEAS_PATH}?tag=topic-3"])
        _latency(port, "full-text search", [f"{IDEAS_PATH}?q=lighting"])
        _latency(port, "bare DRF list of the same ideas", [BARE_IDEAS])
        _latency(port, "bare DRF view answering a constant", ["/bench/bare/"])
        ideas_rate = _throughput(port, IDEAS_PATH)
        bare_rate = _throughput(port, BARE_IDEAS)
        constant_rate = _throughput(port, "/bench/bare/")
        ratio = ideas_rate / bare_rate
        print(
            f"throughput, {CLIENTS} keep-alive clients for {LOAD_SECONDS:.0f} s each: ideas API "
            f"{ideas_rate:,.0f} req/s; bare DRF list of the same ideas {bare_rate:,.0f} req/s "
            f"({ratio:.2f}x); bare DRF constant {constant_rate:,.0f} req/s"
        )
        print(
            f"target: newest p50 <= 30 ms: {'met' if p50 <= 30 else 'NOT met'}; "
            f"ideas >= 0.5x bare: {'met' if ratio >= 0.5 else 'NOT met'}"
        )
    finally:
        _stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
