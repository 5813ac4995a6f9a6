"""A token minted on one site works there only: presented on another, it shows nothing and
changes nothing, even where the other site has rows under the same ids."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import StaffInvitation, User
from accounts.services import staff_invite
from tenants.models import Tenant
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

PASSWORD = "a-long-memorable-passphrase"


def _mailed_path(pattern: str) -> str:
    """The path of the link matching pattern in the last email sent."""
    body = str(mail.outbox[-1].body)
    found = re.search(rf"https?://[^/\s]+({pattern})", body)
    assert found, body
    return found.group(1)


def test_an_email_confirmation_link_opens_only_on_the_site_that_sent_it(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    alpha = client_for(tenant_a)
    alpha.post(
        "/accounts/signup/",
        {"username": "KeyHolder1", "email": "key.holder@example.org",
         "password1": PASSWORD, "password2": PASSWORD},
    )  # fmt: skip
    path = _mailed_path(r"/accounts/confirm-email/[^\s/]+/")
    with tenant_context(tenant_a):
        minted = EmailAddress.objects.get(email="key.holder@example.org")
    # Ids repeat across schemas: beta has an unconfirmed address under the very same id.
    with tenant_context(tenant_b):
        EmailAddress.objects.filter(pk=minted.pk).delete()
        neighbour = User.objects.create_user(
            username="BetaNeighbour", email="neighbour@beta.example.org"
        )
        EmailAddress.objects.create(
            pk=minted.pk, user=neighbour, email=neighbour.email, verified=False, primary=True
        )

    beta = client_for(tenant_b)
    shown = beta.get(path).content.decode()
    assert "neighbour@beta.example.org" not in shown
    assert "BetaNeighbour" not in shown
    assert "expired or is invalid" in shown
    assert beta.post(path).status_code == 404
    with tenant_context(tenant_b):
        assert not EmailAddress.objects.get(pk=minted.pk).verified

    assert "key.holder@example.org" in alpha.get(path).content.decode()
    assert alpha.post(path).status_code == 302
    with tenant_context(tenant_a):
        assert EmailAddress.objects.get(pk=minted.pk).verified


def test_a_password_reset_link_works_only_on_the_site_that_sent_it(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        owner = User.objects.create_user(
            username="ResetOwner", email="reset.owner@example.org", password=PASSWORD
        )
        EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    # A copied site (or a person who joined both with the same details) holds the same id,
    # email and password hash: everything the reset token is made from but the site.
    with tenant_context(tenant_b):
        User.objects.filter(pk=owner.pk).delete()
        twin = User.objects.create(
            pk=owner.pk, username="ResetTwin", email=owner.email, password=owner.password
        )
        EmailAddress.objects.create(user=twin, email=twin.email, verified=True, primary=True)

    client_for(tenant_a).post("/accounts/password/reset/", {"email": owner.email})
    path = _mailed_path(r"/accounts/password/reset/key/[^\s]+/")
    new = "a-brand-new-passphrase"

    beta = client_for(tenant_b)
    opened = beta.get(path, follow=True)
    assert "Bad Token" in opened.content.decode()
    beta.post(path, {"password1": new, "password2": new})
    with tenant_context(tenant_b):
        twin.refresh_from_db()
        assert twin.check_password(PASSWORD)

    alpha = client_for(tenant_a)
    form_page = alpha.get(path, follow=True)
    assert "Bad Token" not in form_page.content.decode()
    alpha.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    with tenant_context(tenant_a):
        owner.refresh_from_db()
        assert owner.check_password(new)


def test_a_staff_invitation_is_accepted_only_on_the_site_that_sent_it(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        admin = UserFactory.create(username="InvitingAdmin", role=User.Role.ADMIN)
        invitation = staff_invite(by=admin, email="helper@example.org", role="moderator")
        helper_a = UserFactory.create(username="HelperAlpha", email="helper@example.org")
    with tenant_context(tenant_b):
        helper_b = UserFactory.create(username="HelperBeta", email="helper@example.org")
    path = f"/manage/invitations/{invitation.token}/"

    beta = client_for(tenant_b)
    with tenant_context(tenant_b):
        beta.force_login(helper_b)
    refused = beta.post(path, follow=True).content.decode()
    assert "has been used or withdrawn" in refused
    with tenant_context(tenant_b):
        helper_b.refresh_from_db()
        assert helper_b.role == ""
    with tenant_context(tenant_a):
        assert StaffInvitation.objects.get(pk=invitation.pk).accepted_at is None

    alpha = client_for(tenant_a)
    with tenant_context(tenant_a):
        alpha.force_login(helper_a)
    assert "you are now Moderator" in alpha.post(path, follow=True).content.decode()


def test_a_session_from_one_site_is_not_signed_in_on_another(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    alpha = client_for(tenant_a)
    with tenant_context(tenant_a):
        alpha.force_login(UserFactory.create(username="SessionHolder"))
    beta = client_for(tenant_b)
    beta.cookies.load({name: morsel.value for name, morsel in alpha.cookies.items()})
    refused = beta.get("/accounts/my-data/download/")
    assert refused.status_code == 302
    assert "/accounts/login/" in refused["Location"]
    assert "SessionHolder" in alpha.get("/accounts/my-data/download/").content.decode()
