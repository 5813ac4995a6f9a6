"""A real worker emails every safeguarding lead, with a link and nothing of the concern."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from moderation.models import SafeguardingConcern
from moderation.services import safeguarding_raise
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker


@pytest.mark.worker
@pytest.mark.usefixtures("committed_db")
def test_the_worker_emails_every_lead_when_a_concern_is_raised(
    celery_worker: Worker, smtp_sink: SmtpSink, tenant_a: Tenant
) -> None:
    stamp = time.monotonic_ns() % 10**8
    address = f"lead{stamp}@example.org"
    with tenant_context(tenant_a):
        lead = UserFactory.create(
            username=f"Lead{stamp}", role=User.Role.SAFEGUARDING, email=address
        )
        concern = safeguarding_raise(category="harm", raised_by=None, message=f"Worry {stamp}")
    try:
        deadline = time.monotonic() + 30
        while not any(address in str(m["To"]) for m in smtp_sink.messages):
            assert time.monotonic() < deadline, celery_worker.log()
            time.sleep(0.2)
        message = next(m for m in smtp_sink.messages if address in str(m["To"]))
        body = message.get_content()
        assert f"#concern-{concern.pk}" in body
        assert f"Worry {stamp}" not in body
    finally:
        with tenant_context(tenant_a):
            SafeguardingConcern.objects.filter(pk=concern.pk).delete()
            User.objects.filter(pk=lead.pk).delete()
