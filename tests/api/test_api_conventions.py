"""The API's conventions: cursor pages, one error format for every 4xx, ETags, throttles,
and bad input that changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django.fixtures import Settings

from accounts.models import User
from dialogues.models import Dialogue, Idea, Tag
from tenants.models import Tenant
from tests.api.conftest import ApiClient, host_of
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

Api = Callable[..., ApiClient]
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


@pytest.fixture
def alpha(tenant_a: Tenant) -> Iterator[Tenant]:
    with tenant_context(tenant_a):
        yield tenant_a


@pytest.fixture
def many_ideas(alpha: Tenant) -> Dialogue:
    dialogue = DialogueFactory.create(slug="api-pages")
    start = timezone.now() - timedelta(days=1)
    # One author: each made user costs a full-strength password hash.
    author = UserFactory.create(username="PagesAuthor")
    for n in range(45):
        idea = IdeaFactory.create(dialogue=dialogue, title=f"Idea {n:02d}", author=author)
        # Ties on every sort key but the id: pages must still neither skip nor repeat.
        Idea.objects.filter(pk=idea.pk).update(
            created_at=start + timedelta(minutes=n // 3),
            comment_count=n % 4,
            rating_count=n % 3,
            rating_total=(n % 3) * (n % 5 + 1),
        )
    return dialogue


def _walk(client: ApiClient, url: str) -> list[int]:
    seen: list[int] = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        body = page.json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
    return seen


@pytest.mark.parametrize("sort", ["newest", "top_rated", "most_discussed", "responded"])
def test_cursor_pages_cover_every_idea_once_in_the_sites_order(
    api_for: Api, alpha: Tenant, many_ideas: Dialogue, sort: str
) -> None:
    from dialogues.selectors import idea_list

    client = api_for(alpha)
    seen = _walk(client, f"/api/v1/dialogues/api-pages/ideas/?sort={sort}&page_size=7")
    assert len(seen) == len(set(seen)) == 45
    # The site's own order, which breaks ties by nothing; ours by id. Compared by the sort
    # key the site uses, the two orders are the same.
    site_order = list(idea_list(dialogue=many_ideas, sort=sort))
    ideas = {idea.pk: idea for idea in site_order}

    def key(pk: int) -> tuple[float, ...]:
        idea = ideas[pk]
        created = idea.created_at.timestamp()
        if sort == "top_rated":
            return (idea.rating_average or -1, idea.rating_count, created)
        if sort == "most_discussed":
            return (idea.comment_count, created)
        if sort == "responded":
            return (idea.responded_at.timestamp() if idea.responded_at else 0, created)
        return (created,)

    assert [key(pk) for pk in seen] == [key(idea.pk) for idea in site_order]


def test_previous_links_walk_back_over_the_same_pages(
    api_for: Api, alpha: Tenant, many_ideas: Dialogue
) -> None:
    client = api_for(alpha)
    first = client.get("/api/v1/dialogues/api-pages/ideas/?page_size=10").json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert first["previous"] is None
    assert [i["id"] for i in back["results"]] == [i["id"] for i in first["results"]]


def test_a_new_idea_does_not_shift_the_next_page(
    api_for: Api, alpha: Tenant, many_ideas: Dialogue
) -> None:
    client = api_for(alpha)
    first = client.get("/api/v1/dialogues/api-pages/ideas/?page_size=10").json()
    expected = [i["id"] for i in client.get(first["next"]).json()["results"]]
    IdeaFactory.create(dialogue=many_ideas, title="Arrived meanwhile")
    assert [i["id"] for i in client.get(first["next"]).json()["results"]] == expected


@pytest.mark.parametrize(
    "query",
    ["cursor=garbage", "cursor=", "page_size=0", "page_size=101", "page_size=ten", "page_size=٣"],
)
def test_bad_cursors_and_page_sizes_are_a_400_problem(
    api_for: Api, alpha: Tenant, many_ideas: Dialogue, query: str
) -> None:
    response = api_for(alpha).get(f"/api/v1/dialogues/api-pages/ideas/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) >= PROBLEM_KEYS


def test_a_cursor_from_another_sort_or_another_site_is_refused(
    api_for: Api, alpha: Tenant, tenant_b: Tenant, many_ideas: Dialogue
) -> None:
    client = api_for(alpha)
    page = client.get("/api/v1/dialogues/api-pages/ideas/?page_size=5").json()
    cursor = page["next"].split("cursor=")[1]
    other_sort = client.get(f"/api/v1/dialogues/api-pages/ideas/?sort=top_rated&cursor={cursor}")
    assert other_sort.status_code == 400
    assert other_sort.json()["code"] == "invalid_cursor"
    on_b = ApiClient(headers={"host": host_of(tenant_b)}).get(
        f"/api/v1/dialogues/beta-buses/ideas/?cursor={cursor}"
    )
    assert on_b.status_code == 400


def test_detail_reads_carry_an_etag_and_answer_304_when_unchanged(
    api_for: Api, alpha: Tenant, many_ideas: Dialogue
) -> None:
    idea = many_ideas.ideas.first()
    assert idea is not None
    client = api_for(alpha)
    first = client.get(f"/api/v1/ideas/{idea.pk}/")
    etag = first["ETag"]
    assert "Authorization" in first["Vary"]
    again = client.get(f"/api/v1/ideas/{idea.pk}/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    Idea.objects.filter(pk=idea.pk).update(title="Changed")
    changed = client.get(f"/api/v1/ideas/{idea.pk}/", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    for path in ("/api/v1/dialogues/api-pages/", "/api/v1/me/"):
        user_client = api_for(alpha, UserFactory.create())
        assert user_client.get(path).has_header("ETag"), path


# Bad input: always a 4xx problem, never a 500, and nothing changes.


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('["a list"]', "application/json", 400),
        ('{"title": 5, "body": ["x"]}', "application/json", 400),
        ('{"title": "T", "body": "B", "colour": "red"}', "application/json", 400),
        ('{"title": "T", "body": "B", "tags": "lighting"}', "application/json", 400),
        ('{"title": "T", "body": "B", "submission_key": "not-a-uuid"}', "application/json", 400),
        ('{"title": "T\\u0000", "body": "B"}', "application/json", 400),
        ('{"title": "' + "x" * 151 + '", "body": "B"}', "application/json", 400),
        ("title=T&body=B", "application/x-www-form-urlencoded", 415),
        ('{"title": "T", "body": "' + "x" * 70000 + '"}', "application/json", 413),
    ],
)
def test_bad_bodies_get_a_problem_and_post_nothing(
    api_for: Api, alpha: Tenant, body: str, content_type: str, status: int
) -> None:
    DialogueFactory.create(slug="api-bad-input")
    resident = UserFactory.create(username="BadInput")
    response = api_for(alpha, resident).generic(
        "POST", "/api/v1/dialogues/api-bad-input/ideas/", body, content_type=content_type
    )
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) >= PROBLEM_KEYS
    assert not Idea.objects.filter(author=resident).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-thing/",
        "/api/v1/ideas/99999999999999999999999/",
        "/api/v1/ideas/abc/",
        "/api/v1/dialogues/" + "s" * 200 + "/",
    ],
)
def test_unknown_addresses_are_a_404_problem(api_for: Api, alpha: Tenant, path: str) -> None:
    response = api_for(alpha).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_method_the_address_does_not_take_is_a_405_problem(api_for: Api, alpha: Tenant) -> None:
    resident = UserFactory.create()
    response = api_for(alpha, resident).delete("/api/v1/dialogues/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# Throttles


@pytest.fixture
def api_rates(settings: Settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "8/minute", "token": "4/minute"},
    }


@pytest.mark.usefixtures("api_rates")
def test_each_token_has_its_own_allowance_within_its_owners(api_for: Api, alpha: Tenant) -> None:
    owner = UserFactory.create(username="TwoTokens")
    first, second = api_for(alpha, owner), api_for(alpha, owner)
    statuses = [first.get("/api/v1/me/").status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    limited = first.get("/api/v1/me/")
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited.json()["code"] == "throttled"
    assert limited.json()["retry_after"] == int(limited["Retry-After"])
    # The owner's own allowance (8) is shared by both tokens, and every request counts
    # against it: 6 made, 2 left for the second token.
    assert [second.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]


def test_the_sites_posting_limit_holds_through_the_api_too(
    api_for: Api, client_as: Callable[..., object], alpha: Tenant
) -> None:
    DialogueFactory.create(slug="api-limit")
    resident = UserFactory.create(username="Prolific")
    client = api_for(alpha, resident)
    statuses = [
        client.post(
            "/api/v1/dialogues/api-limit/ideas/", {"title": f"T{n}", "body": "B"}
        ).status_code
        for n in range(6)
    ]
    assert statuses == [201] * 5 + [429]
    assert Idea.objects.filter(author=resident).count() == 5


def test_a_read_only_site_takes_reports_but_not_posts(
    api_for: Api, alpha: Tenant, tenant_a: Tenant
) -> None:
    dialogue = DialogueFactory.create(slug="api-read-only")
    idea = IdeaFactory.create(dialogue=dialogue)
    resident = UserFactory.create(username="ReadOnlyResident")
    staff = UserFactory.create(role=User.Role.ADMIN)
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.READ_ONLY)
    try:
        client = api_for(alpha, resident)
        refused = client.post("/api/v1/dialogues/api-read-only/ideas/", {"title": "T", "body": "B"})
        assert refused.status_code == 403
        assert "Posting is paused" in refused.json()["detail"]
        report = client.post("/api/v1/reports/", {"kind": "idea", "id": idea.pk, "reason": "spam"})
        assert report.status_code == 201
        answered = api_for(alpha, staff).post(f"/api/v1/ideas/{idea.pk}/responses/", {"body": "Hi"})
        assert answered.status_code == 201
    finally:
        Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.ACTIVE)


def test_the_ideas_list_costs_the_same_queries_however_many_ideas(
    api_for: Api, alpha: Tenant
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_for(alpha)
    counts = []
    for size, slug in ((3, "api-few"), (40, "api-many")):
        dialogue = DialogueFactory.create(slug=slug)
        topic = Tag.objects.create(name=f"Topic of {slug}", slug=f"topic-{slug}")
        author = UserFactory.create()
        for _ in range(size):
            IdeaFactory.create(dialogue=dialogue, author=author).tags.add(topic)
        client.get(f"/api/v1/dialogues/{slug}/ideas/")  # warm the host lookup
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/dialogues/{slug}/ideas/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5


def test_a_suspended_site_and_an_unknown_one_answer_the_api_in_its_format(
    alpha: Tenant, tenant_a: Tenant
) -> None:
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.SUSPENDED)
    suspended = ApiClient(headers={"host": host_of(tenant_a)}).get("/api/v1/dialogues/")
    assert suspended.status_code == 503
    assert suspended["Retry-After"] == "3600"
    assert suspended.json()["code"] == "site_unavailable"
    unknown = ApiClient(headers={"host": "nobody.localhost"}).get("/api/v1/dialogues/")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "no_site"
