"""Which tenant a token belongs to: every signed or stored token is bound to this scope."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django_tenants.utils import get_tenant_model


def tenant_scope(tenant: Any = None) -> str:
    """Names a tenant (by default the one this connection serves) for binding tokens to it.

    The schema name alone would do while a site lives; the id is there too because ids are
    never reused, so a site deleted and signed up again under the same name does not
    accept the old site's tokens.
    """
    tenant = tenant if tenant is not None else connection.tenant  # type: ignore[attr-defined]
    schema = str(tenant.schema_name)
    # schema_context() and the test harness set a stand-in with a schema name only.
    pk = getattr(tenant, "pk", None)
    if pk is None:
        pk = (
            get_tenant_model()
            .objects.filter(schema_name=schema)
            .values_list("pk", flat=True)
            .first()
        )
    return f"{schema}#{pk or ''}"


def tenant_salt(purpose: str, tenant: Any = None) -> str:
    """A signing salt for purpose that only this tenant's site will accept."""
    return f"{purpose}@{tenant_scope(tenant)}"
