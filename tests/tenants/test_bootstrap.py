"""`manage.py bootstrap`: a new installation gets its central site and first platform staff,
who set a password from the printed link and must add a second factor before the console."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.core.management import CommandError, call_command
from django.test import Client
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from tenants.models import Domain, Tenant

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


def _bootstrap(*args: str) -> str:
    out = io.StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fresh_installation() -> None:
    """No central site and no staff yet, as on a database just migrated (rolled back after)."""
    with schema_context(get_public_schema_name()):
        User.objects.filter(is_superuser=True).delete()
        Domain.objects.filter(tenant__schema_name=get_public_schema_name()).delete()
        Tenant.objects.filter(schema_name=get_public_schema_name()).delete()


def _code(secret: str) -> str:
    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def test_bootstrap_makes_the_central_site_and_staff_who_enrol_a_second_factor(
    fresh_installation: None, client_for: Callable[..., Client]
) -> None:
    central = client_for(None)
    assert central.get("/").status_code == 404  # no public tenant: the central site is missing
    printed = _bootstrap("--staff-email", "ops@townsquare.example")
    link = LINK.search(printed)
    assert link, printed
    assert central.get("/").status_code == 200
    staff = User.objects.get(username="staff")
    assert staff.is_superuser
    assert not staff.has_usable_password()

    path = "/" + link.group(0).split("/", 3)[3]
    form = central.get(path, follow=True)
    assert 'name="password1"' in form.content.decode()
    chosen = central.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": "a-new-staff-pass-91", "password2": "a-new-staff-pass-91"},
    )
    assert chosen.status_code == 302
    # The link is spent once the password is set.
    assert 'name="password1"' not in client_for(None).get(path, follow=True).content.decode()

    central.post("/accounts/login/", {"login": "staff", "password": "a-new-staff-pass-91"})
    # A password alone does not open the console: it sends staff to add an authenticator.
    to_enrol = central.get("/staff/", follow=True)
    reauthenticate = to_enrol.redirect_chain[-1][0]
    assert [url for url, _ in to_enrol.redirect_chain][1] == "/accounts/2fa/totp/activate/"
    assert reauthenticate.startswith("/accounts/reauthenticate/")
    central.post(reauthenticate, {"password": "a-new-staff-pass-91"})
    assert central.get("/staff/").status_code == 302
    central.get("/accounts/2fa/totp/activate/")
    secret = central.session["mfa.totp.secret"]
    activated = central.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert activated.status_code == 302
    assert central.get("/staff/").status_code == 200


def test_a_second_run_changes_nothing_and_prints_no_new_link(fresh_installation: None) -> None:
    first = _bootstrap("--staff-email", "ops@townsquare.example")
    assert LINK.search(first)
    staff = User.objects.get(username="staff")
    counts = (Tenant.objects.count(), Domain.objects.count(), User.objects.count())
    again = _bootstrap("--staff-email", "someone-else@townsquare.example")
    assert not LINK.search(again)
    assert "never set" in again
    assert (Tenant.objects.count(), Domain.objects.count(), User.objects.count()) == counts
    staff.refresh_from_db()
    assert staff.email == "ops@townsquare.example"
    # A lost link: --new-link prints a fresh one while the password is still unset.
    assert LINK.search(_bootstrap("--new-link"))
    staff.set_password("a-new-staff-pass-91")
    staff.save()
    assert not LINK.search(_bootstrap("--new-link"))


def test_the_first_run_needs_an_email_and_refuses_a_taken_username(
    fresh_installation: None,
) -> None:
    with pytest.raises(CommandError, match="--staff-email"):
        _bootstrap()
    with schema_context(get_public_schema_name()):
        User.objects.create_user(username="staff", password="x-long-pass-123")
    with pytest.raises(CommandError, match="taken"):
        _bootstrap("--staff-email", "ops@townsquare.example")
    assert not User.objects.filter(is_superuser=True).exists()
    with pytest.raises(CommandError, match="valid email"):
        _bootstrap("--staff-email", "not-an-email", "--staff-username", "ops")
