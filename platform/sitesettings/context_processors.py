"""What every tenant page needs from the site's settings: the quick exit address."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sitesettings.selectors import site_settings_get


def safety(request: HttpRequest) -> dict[str, object]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {}
    # Lazy, so pages that do not render the header (fragments, 204s) never query.
    return {"site_settings": SimpleLazyObject(site_settings_get)}
