"""Every response leaves with the security headers, whichever part of the stack answered it:
pages on both kinds of host, static files, probes, the API and early refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

from tenants.models import Tenant

pytestmark = pytest.mark.django_db

BASELINE = ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy",
            "X-Content-Type-Options", "Referrer-Policy")  # fmt: skip


@pytest.mark.parametrize(
    ("on_tenant", "path"),
    [
        (False, "/"),
        (True, "/"),
        (True, "/api/v1/dialogues/"),
        (True, "/healthz"),
        (None, "/readyz"),
        (None, "/"),  # a host that is no site's: 404
        (True, "/?q=%00"),  # refused before the tenant is looked up
        (True, "/static-file"),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(
    client_for: Callable[..., Client], tenant_a: Tenant, on_tenant: bool | None, path: str
) -> None:
    if on_tenant is None:
        client = Client(headers={"host": "nobody-here.localhost"})
    else:
        client = client_for(tenant_a if on_tenant else None)
    if path == "/static-file":
        path = staticfiles_storage.url("townsquare/site.css")
    response = client.get(path)
    missing = [name for name in BASELINE if name not in response.headers]
    assert not missing, (path, response.status_code, missing)
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    if response["Content-Type"].startswith("text/html"):
        # A page, even one refused before the page middleware ran, may load its stylesheet.
        assert "style-src 'self'" in policy, (path, response.status_code)
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    if path.startswith("/static/"):
        assert response.status_code == 200
        # Hashed names never change, so browsers may keep them for ever.
        assert "immutable" in response["Cache-Control"]
