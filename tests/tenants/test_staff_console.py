"""The staff console: two factors to get in, usage and failures to see, and each tenant's
lifecycle (suspend, reactivate, plan, export, delete) plus trials made from demo requests."""

from __future__ import annotations

import csv
import io
import tarfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, hotp_value, yield_hotp_counters_from_time
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from pytest_django.fixtures import Settings

from accounts.models import StaffInvitation, User
from dialogues.models import Dialogue
from tenants.models import DemoRequest, Signup, Tenant, TenantExport, TenantUsage
from tenants.provisioning import signup_provision
from tenants.services import tenant_create, tenant_export_build
from tests.conftest import STAFF_TOTP_SECRET
from tests.factories import IdeaFactory, SignupFactory

pytestmark = pytest.mark.django_db


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _code(secret: str) -> str:
    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def test_a_visitor_is_sent_to_sign_in_and_a_password_alone_does_not_open_the_console(
    client_for: Callable[..., Client],
) -> None:
    visitor = client_for(None)
    response = visitor.get("/staff/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    staff = User.objects.create_superuser(username="nofactor", password="x-long-pass-123")
    visitor.force_login(staff)
    response = visitor.get("/staff/", follow=True)
    # Sent to set up a second factor (allauth first asks for the password again).
    assert "/accounts/2fa/totp/activate/" in [url for url, _ in response.redirect_chain]
    assert "/staff/" not in response.redirect_chain[-1][0]


def test_staff_sign_in_with_password_and_code_to_reach_the_console(
    client_for: Callable[..., Client],
) -> None:
    staff = User.objects.create_superuser(username="twofactor", password="x-long-pass-123")
    TOTP.activate(staff, STAFF_TOTP_SECRET)
    client = client_for(None)
    step = client.post(
        "/accounts/login/?next=/staff/", {"login": "twofactor", "password": "x-long-pass-123"}
    )
    assert step["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/staff/").status_code == 302
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/staff/").status_code == 302
    right = client.post("/accounts/2fa/authenticate/", {"code": _code(STAFF_TOTP_SECRET)})
    assert right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_resident_of_a_tenant_cannot_use_their_login_on_the_console(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with schema_context(tenant_a.schema_name):
        User.objects.create_superuser(username="tenantboss", password="x-long-pass-123")
    central = client_for(None)
    response = central.post(
        "/accounts/login/", {"login": "tenantboss", "password": "x-long-pass-123"}
    )
    assert response.status_code == 200
    assert central.get("/staff/").status_code == 302


def test_the_console_lists_tenants_with_usage_and_failed_sign_ups_with_their_error(
    platform_staff: Client, tenant_a: Tenant
) -> None:
    with schema_context(tenant_a.schema_name):
        IdeaFactory.create()
    platform_staff.post(
        "/staff/tenants/tenant/",
        {"action": "count_usage", "_selected_action": [tenant_a.pk]},
    )
    page = platform_staff.get("/staff/tenants/tenant/").content.decode()
    assert tenant_a.name in page
    usage = TenantUsage.objects.get(tenant=tenant_a)
    assert usage.ideas >= 1
    assert f'<td class="field-ideas">{usage.ideas}</td>' in page
    SignupFactory.create(
        slug="broken", status=Signup.Status.FAILED, error="OperationalError: disk full"
    )
    failures = platform_staff.get("/staff/tenants/signup/?status__exact=failed").content
    assert b"broken" in failures
    detail = platform_staff.get(
        f"/staff/tenants/signup/{Signup.objects.get(slug='broken').pk}/change/"
    ).content.decode()
    assert "disk full" in detail
    assert "password_hash" not in detail


def test_suspending_shows_the_holding_page_and_reactivating_brings_the_site_back(
    platform_staff: Client, client_for: Callable[..., Client]
) -> None:
    tenant = tenant_create(name="Sefton Voices", slug="sefton")
    site = client_for(tenant)
    assert site.get("/").status_code == 200
    platform_staff.post(
        "/staff/tenants/tenant/", {"action": "suspend", "_selected_action": [tenant.pk]}
    )
    held = site.get("/")
    assert held.status_code == 503
    assert "Sefton Voices" in held.content.decode()
    platform_staff.post(
        "/staff/tenants/tenant/", {"action": "reactivate", "_selected_action": [tenant.pk]}
    )
    assert site.get("/").status_code == 200


def test_staff_change_a_tenants_plan(platform_staff: Client) -> None:
    tenant = tenant_create(name="Knowsley Voices", slug="knowsley")
    platform_staff.post(
        f"/staff/tenants/tenant/{tenant.pk}/change/",
        {
            "name": "Knowsley Voices",
            "plan": "partnership",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
            "exports-TOTAL_FORMS": "0",
            "exports-INITIAL_FORMS": "0",
        },
    )
    tenant.refresh_from_db()
    assert tenant.plan == "partnership"


def test_an_export_holds_every_table_and_deleting_needs_it_and_the_slug(
    platform_staff: Client, client_for: Callable[..., Client], settings: Settings, tmp_path: Path
) -> None:
    settings.EXPORT_ROOT = tmp_path
    tenant = tenant_create(name="Halton Voices", slug="halton")
    with schema_context(tenant.schema_name):
        IdeaFactory.create(title="Safer crossings by the school")
    delete_url = f"/staff/tenants/tenant/{tenant.pk}/delete-site/"

    refused = platform_staff.post(delete_url, {"confirm_slug": "halton"})
    assert "Export the site first" in refused.content.decode()
    assert _schema_exists("halton")

    platform_staff.post(
        "/staff/tenants/tenant/", {"action": "export", "_selected_action": [tenant.pk]}
    )
    export = TenantExport.objects.get(tenant=tenant)
    tenant_export_build(export_id=export.pk)  # the worker's job
    export.refresh_from_db()
    assert export.status == TenantExport.Status.READY
    download = platform_staff.get(f"/staff/tenants/tenant/exports/{export.pk}/download/")
    content = io.BytesIO(b"".join(download.streaming_content))  # type: ignore[attr-defined]
    with tarfile.open(fileobj=content) as archive:
        names = archive.getnames()
        ideas = archive.extractfile("tables/dialogues_idea.csv")
        assert ideas is not None
        rows = list(csv.DictReader(io.TextIOWrapper(ideas)))
        users = archive.extractfile("tables/accounts_user.csv")
        assert users is not None
        users_header = users.readline().decode()
    assert {"manifest.json", "columns.json", "tables/dialogues_idea.csv"} <= set(names)
    # No live credentials in an archive: sessions, second factors, tokens, password hashes.
    assert "tables/django_session.csv" not in names
    assert "tables/mfa_authenticator.csv" not in names
    assert "tables/accounts_staffinvitation.csv" not in names
    assert "password" not in users_header
    assert [row["title"] for row in rows] == ["Safer crossings by the school"]
    assert (
        client_for(None).get(f"/staff/tenants/tenant/exports/{export.pk}/download/").status_code
        == 302
    )

    TenantExport.objects.filter(pk=export.pk).update(
        finished_at=export.finished_at - timedelta(days=2)  # type: ignore[operator]
    )
    stale = platform_staff.post(delete_url, {"confirm_slug": "halton"})
    assert "archive made in the last 24 hours" in stale.content.decode()
    TenantExport.objects.filter(pk=export.pk).update(finished_at=export.finished_at)
    wrong = platform_staff.post(delete_url, {"confirm_slug": "Halton"})
    assert "Type the site" in wrong.content.decode()
    assert _schema_exists("halton")
    done = platform_staff.post(delete_url, {"confirm_slug": "halton"})
    assert done.status_code == 302
    assert not _schema_exists("halton")
    assert not Tenant.objects.filter(slug="halton").exists()
    assert (
        client_for(None).get("/", headers={"host": f"halton.{settings.ROOT_DOMAIN}"}).status_code
        == 404
    )
    export.refresh_from_db()
    assert export.status == TenantExport.Status.READY


def test_staff_turn_a_demo_request_into_a_trial_whose_requester_is_invited(
    platform_staff: Client,
) -> None:
    demo = DemoRequest.objects.create(
        name="Susan", organisation="Wirral Youth Partnership", role="Lead",
        email="susan@wirral.example.org", consent=True,
    )  # fmt: skip
    url = f"/staff/tenants/demorequest/{demo.pk}/trial/"
    form = platform_staff.get(url).content.decode()
    assert 'value="wirral-youth-partnership"' in form
    refused = platform_staff.post(url, {"slug": "admin"})
    assert "is reserved" in refused.content.decode()
    assert not Signup.objects.exists()
    platform_staff.post(url, {"slug": "wirral-youth"})
    signup = Signup.objects.get()
    assert (signup.source, signup.admin_email, signup.password_hash) == (
        Signup.Source.STAFF, "susan@wirral.example.org", "",
    )  # fmt: skip
    demo.refresh_from_db()
    assert demo.stage == DemoRequest.Stage.TRIAL
    signup_provision(signup_id=signup.pk)  # the worker's job
    tenant = Tenant.objects.get(slug="wirral-youth")
    with schema_context(tenant.schema_name):
        invitation = StaffInvitation.objects.get()
        assert (invitation.email, invitation.role) == ("susan@wirral.example.org", "admin")
        assert not User.objects.exists()
        assert Dialogue.objects.filter(state=Dialogue.State.DRAFT).count() == 1


def test_staff_without_change_rights_can_neither_download_nor_act(
    client_for: Callable[..., Client], platform_staff: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.EXPORT_ROOT = tmp_path
    tenant = tenant_create(name="Wirral Voices", slug="wirral")
    export = TenantExport.objects.create(tenant=tenant, slug="wirral")
    tenant_export_build(export_id=export.pk)
    viewer = User.objects.create_user(username="viewonly", password="x-long-pass-123")
    viewer.is_staff = True
    viewer.save()
    TOTP.activate(viewer, STAFF_TOTP_SECRET)
    client = client_for(None)
    client.force_login(viewer)
    assert client.get(f"/staff/tenants/tenant/exports/{export.pk}/download/").status_code == 403
    assert client.get(f"/staff/tenants/tenant/{tenant.pk}/delete-site/").status_code == 403
    client.post("/staff/tenants/tenant/", {"action": "suspend", "_selected_action": [tenant.pk]})
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE


def test_an_export_is_downloaded_only_from_the_console_never_from_a_tenants_site(
    client_for: Callable[..., Client],
    platform_staff: Client,
    tenant_a: Tenant,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.EXPORT_ROOT = tmp_path
    archive = tmp_path / "alpha-export.tar.gz"
    archive.write_bytes(b"alpha's whole site")
    export = TenantExport.objects.create(
        tenant=tenant_a, slug="alpha", status=TenantExport.Status.READY, path=str(archive)
    )
    url = f"/staff/tenants/tenant/exports/{export.pk}/download/"
    # Neither the tenant's own admin, nor a console session carried over to the tenant's host.
    alpha_admin = client_for(tenant_a)
    with schema_context(tenant_a.schema_name):
        alpha_admin.force_login(
            User.objects.create_user(
                username="AlphaAdmin", role=User.Role.ADMIN, is_staff=True, is_superuser=True
            )
        )
    carried = client_for(tenant_a)
    carried.cookies.load({name: morsel.value for name, morsel in platform_staff.cookies.items()})
    for client in (alpha_admin, carried):
        refused = client.get(url)
        assert refused.status_code == 404
        assert b"alpha's whole site" not in refused.content
    download = platform_staff.get(url)
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content == b"alpha's whole site"
