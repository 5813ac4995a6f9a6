"""/api/docs/: Swagger UI from our own static files, nothing inline and nothing from a
CDN, only where the plan includes the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from billing.plans import TRIAL
from tenants.models import Tenant

pytestmark = pytest.mark.django_db

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def _docs(client_for: Callable[..., Client], tenant: Tenant) -> tuple[int, str, str]:
    response = client_for(tenant).get("/api/docs/")
    return response.status_code, response.content.decode(), response["Content-Security-Policy"]


def test_the_docs_page_loads_only_our_own_files(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    status, page, policy = _docs(client_for, tenant_a)
    assert status == 200
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    # Nothing from another host: no CDN, no validator badge.
    assert "//" not in " ".join(ASSET.findall(page))
    assert not re.search(r"unpkg|jsdelivr|cdnjs|googleapis|validator\.swagger\.io", page)
    # Nothing inline that the CSP would block.
    assert "<style" not in page
    assert " style=" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assets = [url for url in ASSET.findall(page) if url.startswith("/static/")]
    names = {Path(url).name.split(".")[0] for url in assets}
    assert {"swagger-ui", "swagger-ui-bundle", "docs", "favicon-32x32"} <= names
    # Each one served from our static files, as the page names it (hashed by the manifest).
    for url in assets:
        response = client_for(tenant_a).get(url)
        assert response.status_code == 200, url
    assert 'data-schema-url="/api/schema/"' in page
    # Where to make a token, and the description itself without JavaScript.
    assert 'href="/accounts/api-tokens/"' in page
    assert 'href="/api/schema/" download' in page


def test_the_init_script_starts_swagger_ui_with_nothing_leaving_the_site() -> None:
    path = finders.find("api/docs.js")
    assert path is not None
    script = Path(path).read_text()
    assert "validatorUrl: null" in script
    assert "deepLinking: false" in script
    assert "X-CSRFToken" in script
    assert not re.search(r"https?://", script)


def test_the_sidecar_files_are_ours_not_a_cdn(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    _, page, _ = _docs(client_for, tenant_a)
    bundle = next(url for url in ASSET.findall(page) if "swagger-ui-bundle" in url)
    assert bundle.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/")


def test_on_a_plan_without_the_api_the_docs_page_says_so(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    # Rolled back with the test.
    Tenant.objects.filter(pk=tenant_a.pk).update(plan=TRIAL.key)
    response = client_for(tenant_a).get("/api/docs/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The REST API" in page
    assert 'href="/manage/billing/"' in page
    assert "swagger-ui" not in page
    # The same refusal as the API's own (PlanIncludesApi), there as problem JSON.
    schema = client_for(tenant_a).get("/api/schema/")
    assert schema.status_code == 403
    assert b"plan_limit" in schema.content, (schema["Content-Type"], schema.content)


def test_the_docs_page_is_on_tenant_sites_only(client_for: Callable[..., Client]) -> None:
    assert client_for(None).get("/api/docs/").status_code == 404
