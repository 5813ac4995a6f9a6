"""The staff console: Django admin on the root domain, for platform staff with two factors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class StaffConsole(admin.AdminSite):
    site_header = "Townsquare staff console"
    site_title = "Townsquare staff"
    index_title = "Organisations, sign-ups and demo requests"

    def has_permission(self, request: HttpRequest) -> bool:
        # A password alone never opens the console: the account must have a second factor,
        # which allauth then asks for at every sign-in. (Imported here: this module is
        # loaded with the app registry, before models can be.)
        from allauth.mfa.utils import is_mfa_enabled

        user = request.user
        return bool(super().has_permission(request) and is_mfa_enabled(user))

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Signs staff in through allauth, which runs the two-factor step."""
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            return redirect("mfa_activate_totp")
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


class StaffConsoleConfig(AdminConfig):
    default_site = "townsquare.staff_console.StaffConsole"
