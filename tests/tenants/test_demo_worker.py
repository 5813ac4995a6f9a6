"""A demo request reaches staff and the requester through the real worker and mail server."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings
from django.test import Client

from tenants.models import DemoRequest
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import STAFF_INBOX, Worker

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("committed_db")]


def test_staff_and_the_requester_are_emailed_by_the_worker(
    celery_worker: Worker, smtp_sink: SmtpSink
) -> None:
    stamp = uuid.uuid4().hex[:8]
    requester = f"sam.{stamp}@example.org"
    organisation = f"Sefton Youth {stamp}"
    client = Client(headers={"host": settings.ROOT_DOMAIN}, REMOTE_ADDR="192.0.2.77")
    response = client.post(
        "/demo/",
        {
            "name": "Sam",
            "organisation": organisation,
            "role": "Lead",
            "email": requester,
            "phone": "0151 496 0000",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/demo/thanks/"
    demo = DemoRequest.objects.get(organisation=organisation)
    try:

        def delivered() -> list[str]:
            return [
                str(m["To"])
                for m in smtp_sink.messages
                if organisation in str(m["Subject"]) or requester in str(m["To"])
            ]

        deadline = time.monotonic() + 30
        while len(delivered()) < 2:
            assert time.monotonic() < deadline, celery_worker.log()[-3000:]
            time.sleep(0.1)
        staff = next(m for m in smtp_sink.messages if organisation in str(m["Subject"]))
        assert str(staff["To"]) == STAFF_INBOX
        body = staff.get_content()
        assert requester not in body
        assert "0151" not in body
        assert f"/staff/tenants/demorequest/{demo.pk}/change/" in body
        thanks = next(m for m in smtp_sink.messages if requester in str(m["To"]))
        assert "We won't share your contact details" in thanks.get_content()
    finally:
        demo.delete()
