"""The staff API on the root domain: platform staff tokens only, the console's own rules for
each lifecycle action, problem details for every refusal, and nothing of it on tenant hosts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django_tenants.utils import tenant_context
from drf_spectacular.validation import validate_schema

from accounts.models import User
from api.services import token_create
from dialogues.models import Dialogue
from tenants.models import Signup, Tenant
from tests.conftest import STAFF_TOTP_SECRET
from tests.factories import DialogueFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

V1 = "/api/staff/v1"
PROBLEM = "application/problem+json"


def staff_account(*, superuser: bool = True, second_factor: bool = True) -> User:
    """Platform staff in the public schema, as the platform_staff fixture makes them."""
    name = f"staff{uuid.uuid4().hex[:8]}"
    if superuser:
        staff = User.objects.create_superuser(username=name, password="x-long-pass-123")
    else:
        staff = User.objects.create_user(username=name, password="x-long-pass-123")
        staff.is_staff = True
        staff.save()
    if second_factor:
        TOTP.activate(staff, STAFF_TOTP_SECRET)
    return staff


def bearer(user: User, scope: str = "read_write") -> dict[str, Any]:
    _, secret = token_create(user=user, name="staff api tests", scope=scope, valid_days=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def staff_token(scope: str = "read_write") -> dict[str, Any]:
    return bearer(staff_account(), scope)


def post_json(client: Client, url: str, body: Any, auth: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **auth)


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def root(client_for: Callable[..., Client]) -> Client:
    """A client on the root domain (the central site)."""
    return client_for(None)


def test_a_staff_token_reads_the_root_the_tenant_list_and_a_tenants_detail(
    root: Client, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    auth = staff_token()
    links = root.get(f"{V1}/", **auth)
    assert links.status_code == 200
    assert set(links.json()) == {"tenants", "demo_requests", "schema"}
    listed = root.get(f"{V1}/tenants/", **auth)
    assert listed.status_code == 200
    assert listed["Cache-Control"] == "no-store"
    slugs = [row["slug"] for row in listed.json()["results"]]
    assert {"alpha", "beta"} <= set(slugs)
    assert "" not in slugs  # never the central site itself
    detail = root.get(f"{V1}/tenants/alpha/", **auth)
    assert detail.status_code == 200
    body = detail.json()
    assert (body["slug"], body["name"], body["status"], body["plan"]) == (
        "alpha", "Alpha Community Partnership", "active", "partnership",
    )  # fmt: skip
    assert body["primary_domain"] == f"alpha.{settings.ROOT_DOMAIN}"
    assert body["site_url"].endswith(body["primary_domain"])
    assert body["url"].endswith(f"{V1}/tenants/alpha/")
    assert root.get(f"{V1}/tenants/no-such-site/", **auth).status_code == 404


def test_the_list_filters_by_status_and_plan_searches_and_pages(
    root: Client, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    auth = staff_token()

    def slugs(query: str) -> list[str]:
        response = root.get(f"{V1}/tenants/?{query}", **auth)
        assert response.status_code == 200, response.content
        return [row["slug"] for row in response.json()["results"]]

    assert "alpha" in slugs("q=ALPH")
    assert "beta" not in slugs("q=alph")
    assert "beta" in slugs("q=youth forum")
    assert {"alpha", "beta"} <= set(slugs("status=active&plan=partnership"))
    assert "alpha" not in slugs("status=suspended") + slugs("plan=trial")
    first = root.get(f"{V1}/tenants/?page_size=1", **auth).json()
    assert len(first["results"]) == 1
    assert first["next"]
    second = root.get(first["next"], **auth).json()
    assert second["results"][0]["slug"] != first["results"][0]["slug"]
    for query, field in [("status=gone", "status"), ("plan=gold", "plan"), ("q=" + "x" * 101, "q")]:
        body = assert_problem(root.get(f"{V1}/tenants/?{query}", **auth), 400)
        assert body["errors"][0]["field"] == field
    assert_problem(root.get(f"{V1}/tenants/?cursor=forged", **auth), 400, "invalid_cursor")


STAFF_ROUTES = [
    ("get", f"{V1}/"),
    ("get", f"{V1}/tenants/"),
    ("post", f"{V1}/tenants/"),
    ("get", f"{V1}/tenants/alpha/"),
    ("post", f"{V1}/tenants/alpha/suspend/"),
    ("post", f"{V1}/tenants/alpha/reactivate/"),
    ("post", f"{V1}/tenants/alpha/plan/"),
    ("get", f"{V1}/demo-requests/"),
    ("get", f"{V1}/demo-requests/1/"),
    ("patch", f"{V1}/demo-requests/1/"),
    ("post", f"{V1}/demo-requests/1/trial/"),
    ("get", "/api/staff/schema/"),
]


def test_without_a_token_every_route_is_401_in_the_problem_format(
    root: Client, platform_staff: Client, tenant_a: Tenant
) -> None:
    for method, url in STAFF_ROUTES:
        response = getattr(root, method)(url, content_type="application/json")
        assert_problem(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Bearer"
        # Platform staff signed in to the console are no exception: tokens only, no session.
        with_session = getattr(platform_staff, method)(url, content_type="application/json")
        assert_problem(with_session, 401, "not_authenticated")
    tenant_a.refresh_from_db()
    assert tenant_a.status == Tenant.Status.ACTIVE


def test_a_token_of_someone_who_is_not_platform_staff_is_403(root: Client) -> None:
    # An account in the public schema, but not staff (say, made by mistake or demoted).
    ordinary = User.objects.create_user(username=f"plain{uuid.uuid4().hex[:6]}", password="x")
    response = root.get(f"{V1}/tenants/", **bearer(ordinary))
    assert_problem(response, 403, "permission_denied")
    # Staff who dropped their second factor lose the API as they lose the console.
    no_factor = staff_account(second_factor=False)
    assert_problem(root.get(f"{V1}/tenants/", **bearer(no_factor)), 403)
    # A deactivated staff account's token stops working (knox refuses inactive users).
    former = staff_account()
    auth = bearer(former)
    former.is_active = False
    former.save()
    assert_problem(root.get(f"{V1}/tenants/", **auth), 401)


def test_a_residents_token_made_on_a_tenant_site_is_unknown_on_the_root_domain(
    root: Client, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        resident = UserFactory.create(username=f"Tok{uuid.uuid4().hex[:6]}")
        auth = bearer(resident)
    # The token works on its own site's API...
    assert client_for(tenant_a).get("/api/v1/me/", **auth).status_code == 200
    # ...but the central site's table has never heard of it.
    assert_problem(root.get(f"{V1}/tenants/", **auth), 401, "authentication_failed")


def test_a_read_token_reads_but_can_neither_suspend_nor_create(
    root: Client, tenant_a: Tenant
) -> None:
    auth = staff_token(scope="read")
    assert root.get(f"{V1}/tenants/alpha/", **auth).status_code == 200
    refused = root.post(f"{V1}/tenants/alpha/suspend/", **auth)
    assert "may only read" in assert_problem(refused, 403, "permission_denied")["detail"]
    made = post_json(
        root,
        f"{V1}/tenants/",
        {"name": "Read Only", "slug": "read-only-try", "admin_email": "a@example.org"},
        auth,
    )
    assert_problem(made, 403)
    assert_problem(post_json(root, f"{V1}/tenants/alpha/plan/", {"plan": "trial"}, auth), 403)
    tenant_a.refresh_from_db()
    assert (tenant_a.status, tenant_a.plan) == (Tenant.Status.ACTIVE, "partnership")
    assert not Signup.objects.filter(slug="read-only-try").exists()


def test_staff_with_view_rights_only_read_as_in_the_console(root: Client, tenant_a: Tenant) -> None:
    viewer = staff_account(superuser=False)
    auth = bearer(viewer)
    assert_problem(root.get(f"{V1}/tenants/", **auth), 403)  # no rights at all yet
    viewer.user_permissions.add(Permission.objects.get(codename="view_tenant"))
    assert root.get(f"{V1}/tenants/", **auth).status_code == 200
    body = assert_problem(root.post(f"{V1}/tenants/alpha/suspend/", **auth), 403)
    assert "change rights" in body["detail"]
    tenant_a.refresh_from_db()
    assert tenant_a.status == Tenant.Status.ACTIVE


def test_the_staff_api_does_not_exist_on_tenant_hosts_nor_the_tenant_api_on_the_root(
    root: Client, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    staff = staff_token()
    with tenant_context(tenant_a):
        resident = bearer(UserFactory.create(username=f"Host{uuid.uuid4().hex[:6]}"))
    site = client_for(tenant_a)
    for auth in (staff, resident, {}):
        for method, url in STAFF_ROUTES:
            response = getattr(site, method)(url, content_type="application/json", **auth)
            assert_problem(response, 404, "not_found")
    for url in ("/api/v1/", "/api/v1/dialogues/", "/api/schema/", "/api/docs/"):
        assert root.get(url, **staff).status_code == 404


def test_suspending_shows_the_holding_page_and_reactivating_brings_the_site_back(
    root: Client, client_for: Callable[..., Client], tenant_b: Tenant
) -> None:
    staff = staff_account()
    auth = bearer(staff)
    site = client_for(tenant_b)
    assert site.get("/").status_code == 200
    suspended = root.post(f"{V1}/tenants/beta/suspend/", **auth)
    assert suspended.status_code == 200
    assert (suspended.json()["status"], suspended.json()["held_by"]) == ("suspended", "staff")
    held = site.get("/")
    assert held.status_code == 503
    assert "Beta Youth Forum" in held.content.decode()
    listed = root.get(f"{V1}/tenants/?status=suspended", **auth).json()["results"]
    assert [row["slug"] for row in listed] == ["beta"]
    back = root.post(f"{V1}/tenants/beta/reactivate/", **auth)
    assert back.status_code == 200
    assert (back.json()["status"], back.json()["held_by"]) == ("active", "")
    assert site.get("/").status_code == 200
    # Audited as the console's own actions are: in its history of the site.
    history = LogEntry.objects.filter(user=staff, object_id=str(tenant_b.pk)).order_by("pk")
    assert [entry.change_message for entry in history] == [
        "Suspended the site (staff API)",
        "Reactivated the site (staff API)",
    ]
    assert_problem(root.post(f"{V1}/tenants/no-such-site/suspend/", **auth), 404)


def test_a_plan_change_is_made_and_a_downgrade_that_breaks_a_limit_is_refused_with_why(
    root: Client, tenant_b: Tenant
) -> None:
    auth = staff_token()
    with tenant_context(tenant_b):
        DialogueFactory.create_batch(2, state=Dialogue.State.OPEN)
        open_now = Dialogue.objects.filter(state=Dialogue.State.OPEN).count()
    assert open_now == 3
    refused = post_json(root, f"{V1}/tenants/beta/plan/", {"plan": "trial"}, auth)
    body = assert_problem(refused, 400, "validation_failed")
    assert body["detail"] == "Close 2 of your 3 open dialogues: the Free trial plan allows 1."
    assert body["errors"][0]["field"] == "plan"
    tenant_b.refresh_from_db()
    assert tenant_b.plan == "partnership"
    changed = post_json(root, f"{V1}/tenants/beta/plan/", {"plan": "community"}, auth)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["plan"], changed.json()["billing_mode"]) == ("community", "manual")
    tenant_b.refresh_from_db()
    assert tenant_b.plan == "community"
    for bad in ({"plan": "gold"}, {"plan": "community", "price": 0}, {}, ["community"]):
        assert_problem(post_json(root, f"{V1}/tenants/beta/plan/", bad, auth), 400)
    tenant_b.refresh_from_db()
    assert tenant_b.plan == "community"


GOOD = {"name": "Sefton Voices", "slug": "sefton-api", "admin_email": "lead@sefton.example.org"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD, "slug": "Not_A_Label"}, "slug"),
        ({**GOOD, "slug": "admin"}, "slug"),
        ({**GOOD, "slug": "alpha"}, "slug"),  # taken by a tenant
        ({**GOOD, "slug": "x" * 64}, "slug"),
        ({**GOOD, "plan": "gold"}, "plan"),
        ({**GOOD, "plan": "trial"}, "plan"),  # every site starts on it; name the one after
        ({**GOOD, "admin_email": "not an address"}, "admin_email"),
        ({**GOOD, "password": "hunter2"}, "password"),  # unknown field
        ({k: v for k, v in GOOD.items() if k != "name"}, "name"),
        ({**GOOD, "submission_key": "not-a-uuid"}, "submission_key"),
    ],
)
def test_a_bad_create_is_400_with_the_field_and_nothing_is_made(
    root: Client, tenant_a: Tenant, body: dict[str, Any], field: str
) -> None:
    before = Signup.objects.count()
    problem = assert_problem(post_json(root, f"{V1}/tenants/", body, staff_token()), 400)
    assert field in [error["field"] for error in problem["errors"]], problem
    assert Signup.objects.count() == before
    assert not Tenant.objects.filter(slug=body.get("slug", "")).exclude(slug="alpha").exists()


def test_malformed_or_non_object_json_is_400_and_nothing_is_made(root: Client) -> None:
    auth = staff_token()
    before = Signup.objects.count()
    for raw, code in [("{not json", "parse_error"), ("[1, 2]", "validation_failed")]:
        response = root.post(f"{V1}/tenants/", raw, content_type="application/json", **auth)
        assert_problem(response, 400, code)
    form = root.post(f"{V1}/tenants/", GOOD, **auth)  # a form post, not JSON
    assert_problem(form, 415)
    assert Signup.objects.count() == before


def test_a_create_is_accepted_the_address_held_and_a_repeat_finds_the_same_sign_up(
    root: Client,
) -> None:
    staff = staff_account()
    auth = bearer(staff)
    key = str(uuid.uuid4())
    made = post_json(root, f"{V1}/tenants/", {**GOOD, "submission_key": key}, auth)
    assert made.status_code == 202, made.content
    body = made.json()
    assert made["Location"] == body["url"]
    assert body["url"].endswith(f"{V1}/tenants/sefton-api/")
    assert (body["status"], body["plan"], body["created_at"]) == ("provisioning", "trial", None)
    assert body["provisioning"]["status"] == "queued"
    assert body["provisioning"]["plan_after_trial"] == "community"
    signup = Signup.objects.get(slug="sefton-api")
    assert (signup.source, signup.password_hash) == (Signup.Source.STAFF, "")
    again = post_json(root, f"{V1}/tenants/", {**GOOD, "submission_key": key}, auth)
    assert again.status_code == 202
    assert Signup.objects.filter(slug="sefton-api").count() == 1
    # Polling while it waits for the worker.
    polled = root.get(f"{V1}/tenants/sefton-api/", **auth).json()
    assert polled["provisioning"]["status"] == "queued"
    # The address is held: a second site cannot have it, nor can lifecycle actions start.
    taken = post_json(root, f"{V1}/tenants/", GOOD, auth)
    assert "already taken" in assert_problem(taken, 400)["detail"]
    early = root.post(f"{V1}/tenants/sefton-api/suspend/", **auth)
    assert "still being set up" in assert_problem(early, 400)["detail"]
    assert LogEntry.objects.filter(user=staff, object_id=str(signup.pk)).count() == 1


def test_a_failed_site_answers_404_with_its_error(root: Client) -> None:
    Signup.objects.create(
        organisation="Gone", slug="gone-api", admin_email="x@example.org",
        submit_key=uuid.uuid4().hex, status=Signup.Status.FAILED, error="OperationalError: boom",
    )  # fmt: skip
    body = assert_problem(
        root.get(f"{V1}/tenants/gone-api/", **staff_token()), 404, "provisioning_failed"
    )
    assert "OperationalError: boom" in body["detail"]


def test_the_staff_schema_validates_and_lists_only_staff_operations(root: Client) -> None:
    auth = staff_token()
    response = root.get("/api/staff/schema/", **auth)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["info"]["title"] == "Townsquare staff API"
    paths = set(schema["paths"])
    assert paths == {
        f"{V1}/",
        f"{V1}/tenants/",
        f"{V1}/tenants/{{slug}}/",
        f"{V1}/tenants/{{slug}}/suspend/",
        f"{V1}/tenants/{{slug}}/reactivate/",
        f"{V1}/tenants/{{slug}}/plan/",
        f"{V1}/demo-requests/",
        f"{V1}/demo-requests/{{demo_id}}/",
        f"{V1}/demo-requests/{{demo_id}}/trial/",
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            assert operation["security"] == [{"personalAccessToken": []}], (method, path)
    assert schema["paths"][f"{V1}/tenants/"]["post"]["responses"]["202"]
    # Only platform staff read it.
    assert_problem(root.get("/api/staff/schema/"), 401)
