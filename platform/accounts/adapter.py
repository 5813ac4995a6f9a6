"""allauth adapter: sign-up is per tenant, and mail names the tenant's site."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection
from django.http import HttpRequest

from townsquare.ratelimits import client_address


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Residents sign up on a tenant's site; the central site has staff accounts only.
        tenant = getattr(request, "tenant", None)
        return bool(tenant is not None and not tenant.is_public)

    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address our own rate limits use (the proxy's, when behind one).
        return client_address(request) or str(super().get_client_ip(request))

    def format_email_subject(self, subject: str) -> str:
        tenant = getattr(connection, "tenant", None)
        name = getattr(tenant, "name", "Townsquare")
        return f"[{name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        tenant = getattr(connection, "tenant", None)
        context.setdefault("site_title", getattr(tenant, "name", "Townsquare"))
        super().send_mail(template_prefix, email, context)
