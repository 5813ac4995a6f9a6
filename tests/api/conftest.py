"""Fixtures for API tests: callers holding personal access tokens on a tenant's host."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from api.services import token_create
from tenants.models import Tenant


def host_of(tenant: Tenant | None) -> str:
    return settings.ROOT_DOMAIN if tenant is None else f"{tenant.slug}.{settings.ROOT_DOMAIN}"


class ApiClient(Client):
    """A test client that sends JSON by default, as API callers do."""

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:  # type: ignore[override]
        kw.setdefault("content_type", "application/json")
        return super().post(path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:  # type: ignore[override]
        kw.setdefault("content_type", "application/json")
        return super().patch(path, data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any) -> Any:  # type: ignore[override]
        kw.setdefault("content_type", "application/json")
        return super().put(path, data, **kw)

    def delete(self, path: str, data: Any = None, **kw: Any) -> Any:  # type: ignore[override]
        kw.setdefault("content_type", "application/json")
        return super().delete(path, data, **kw)


@pytest.fixture
def token_for() -> Callable[..., str]:
    """The secret of a new token for this user on this tenant (read_write unless said)."""

    def make(tenant: Tenant | None, user: User, scope: str = "read_write", **kwargs: Any) -> str:
        if tenant is None:
            _, secret = token_create(
                user=user, name="test", scope=scope, valid_days=kwargs.get("valid_days")
            )
            return secret
        with tenant_context(tenant):
            _, secret = token_create(
                user=user, name="test", scope=scope, valid_days=kwargs.get("valid_days")
            )
        return secret

    return make


@pytest.fixture
def api_for(token_for: Callable[..., str]) -> Callable[..., ApiClient]:
    """A JSON client on a tenant's host: anonymous, or holding a token of `user`."""

    def make(
        tenant: Tenant, user: User | None = None, scope: str = "read_write", **extra: Any
    ) -> ApiClient:
        headers = {"host": host_of(tenant)}
        if user is not None:
            headers["authorization"] = f"Bearer {token_for(tenant, user, scope)}"
        return ApiClient(headers=headers, **extra)

    return make
