"""Abuse limits: fast posting is paused with a clear message, per tenant; bots meet a honeypot."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Comment, Idea
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

PASSWORD = "a-long-memorable-passphrase"


def _signed_in(client_for: Callable[..., Client], tenant: Tenant, address: str) -> Client:
    client = client_for(tenant, REMOTE_ADDR=address)
    with tenant_context(tenant):
        client.force_login(UserFactory.create())
    return client


def test_a_sixth_idea_in_ten_minutes_is_refused_and_not_saved(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="fast")
    client = _signed_in(client_for, tenant_a, "198.51.100.7")
    for n in range(5):
        form = {"title": f"Idea {n}", "body": "B", "submission_key": str(uuid.uuid4())}
        assert client.post("/dialogues/fast/ideas/new/", form).status_code == 302
    refused = client.post(
        "/dialogues/fast/ideas/new/",
        {"title": "One too many", "body": "B", "submission_key": str(uuid.uuid4())},
    )
    assert refused.status_code == 429
    assert "Please slow down" in refused.content.decode()
    assert "Nothing you sent just now was saved" in refused.content.decode()
    with tenant_context(tenant_a):
        assert Idea.objects.filter(dialogue=dialogue).count() == 5


def test_limits_are_per_address_too_and_do_not_cross_tenants(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea_a = IdeaFactory.create()
    with tenant_context(tenant_b):
        idea_b = IdeaFactory.create()
    address = "203.0.113.9"
    statuses = []
    client = _signed_in(client_for, tenant_a, address)
    for n in range(91):  # 90 comments an hour from one address, across many accounts
        if n % 10 == 0:
            client = _signed_in(client_for, tenant_a, address)
        response = client.post(f"{idea_a.get_absolute_url()}comments/", {"body": f"c{n}"})
        statuses.append(response.status_code)
    assert statuses.count(429) >= 1
    with tenant_context(tenant_a):
        assert Comment.objects.filter(idea=idea_a).count() == 90
    other_tenant = _signed_in(client_for, tenant_b, address)
    response = other_tenant.post(f"{idea_b.get_absolute_url()}comments/", {"body": "fresh"})
    assert response.status_code == 302


def test_the_sign_up_honeypot_stops_bots_and_creates_nothing(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    form = {
        "username": "BotBadger77",
        "email": "bot@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "website": "http://spam.example",
    }
    response = client_for(tenant_a).post("/accounts/signup/", form)
    assert response.status_code == 200
    assert "Something went wrong" in response.content.decode()
    with tenant_context(tenant_a):
        assert not User.objects.filter(username="BotBadger77").exists()
    page = client_for(tenant_a).get("/accounts/signup/").content.decode()
    assert 'class="visually-hidden" aria-hidden="true"' in page


def test_twelve_comments_in_five_minutes_are_accepted_and_the_thirteenth_refused(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
    client = _signed_in(client_for, tenant_a, "198.51.100.12")
    url = f"{idea.get_absolute_url()}comments/"
    # Refused forms save nothing, so they do not use up the allowance.
    assert client.post(url, {"body": "   "}).status_code == 400
    assert client.post(url, {"body": "x" * 3001}).status_code == 400
    statuses = [client.post(url, {"body": f"Comment {n}"}).status_code for n in range(1, 13)]
    assert statuses == [302] * 12
    refused = client.post(url, {"body": "Comment 13"})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Please slow down" in page
    assert "Nothing you sent just now was saved" in page
    with tenant_context(tenant_a):
        assert Comment.objects.filter(idea=idea).count() == 12


def test_wrong_join_codes_use_up_the_allowance_so_codes_cannot_be_guessed(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    guesser = client_for(tenant_a, REMOTE_ADDR="198.51.100.77")
    statuses = {
        guesser.post(
            "/join/",
            {
                "code": f"GUES-{n:04d}",
                "username": f"Guesser{n}",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        ).status_code
        for n in range(20)
    }
    assert statuses == {400}
    refused = guesser.post(
        "/join/",
        {
            "code": "GUES-9999",
            "username": "Guesser99",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert refused.status_code == 429
    assert "Please slow down" in refused.content.decode()
