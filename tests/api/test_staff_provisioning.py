"""A site asked for through the staff API is made by the real worker, through the same
sign-up and provisioning as a trial from the console, and its detail says when it is ready."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import StaffInvitation, User
from api.models import ApiToken
from tenants.models import Tenant
from tests.api.test_staff_api import V1, bearer, staff_account
from tests.harness.worker import Worker, worker_wait

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("fresh_rate_limits")]


@pytest.fixture
def staff(committed_db: None) -> Iterator[User]:
    """Committed platform staff (the worker's data is committed too), removed afterwards."""
    user = staff_account()
    yield user
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    ApiToken.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    LogEntry.objects.filter(user=user).delete()
    # Not user.delete(): its collector would look in tenant-only tables, which the public
    # schema does not have.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user.pk])


def test_a_created_site_is_provisioned_by_the_worker_and_becomes_active(
    client_for: Callable[..., Client],
    celery_worker: Worker,
    cleanup: list[str],
    staff: User,
) -> None:
    slug = f"api-{uuid.uuid4().hex[:8]}"
    cleanup.append(slug)
    root = client_for(None)
    auth = bearer(staff)
    made = root.post(
        f"{V1}/tenants/",
        json.dumps(
            {"name": "Halton Voices", "slug": slug, "admin_email": "lead@halton.example.org"}
        ),
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 202, made.content
    assert made.json()["status"] == "provisioning"
    poll = made["Location"]

    def active() -> bool:
        return bool(root.get(poll, **auth).json()["status"] == "active")

    worker_wait(active, celery_worker, seconds=180)
    body = root.get(poll, **auth).json()
    assert (body["slug"], body["name"], body["plan"]) == (slug, "Halton Voices", "trial")
    assert body["primary_domain"].startswith(f"{slug}.")
    assert body["created_at"] is not None
    assert body["billing_mode"] == "trial"
    assert body["trial_ends_at"] is not None
    assert (body["provisioning"]["status"], body["provisioning"]["source"]) == ("ready", "staff")
    # The site answers on its own host, and its admin is invited (no password was sent).
    assert client_for(Tenant.objects.get(slug=slug)).get("/").status_code == 200
    with schema_context(slug.replace("-", "_")):
        assert StaffInvitation.objects.filter(email="lead@halton.example.org").exists()
        assert not User.objects.exists()
    listed = root.get(f"{V1}/tenants/?q={slug}", **auth).json()["results"]
    assert [row["slug"] for row in listed] == [slug]
