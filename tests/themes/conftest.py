"""Fixtures the theme tests share."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.factories import UserFactory
from themes.models import MenuItem, Page, ThemeDraft, ThemeVersion


@pytest.fixture
def theme_admin(committed_db: None, tenant_a: Tenant) -> Iterator[str]:
    """An admin of tenant A; afterwards tenant A's theme, pages and menu are as new."""
    username = f"Themer{time.monotonic_ns() % 10**8}"
    with tenant_context(tenant_a):
        UserFactory.create(username=username, role=User.Role.ADMIN)
    yield username
    with tenant_context(tenant_a):
        ThemeVersion.objects.all().delete()
        ThemeDraft.objects.all().delete()
        MenuItem.objects.all().delete()
        Page.objects.all().delete()
        User.objects.filter(username=username).delete()
