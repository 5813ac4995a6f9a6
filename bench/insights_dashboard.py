"""Server time of the insights dashboard and report page for a dialogue with 5,000 ideas,
50,000 comments, 20,000 ratings and 500 participants' demographic answers (target p50 <= 100 ms).

Shares the bench tenant and dialogue of bench.dialogue_page, adding ratings and answers once.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from bench.dialogue_page import SLUG, _bench_database, _fill

REQUESTS = 100
RATINGS = 20_000
BOROUGHS = ["Knowsley", "Liverpool", "Sefton", "St Helens", "Wirral", "Halton"]


def _fill_insights() -> None:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import DemographicAnswer, DemographicQuestion, User
    from dialogues.models import Dialogue, Idea, Rating

    dialogue = Dialogue.objects.get(slug=SLUG)
    if Rating.objects.filter(idea__dialogue=dialogue).exists():
        return
    print(f"filling: {RATINGS} ratings, demographic answers", flush=True)
    residents = list(User.objects.filter(role=User.Role.RESIDENT).order_by("pk")[:500])
    ideas = list(Idea.objects.filter(dialogue=dialogue).order_by("pk").values_list("pk", flat=True))
    # Every (idea, resident) pair once: each block of 5,000 shifts the residents by 13.
    Rating.objects.bulk_create(
        Rating(
            idea_id=ideas[n % len(ideas)],
            user=residents[(n + 13 * (n // len(ideas))) % len(residents)],
            stars=1 + n % 5,
        )
        for n in range(RATINGS)
    )
    question = DemographicQuestion.objects.create(
        text="Which borough do you live in?", choices="\n".join(BOROUGHS)
    )
    DemographicAnswer.objects.bulk_create(
        DemographicAnswer(user=user, question=question, answer=BOROUGHS[n % 7 % len(BOROUGHS)])
        for n, user in enumerate(residents)
    )
    User.objects.filter(pk__in=[u.pk for u in residents[::3]]).update(age_band="16_17")
    now = timezone.now()
    Idea.objects.filter(pk__in=ideas[:1500]).update(responded_at=now)
    Idea.objects.filter(pk__in=ideas[-40:]).update(visibility="held", held_at=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _measure(
    client: object, label: str, path: str, before: Callable[[], None] | None = None
) -> float:
    for _ in range(5):
        client.get(path)  # type: ignore[attr-defined]
    times = []
    for _ in range(REQUESTS):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
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
    from django.core.management import call_command
    from django.test import Client

    # Pages link hashed static names, so they need the manifest collectstatic writes.
    call_command("collectstatic", "--noinput", verbosity=0)
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(slug="bench")):
        _fill_insights()
        analyst, _ = User.objects.get_or_create(
            username="BenchAnalyst", defaults={"role": User.Role.ANALYST}
        )
        client = Client(headers={"host": "bench.localhost"})
        client.force_login(analyst)
    from django.core.cache import cache

    from dialogues.models import Dialogue
    from insights.figures import CACHE_KEY

    with tenant_context(Tenant.objects.get(slug="bench")):
        dialogue_id = Dialogue.objects.get(slug=SLUG).pk

    def figures_expired() -> None:
        # As when the minute's cached figures run out: the next view counts everything afresh.
        with tenant_context(Tenant.objects.get(slug="bench")):
            cache.delete(CACHE_KEY.format(dialogue_id))

    print("insights, 5,000 ideas, 50,000 comments, 20,000 ratings, server time in-process:")
    p50 = _measure(client, "dashboard", f"/manage/insights/?dialogue={SLUG}")
    _measure(
        client,
        "dashboard, figures counted afresh",
        f"/manage/insights/?dialogue={SLUG}",
        before=figures_expired,
    )
    _measure(client, "report page (with themes and responses)", f"/manage/insights/{SLUG}/report/")
    target = 100.0
    print(f"target: dashboard p50 <= {target} ms: {'met' if p50 <= target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
