"""Media storage that keeps each tenant's uploads under its own folder."""

from __future__ import annotations

from django.conf import settings
from django_tenants.files.storage import TenantFileSystemStorage


class TenantMediaStorage(TenantFileSystemStorage):
    """Files live in MEDIA_ROOT/<schema>/; URLs omit the schema and are served per host."""

    @property
    def base_url(self) -> str:
        return str(settings.MEDIA_URL)
