"""Template context shared by every page: which site is being shown."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.is_public:
        tenant = None
    return {
        "site_tenant": tenant,
        "site_title": tenant.name if tenant is not None else "Townsquare",
        "root_domain": settings.ROOT_DOMAIN,
    }
