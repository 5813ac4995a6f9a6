"""Nothing of one site is reachable through another site's API: every address that names an
object, given another site's ids, is a 404, whoever asks and however."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver
from django_tenants.utils import tenant_context

from accounts.models import User
from api import urls
from dialogues.models import Comment, Idea
from notifications.models import Follow
from tenants.models import Tenant
from tests.api.conftest import ApiClient
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def _routes(patterns: list[Any], prefix: str = "/api/") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def test_every_detail_address_with_another_sites_ids_is_a_404(
    tenant_a: Tenant, tenant_b: Tenant, api_for: Callable[..., ApiClient]
) -> None:
    with tenant_context(tenant_b):
        b_owner = UserFactory.create(username="OwnsOnBeta", role=User.Role.ADMIN)
        dialogue = DialogueFactory.create(slug="only-on-beta")
        idea = IdeaFactory.create(dialogue=dialogue, author=b_owner)
        comment = CommentFactory.create(idea=idea, author=b_owner)
        follow = Follow.objects.create(user=b_owner, idea=idea)
        ids = {
            "slug": dialogue.slug,
            "idea_id": idea.pk,
            "comment_id": comment.pk,
            "follow_id": follow.pk,
        }
    with tenant_context(tenant_a):
        # Ids on alpha that happen to match beta's must not exist, or a 200 would be alpha's.
        Idea.objects.filter(pk=idea.pk).delete()
        Comment.objects.filter(pk=comment.pk).delete()
        Follow.objects.filter(pk=follow.pk).delete()
        a_admin = UserFactory.create(username="AdminOnAlpha", role=User.Role.ADMIN)
    detail_routes = [route for route in _routes(urls.urlpatterns) if "<" in route]
    assert len(detail_routes) >= 10
    callers = {"anonymous": api_for(tenant_a), "admin": api_for(tenant_a, a_admin)}
    answered: list[tuple[str, str, str, int]] = []
    for route in detail_routes:
        path = re.sub(r"<\w+:(\w+)>", lambda m: str(ids[m.group(1)]), route)
        for who, client in callers.items():
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(path, {})
                if response.status_code in {401, 405}:
                    continue  # anonymous callers are asked to sign in before any lookup
                answered.append((path, who, method, response.status_code))
    wrong = [entry for entry in answered if entry[3] != 404]
    assert wrong == []
    assert len(answered) >= len(detail_routes)
    with tenant_context(tenant_b):
        assert Idea.objects.get(pk=idea.pk).title == idea.title
        assert Comment.objects.filter(pk=comment.pk).exists()
        assert Follow.objects.filter(pk=follow.pk).exists()


def test_lists_show_only_the_sites_own_content(
    tenant_a: Tenant, tenant_b: Tenant, api_for: Callable[..., ApiClient]
) -> None:
    on_a = api_for(tenant_a).get("/api/v1/dialogues/alpha-parks/ideas/").json()["results"]
    assert [idea["title"] for idea in on_a] == ["Idea only alpha has"]
    assert api_for(tenant_a).get("/api/v1/dialogues/beta-buses/ideas/").status_code == 404
    with tenant_context(tenant_a):
        resident = UserFactory.create(username="ListsAlpha")
    followed = api_for(tenant_a, resident).post("/api/v1/follows/", {"dialogue": "beta-buses"})
    assert followed.status_code == 400
