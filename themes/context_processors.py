"""The theme every tenant page is drawn with: the live version, or the draft in preview."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.urls import reverse

from accounts.roles import Capability, user_can
from themes.css import theme_stylesheet
from themes.models import ThemeVersion
from themes.selectors import menu_items, theme_draft, theme_live
from themes.views import branding_hidden, entitled_values, stylesheet_hash


def preview_requested(request: HttpRequest) -> bool:
    """?theme=draft, honoured for people who may edit the theme only."""
    return request.GET.get("theme") == "draft" and user_can(request.user, Capability.MANAGE_THEME)


def theme(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {}
    if preview_requested(request):
        draft = theme_draft()
        stamp = int(draft.updated_at.timestamp())
        return {
            "theme": draft,
            "theme_css_url": f"{reverse('theme_draft_css')}?v={stamp}",
            "theme_preview": True,
            "menu": menu_items(),
            "branding_hidden": branding_hidden(draft.values(), request),
        }
    live = theme_live()
    context: dict[str, Any] = {
        "theme": live,
        "menu": menu_items(),
        "theme_preview": False,
        "branding_hidden": live is not None and branding_hidden(live.values(), request),
    }
    if live is not None:
        digest = _digest(live, request)
        context["theme_css_url"] = reverse(
            "theme_css", kwargs={"number": live.number, "digest": digest}
        )
    return context


_digests: dict[tuple[str, int, float, str], str] = {}


def _digest(version: ThemeVersion, request: HttpRequest) -> str:
    """Versions never change, so each one's stylesheet is hashed once per process (and per
    plan: custom CSS is served only on plans that include it)."""
    plan = str(getattr(getattr(request, "tenant", None), "plan", ""))
    schema = str(getattr(connection, "schema_name", ""))
    key = (schema, version.pk, version.published_at.timestamp(), plan)
    digest = _digests.get(key)
    if digest is None:
        if len(_digests) > 1000:
            _digests.clear()
        values = entitled_values(version.values(), request)
        digest = _digests[key] = stylesheet_hash(theme_stylesheet(values))
    return digest
