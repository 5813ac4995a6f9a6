"""Exporting the comments of a dialogue with 50,000 comments, as CSV and as XLSX, through the
real view (target: each <= 5 s, peak memory growth <= 50 MB).

Uses the dialogue bench's database (<name>_bench, filled once by bench.dialogue_page's fill).
Each export runs in a fresh process, which first makes a small export (so imports, the
database connection and the template are warm), then times the big one from the request to
the last byte of the stream. Memory is the process's resident-set high-water mark
(getrusage ru_maxrss) after the export minus before it: what the export added at its peak.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

from bench.dialogue_page import COMMENTS, SLUG, _bench_database, _fill

RUNS = 3
ANALYST = "BenchAnalyst"
TARGET_SECONDS = 5.0
TARGET_GROWTH_MB = 50.0


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    import django

    django.setup()


def _prepare() -> str:
    """The bench site on a plan with XLSX exports and an analyst; returns the plan it had."""
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from billing.plans import PARTNERSHIP
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug="bench")
    before = tenant.plan
    Tenant.objects.filter(pk=tenant.pk).update(plan=PARTNERSHIP.key)
    with tenant_context(tenant):
        User.objects.get_or_create(username=ANALYST, defaults={"role": User.Role.ANALYST})
    return str(before)


def _restore(plan: str) -> None:
    from tenants.models import Tenant

    Tenant.objects.filter(slug="bench").update(plan=plan)


def measure(file_format: str) -> dict[str, float]:
    """In this (fresh) process: one export of the comments, timed, with its memory growth."""
    _setup()
    from django.test import Client
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from tenants.models import Tenant

    client = Client(headers={"host": "bench.localhost"})
    with tenant_context(Tenant.objects.get(slug="bench")):
        # Signing in writes the session and last login in the site's own schema.
        client.force_login(User.objects.get(username=ANALYST))

    def export(dataset: str) -> int:
        response = client.post(
            "/manage/insights/exports/",
            {"dialogue": SLUG, "dataset": dataset, "file_format": file_format},
        )
        if response.status_code != 200:
            raise SystemExit(f"the export answered {response.status_code}")
        size = 0
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            size += len(chunk)
        response.close()
        return size

    export("tags")  # warm: imports, connection, session, template-free paths
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    size = export("comments")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports ru_maxrss in kilobytes.
    return {"seconds": seconds, "growth_mb": (after - before) / 1024, "size_mb": size / 1e6}


def _run_fresh(file_format: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.insights_export", "--measure", file_format],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if out.returncode:
        raise SystemExit(f"the {file_format} export failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(sys.argv[2])))
        return 0
    _bench_database()
    _setup()
    _fill()
    plan = _prepare()
    print(
        f"export of a dialogue's {COMMENTS:,} comments through the view, stream consumed, "
        f"fresh process each ({RUNS} runs):"
    )
    met = True
    try:
        for file_format in ("csv", "xlsx"):
            runs = [_run_fresh(file_format) for _ in range(RUNS)]
            seconds = statistics.median(run["seconds"] for run in runs)
            growth = max(run["growth_mb"] for run in runs)
            size = runs[0]["size_mb"]
            ok = seconds <= TARGET_SECONDS and growth <= TARGET_GROWTH_MB
            met = met and ok
            print(
                f"{file_format.upper():<5} {size:6.1f} MB file   median {seconds:5.2f} s "
                f"(max {max(run['seconds'] for run in runs):5.2f} s)   peak RSS growth "
                f"{growth:5.1f} MB (max of runs)   {'met' if ok else 'NOT met'}"
            )
    finally:
        _restore(plan)
    print(
        f"targets: <= {TARGET_SECONDS} s and <= {TARGET_GROWTH_MB} MB growth each: "
        f"{'met' if met else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
