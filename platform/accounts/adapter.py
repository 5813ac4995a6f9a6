"""allauth adapter: sign-up is per tenant, mail names and links the tenant's own address,
and failed sign-ins count per username and address."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation, EmailConfirmationHMAC
from django.db import connection
from django.http import HttpRequest
from django.urls import reverse

from tenants.selectors import current_base_url
from townsquare.ratelimits import client_address


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Residents sign up on a tenant's site; the central site has staff accounts only.
        tenant = getattr(request, "tenant", None)
        return bool(tenant is not None and not tenant.is_public)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Staff sign in to work: they land in the admin area, residents on the home page.
        # A ?next= still wins (allauth reads it before asking here).
        tenant = getattr(request, "tenant", None)
        on_tenant_site = tenant is not None and not tenant.is_public
        if on_tenant_site and getattr(request.user, "is_tenant_staff", False):
            return reverse("backoffice:dashboard")
        return str(super().get_login_redirect_url(request))

    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address our own rate limits use (the proxy's, when behind one).
        return client_address(request) or str(super().get_client_ip(request))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed sign-ins per IP and per this key. Its own key (the username
        # on the Host the request named) let anyone lock a known username such as "admin"
        # out, and a different port started a fresh count. Per username *and* address, a
        # guesser is slowed where they are while the owner signs in from anywhere else;
        # the tenant is already in the cache key's prefix.
        login = str(credentials.get("email", credentials.get("username", ""))).lower()
        return f"{login}@{self.get_client_ip(request)}"

    def format_email_subject(self, subject: str) -> str:
        tenant = getattr(connection, "tenant", None)
        name = getattr(tenant, "name", "Townsquare")
        return f"[{name}] {subject}"

    # Links in mail are built on the site's canonical address (current_base_url), never on
    # the Host header of the request that caused the mail, which a sender can forge.
    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation | EmailConfirmationHMAC
    ) -> str:
        return current_base_url() + reverse("account_confirm_email", args=[emailconfirmation.key])

    def get_reset_password_from_key_url(self, key: str) -> str:
        uidb36, _, token = key.partition("-")
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": token})
        return current_base_url() + path

    def send_account_already_exists_mail(self, email: str) -> None:
        base = current_base_url()
        context = {
            "signup_url": base + reverse("account_signup"),
            "password_reset_url": base + reverse("account_reset_password"),
        }
        self.send_mail("account/email/account_already_exists", email, context)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        tenant = getattr(connection, "tenant", None)
        name = getattr(tenant, "name", "Townsquare")
        base = current_base_url()
        context.setdefault("site_title", name)
        # allauth's templates sign off with the site's domain, from the request by default.
        context["current_site"] = SimpleNamespace(name=name, domain=urlsplit(base).netloc)
        if "signup_url" in context:
            # The "no account with this address" mail builds it from the request.
            context["signup_url"] = base + reverse("account_signup")
        super().send_mail(template_prefix, email, context)
