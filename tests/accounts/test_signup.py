"""Signing up on a tenant's site: a chosen handle, a private email, verification by link."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.http.response import HttpResponseBase
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tenants.selectors import tenant_base_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-memorable-passphrase"


def _signup(client: Client, username: str, email: str) -> str:
    response = client.post(
        "/accounts/signup/",
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    return response.content.decode() if response.status_code == 200 else ""


def test_signing_up_creates_the_account_in_that_tenant_only_and_sends_a_link(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    client = client_for(tenant_a)
    page = client.get("/accounts/signup/").content.decode()
    assert "Pick a username" in page
    assert _signup(client, "CalmWren11", "calm.wren@example.org") == ""

    with tenant_context(tenant_a):
        user = User.objects.get(username="CalmWren11")
        assert not EmailAddress.objects.get(user=user).verified
    with tenant_context(tenant_b):
        assert not User.objects.filter(username="CalmWren11").exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["calm.wren@example.org"]
    assert "Alpha Community Partnership" in message.subject
    link = re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", str(message.body))
    assert link, message.body
    path = link.group(0).split("localhost", 1)[1].split("/", 1)[1]
    confirm = client.post("/" + path)
    assert confirm.status_code == 302
    with tenant_context(tenant_a):
        assert EmailAddress.objects.get(user=user).verified

    public_page = client_for(tenant_a).get("/").content.decode()
    assert "calm.wren@example.org" not in public_page


def test_a_picked_suggestion_prefills_the_username_and_junk_does_not(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client = client_for(tenant_a)
    picked = client.get("/accounts/signup/?handle=BraveOtter12").content.decode()
    assert 'value="BraveOtter12"' in picked
    junk = client.get('/accounts/signup/?handle="><script>alert(1)</script>').content.decode()
    assert "<script>alert(1)" not in junk
    assert 'name="username" value=' not in junk


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("sam@example.org", "cannot contain an email address"),
        ("call07700900123", "phone number"),
        ("", "This field is required"),
    ],
)
def test_bad_usernames_get_a_clear_error_and_nothing_is_created(
    client_for: Callable[..., Client], tenant_a: Tenant, username: str, message: str
) -> None:
    page = _signup(client_for(tenant_a), username, "someone@example.org")
    assert message in page
    with tenant_context(tenant_a):
        assert not EmailAddress.objects.filter(email="someone@example.org").exists()
    assert mail.outbox == []


def test_a_username_taken_in_another_case_is_refused(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        User.objects.create_user(username="SwiftFinch33")
    page = _signup(client_for(tenant_a), "swiftfinch33", "finch@example.org")
    assert "already" in page.lower()


def test_the_central_site_does_not_take_resident_sign_ups(
    client_for: Callable[..., Client],
) -> None:
    central = client_for(None)
    assert central.get("/accounts/signup/")["Location"] == "/signup/"
    central.post(
        "/accounts/signup/",
        {"username": "Stray", "email": "s@example.org", "password1": "x-long-pass-123"},
    )
    assert not User.objects.filter(username="Stray").exists()


def test_a_forgotten_password_is_reset_by_an_emailed_link(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        user = User.objects.create_user(username="ForgetfulOwl", email="owl@example.org")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = client_for(tenant_a)
    client.post("/accounts/password/reset/", {"email": "owl@example.org"})
    link = re.search(
        r"http://[^\s]+(/accounts/password/reset/key/[^\s]+/)", str(mail.outbox[-1].body)
    )
    assert link, mail.outbox[-1].body
    form_page = client.get(link.group(1), follow=True)
    new = "a-brand-new-passphrase"
    client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    signed_in = client_for(tenant_a).post(
        "/accounts/login/", {"login": "ForgetfulOwl", "password": new}
    )
    assert signed_in.status_code == 302


def test_emails_never_appear_on_public_pages_or_the_api(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    from tests.factories import CommentFactory, IdeaFactory

    with tenant_context(tenant_a):
        author = User.objects.create_user(
            username="PrivatePerson", email="private.person@example.org"
        )
        idea = IdeaFactory.create(author=author)
        CommentFactory.create(idea=idea, author=author)
    visitor = client_for(tenant_a)
    dialogue_url = f"/dialogues/{idea.dialogue.slug}/"
    for path in ("/", dialogue_url, idea.get_absolute_url(), "/api/v1/dialogues/"):
        page = visitor.get(path).content.decode()
        assert "private.person" not in page, path
    assert "PrivatePerson" in visitor.get(idea.get_absolute_url()).content.decode()


def _page_without_request_noise(response: HttpResponseBase, *secrets: str) -> str:
    """A page as a visitor reads it, minus what differs per request (CSRF, nonces) and
    what the visitor typed in."""
    page = response.content.decode()  # type: ignore[attr-defined]
    page = re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', "", page)
    for secret in secrets:
        page = page.replace(secret, "…")
    return page


def test_signing_up_with_an_address_that_has_an_account_looks_the_same_and_tells_its_owner(
    client_for: Callable[..., Client], tenant_a: Tenant, fresh_rate_limits: None
) -> None:
    with tenant_context(tenant_a):
        UserFactory.create(username="FirstOwner", email="taken@example.org")
    new = client_for(tenant_a).post(
        "/accounts/signup/",
        {"username": "FreshFox21", "email": "fresh@example.org",
         "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )  # fmt: skip
    taken = client_for(tenant_a).post(
        "/accounts/signup/",
        {"username": "SecondFox22", "email": "taken@example.org",
         "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )  # fmt: skip

    assert "already registered" not in taken.content.decode()
    assert taken.status_code == new.status_code == 200
    assert taken.redirect_chain == new.redirect_chain
    assert _page_without_request_noise(
        taken, "taken@example.org", "SecondFox22"
    ) == _page_without_request_noise(new, "fresh@example.org", "FreshFox21")
    with tenant_context(tenant_a):
        assert not User.objects.filter(username="SecondFox22").exists()
        assert User.objects.filter(email="taken@example.org").count() == 1

    assert [m.to for m in mail.outbox] == [["fresh@example.org"], ["taken@example.org"]]
    told = str(mail.outbox[1].body)
    assert "already exists" in told
    assert f"{tenant_base_url(tenant=tenant_a)}/accounts/password/reset/" in told


def test_links_in_account_emails_use_the_sites_own_address_whatever_the_host_header(
    client_for: Callable[..., Client], tenant_a: Tenant, fresh_rate_limits: None
) -> None:
    with tenant_context(tenant_a):
        user = User.objects.create_user(username="HostTester", email="host.tester@example.org")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    canonical = tenant_base_url(tenant=tenant_a)
    # Still routed to alpha (the port is not part of the name), but not alpha's address.
    client = Client(headers={"host": "alpha.localhost:9999"})
    client.post("/accounts/password/reset/", {"email": "host.tester@example.org"})
    client.post("/accounts/password/reset/", {"email": "nobody.here@example.org"})
    client.post(
        "/accounts/signup/",
        {"username": "HostJoiner", "email": "host.joiner@example.org",
         "password1": PASSWORD, "password2": PASSWORD},
    )  # fmt: skip
    reset, unknown, confirmation = (str(m.body) for m in mail.outbox)
    assert f"{canonical}/accounts/password/reset/key/" in reset
    assert f"{canonical}/accounts/signup/" in unknown
    assert f"{canonical}/accounts/confirm-email/" in confirmation
    for body in (reset, unknown, confirmation):
        assert "9999" not in body
