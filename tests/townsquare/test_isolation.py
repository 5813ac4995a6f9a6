"""Nothing of one tenant is reachable from another: data, sessions, cache, media."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import tenant_context

from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import PASSWORD, DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_dialogue_made_in_a_is_invisible_from_b_by_every_route(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="only-in-a", title="Lighting the canal path")
        IdeaFactory.create(dialogue=dialogue, title="Solar lamps by the lock")
    a, b = client_for(tenant_a), client_for(tenant_b)

    assert "Lighting the canal path" in a.get("/").content.decode()
    assert "Solar lamps by the lock" in a.get("/dialogues/only-in-a/").content.decode()
    assert "only-in-a" in a.get("/api/v1/dialogues/").content.decode()

    assert "Lighting the canal path" not in b.get("/").content.decode()
    assert b.get("/dialogues/only-in-a/").status_code == 404
    assert b.get("/api/v1/dialogues/only-in-a/").status_code == 404
    assert "only-in-a" not in b.get("/api/v1/dialogues/").content.decode()
    with tenant_context(tenant_b):
        assert not Dialogue.objects.filter(slug="only-in-a").exists()


def test_the_same_slug_can_exist_in_both_tenants_independently(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="shared-slug", title="Alpha version")
    with tenant_context(tenant_b):
        DialogueFactory.create(slug="shared-slug", title="Beta version")
    assert "Alpha version" in client_for(tenant_a).get("/dialogues/shared-slug/").content.decode()
    assert "Beta version" in client_for(tenant_b).get("/dialogues/shared-slug/").content.decode()


def test_signing_in_on_a_means_nothing_on_b_even_with_the_cookie_replayed(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        UserFactory.create(username="river")
    a = client_for(tenant_a)
    response = a.post("/accounts/login/", {"login": "river", "password": PASSWORD})
    assert response.status_code == 302
    assert "Signed in as river" in a.get("/").content.decode()

    # The test client sends every cookie to every host, unlike a browser: B must still
    # not recognise the session, because it lives in A's schema.
    b = client_for(tenant_b)
    b.cookies = a.cookies
    page_b = b.get("/").content.decode()
    assert "Signed in as" not in page_b
    assert "Sign in" in page_b


def test_an_account_in_a_cannot_sign_in_on_b(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        UserFactory.create(username="willow")
    response = client_for(tenant_a).post(
        "/accounts/login/", {"login": "willow", "password": PASSWORD}
    )
    assert response.status_code == 302
    refused = client_for(tenant_b).post(
        "/accounts/login/", {"login": "willow", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "username and/or password you specified are not correct" in refused.content.decode()


def test_cache_keys_are_scoped_to_the_tenant(tenant_a: Tenant, tenant_b: Tenant) -> None:
    with tenant_context(tenant_a):
        cache.set("dialogue-count", "a-value", 30)
    with tenant_context(tenant_b):
        assert cache.get("dialogue-count") is None
        cache.set("dialogue-count", "b-value", 30)
    with tenant_context(tenant_a):
        assert cache.get("dialogue-count") == "a-value"
        cache.delete("dialogue-count")
    with tenant_context(tenant_b):
        assert cache.get("dialogue-count") == "b-value"
        cache.delete("dialogue-count")


def test_media_is_stored_per_tenant_and_served_only_on_its_host(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        name = default_storage.save("logos/alpha.txt", ContentFile(b"alpha's file"))
        path = default_storage.path(name)
    try:
        assert f"/{tenant_a.schema_name}/logos/" in path
        assert default_storage.url(name) == f"/media/{name}"
        response = client_for(tenant_a).get(f"/media/{name}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"alpha's file"  # type: ignore[attr-defined]
        assert client_for(tenant_b).get(f"/media/{name}").status_code == 404
        escape = f"/media/../{tenant_a.schema_name}/{name}"
        assert client_for(tenant_b).get(escape).status_code == 404
    finally:
        with tenant_context(tenant_a):
            default_storage.delete(name)


def test_csrf_works_on_a_subdomain_without_trusting_other_origins(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        UserFactory.create(username="ash")
    a = client_for(tenant_a, enforce_csrf_checks=True)
    a.get("/accounts/login/")
    token = a.cookies["csrftoken"].value
    form = {"login": "ash", "password": PASSWORD, "csrfmiddlewaretoken": token}

    cross_site = a.post(
        "/accounts/login/", form, headers={"origin": f"http://beta.{settings.ROOT_DOMAIN}"}
    )
    assert cross_site.status_code == 403

    same_site = a.post(
        "/accounts/login/", form, headers={"origin": f"http://alpha.{settings.ROOT_DOMAIN}"}
    )
    assert same_site.status_code == 302
