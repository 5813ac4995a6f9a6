"""A refused settings form changes nothing, not even for a moment in the same process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from sitesettings.selectors import site_settings_get
from sitesettings.services import site_settings_update
from tenants.models import Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_refused_settings_form_leaves_the_settings_every_page_reads_untouched(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        site_settings_update(require_verified_email=True, idea_edit_window_minutes=30)
        warm = site_settings_get()  # the per-process copy every page reads
        assert warm.require_verified_email
        admin = UserFactory.create(username="SettingsKeeper", role=User.Role.ADMIN)
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(admin)
    # The checkbox left unticked and a valid window, but the exit address refused.
    refused = client.post(
        "/manage/settings/",
        {"idea_edit_window_minutes": "5", "quick_exit_url": "http://insecure.example"},
    )
    assert refused.status_code == 200
    assert "Use an https:// address" in refused.content.decode()
    with tenant_context(tenant_a):
        current = site_settings_get()
        assert current.require_verified_email is True
        assert current.idea_edit_window_minutes == 30
