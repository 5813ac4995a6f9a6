"""Server time of the dialogue page with 5,000 ideas and 50,000 comments (target p50 <= 30 ms).

Runs against its own database (<name>_bench), which it creates, migrates and fills once.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
IDEAS = 5_000
COMMENTS = 50_000
SLUG = "bench-dialogue"
REQUESTS = 200


def _bench_database() -> None:
    """Points DATABASE_URL at <name>_bench, creating that database when missing."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        name = f"{name}_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))


def _fill() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from dialogues.models import Comment, Dialogue, Idea, Tag
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    tenant = Tenant.objects.filter(slug="bench").first() or tenant_create(
        name="Bench", slug="bench"
    )
    call_command("migrate_schemas", "--schema=bench", verbosity=0)
    with tenant_context(tenant):
        if Dialogue.objects.filter(slug=SLUG).exists():
            # Migrations since the fill may have added columns: refresh planner statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            return
        print(f"filling: {IDEAS} ideas, {COMMENTS} comments", flush=True)
        dialogue = Dialogue.objects.create(
            slug=SLUG, title="Bench", question="What would help?", state=Dialogue.State.OPEN
        )
        tags = [Tag.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(8)]
        authors = User.objects.bulk_create(User(username=f"Resident{n}") for n in range(500))
        ideas = Idea.objects.bulk_create(
            Idea(
                dialogue=dialogue,
                author=authors[n % len(authors)],
                title=f"Idea {n} about parks and lighting",
                body="Longer explanation of the idea, the sort of thing residents write. " * 4,
                comment_count=COMMENTS // IDEAS,
                rating_count=n % 7,
                rating_total=(n % 7) * 3,
            )
            for n in range(IDEAS)
        )
        through = Idea.tags.through
        through.objects.bulk_create(
            through(idea_id=idea.pk, tag_id=tags[n % len(tags)].pk) for n, idea in enumerate(ideas)
        )
        for start in range(0, COMMENTS, 10_000):
            Comment.objects.bulk_create(
                Comment(idea=ideas[n % IDEAS], author=authors[n % len(authors)], body="I agree.")
                for n in range(start, start + 10_000)
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _measure(label: str, path: str) -> float:
    from django.test import Client

    client = Client(headers={"host": "bench.localhost"})
    for _ in range(10):
        client.get(path)  # warm caches and connections
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code not in {200, 204}:
            raise SystemExit(f"{label}: the page answered {response.status_code}")
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(f"{label:<42} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({REQUESTS} requests)")
    return p50


def main() -> int:
    _bench_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    import django

    django.setup()
    _fill()
    from django_tenants.utils import tenant_context

    from dialogues.activity import activity_stamp
    from dialogues.models import Dialogue
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(slug="bench")):
        dialogue = Dialogue.objects.get(slug=SLUG)
        stamp = activity_stamp(dialogue_id=dialogue.pk)
    base = f"/dialogues/{SLUG}/"
    print(f"dialogue page, {IDEAS} ideas and {COMMENTS} comments, server time in-process:")
    p50 = _measure("newest (first page)", base)
    _measure("top rated", f"{base}?sort=top_rated")
    _measure("most discussed, page 50", f"{base}?sort=most_discussed&page=50")
    _measure("tag filter", f"{base}?tag=topic-3")
    _measure("full-text search", f"{base}?q=lighting")
    _measure("quiet live poll (204)", f"/live/dialogues/{dialogue.pk}/?stamp={stamp}&after=1")
    target = 30.0
    print(f"target: newest p50 <= {target} ms: {'met' if p50 <= target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
