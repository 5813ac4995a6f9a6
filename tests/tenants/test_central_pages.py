"""The central site's public pages; pricing comes from the plan catalogue itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from billing.plans import PLANS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Conversation, not consultation"),
        ("/pricing/", "Plans and pricing"),
        ("/customers/merseyside/", "Merseyside Violence Reduction Partnership"),
        ("/privacy/", "Privacy notice"),
    ],
)
def test_public_pages(client_for: Callable[..., Client], path: str, heading: str) -> None:
    page = client_for(None).get(path).content.decode()
    assert f"<h1>{heading}</h1>" in page


def test_pricing_lists_every_plan_with_its_price_and_entitlements(
    client_for: Callable[..., Client],
) -> None:
    page = client_for(None).get("/pricing/").content.decode()
    for plan in PLANS:
        assert plan.name in page
        assert plan.price_text in page
    assert "£99 a month" in page
    assert "Unlimited open dialogues" in page
    assert page.count("REST API") == sum(plan.api_access for plan in PLANS)
