"""Join codes for youth work: a username and password only, pre-moderated, limited."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import InviteCode, User
from dialogues.services import idea_create
from moderation.models import Visibility
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-memorable-passphrase"


def _join(client: Client, code: str, username: str) -> str:
    form = {"code": code, "username": username, "password1": PASSWORD, "password2": PASSWORD}
    response = client.post("/join/", form, follow=True)
    return response.content.decode()


def test_a_youth_worker_issues_a_code_and_young_people_join_without_email(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    worker = client_for(tenant_a)
    with tenant_context(tenant_a):
        worker.force_login(UserFactory.create(role=User.Role.YOUTH_WORKER))
    assert worker.get("/manage/staff/").status_code == 403  # codes only
    page = worker.post(
        "/manage/codes/",
        {"label": "Kirkby youth club", "valid_hours": "2", "max_uses": "2"},
        follow=True,
    ).content.decode()
    code = re.search(r"New code ([A-Z2-9]{4}-[A-Z2-9]{4})", page)
    assert code, page
    welcome = _join(client_for(tenant_a), code.group(1).lower(), "KirkbyKid1")
    assert "A moderator reads what you post" in welcome
    assert "Signed in as KirkbyKid1" in welcome
    with tenant_context(tenant_a):
        kid = User.objects.get(username="KirkbyKid1")
        assert kid.email == ""
        idea = idea_create(dialogue=DialogueFactory.create(), author=kid, title="T", body="Plain")
        assert idea.visibility == Visibility.HELD  # posted without an email, pre-moderated
    _join(client_for(tenant_a), code.group(1), "KirkbyKid2")
    used_up = _join(client_for(tenant_a), code.group(1), "KirkbyKid3")
    assert "That code is not valid any more" in used_up
    with tenant_context(tenant_a):
        assert InviteCode.objects.get().uses == 2
        assert not User.objects.filter(username="KirkbyKid3").exists()


def test_expired_revoked_and_wrong_codes_are_refused(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        admin = UserFactory.create(role=User.Role.ADMIN)
        InviteCode.objects.create(
            code="OLDD-CODE", label="x", created_by=admin, max_uses=5,
            valid_until=timezone.now() - timedelta(minutes=1),
        )  # fmt: skip
        stopped = InviteCode.objects.create(
            code="STOP-CODE", label="y", created_by=admin, max_uses=5,
            valid_until=timezone.now() + timedelta(hours=1),
        )  # fmt: skip
    admin_client = client_for(tenant_a)
    with tenant_context(tenant_a):
        admin_client.force_login(admin)
    admin_client.post(f"/manage/codes/{stopped.pk}/revoke/")
    for code in ("OLDD-CODE", "STOP-CODE", "NOPE-NOPE"):
        assert "not valid any more" in _join(client_for(tenant_a), code, "Hopeful1")
    with tenant_context(tenant_a):
        assert not User.objects.filter(username="Hopeful1").exists()


@pytest.mark.parametrize(
    ("username", "message"),
    [("sam@example.org", "email address"), ("07700900123", "phone number"), ("ab", "3 to 30")],
)
def test_code_sign_ups_follow_the_username_rules(
    client_for: Callable[..., Client], tenant_a: Tenant, username: str, message: str
) -> None:
    with tenant_context(tenant_a):
        InviteCode.objects.create(
            code="GOOD-CODE", label="z", max_uses=5, valid_until=timezone.now() + timedelta(hours=1)
        )
    assert message in _join(client_for(tenant_a), "GOOD-CODE", username)


@pytest.mark.parametrize("role", ["", "analyst"])
def test_only_code_issuing_roles_can_issue_codes(
    client_for: Callable[..., Client], tenant_a: Tenant, role: str
) -> None:
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(role=role))
    assert client.get("/manage/codes/").status_code == 403
