"""Demo requests: stored, acknowledged, worked in the staff pipeline, purged after closing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from tenants.models import DemoRequest
from tenants.services import demo_requests_purge
from tenants.tasks import demo_request_emails

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

FORM = {
    "name": "Susan",
    "organisation": "Merseyside VRP",
    "role": "Engagement lead",
    "email": "susan@example.org",
    "phone": "0151 496 0000",
    "message": "Five boroughs",
    "consent": "on",
}


@override_settings(STAFF_EMAILS=["sales@townsquare.example"])
def test_a_demo_request_is_stored_and_both_sides_are_emailed(
    client_for: Callable[..., Client],
) -> None:
    landing = client_for(None).get("/").content.decode()
    assert "Request a free demo" in landing
    response = client_for(None).post("/demo/", FORM, follow=True)
    assert "we'll be in touch" in response.content.decode()
    demo = DemoRequest.objects.get()
    assert (demo.stage, demo.organisation) == (DemoRequest.Stage.NEW, "Merseyside VRP")
    assert demo_request_emails(demo_request_id=demo.pk) == 2
    staff, requester = mail.outbox[-2], mail.outbox[-1]
    assert staff.to == ["sales@townsquare.example"]
    assert "susan@example.org" not in str(staff.body)
    assert requester.to == ["susan@example.org"]
    assert "We won't share your contact details" in str(requester.body)


def test_refreshing_the_thank_you_page_stores_and_sends_nothing_again(
    client_for: Callable[..., Client], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(None)
    with django_capture_on_commit_callbacks() as queued:
        thanks = client.post("/demo/", FORM, follow=True)
    assert "we'll be in touch" in thanks.content.decode()
    assert len(queued) == 1  # the emails to staff and the requester
    # A browser's refresh repeats the request that showed the page (a POST resends the form).
    method, path = thanks.request["REQUEST_METHOD"], thanks.request["PATH_INFO"]
    with django_capture_on_commit_callbacks() as queued_again:
        refreshed = client.post(path, FORM) if method == "POST" else client.get(path)
    assert refreshed.status_code == 200
    assert "we'll be in touch" in refreshed.content.decode()
    assert DemoRequest.objects.count() == 1
    assert queued_again == []


def test_the_thank_you_page_is_only_for_someone_who_sent_a_request(
    client_for: Callable[..., Client],
) -> None:
    response = client_for(None).get("/demo/thanks/")
    assert response.status_code == 302
    assert response["Location"] == "/demo/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": ""}, "This field is required"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"organisation": ""}, "This field is required"),
        ({"phone": "12"}, "at least 7 digits"),
        ({"message": "x" * 3001}, "at most 3000 characters"),
        ({"website": "http://bot.example"}, "Something went wrong"),
    ],
)
def test_bad_demo_requests_are_refused_and_nothing_is_stored(
    client_for: Callable[..., Client], overrides: dict[str, str], message: str
) -> None:
    form = {k: v for k, v in (FORM | overrides).items() if v != ""}
    response = client_for(None).post("/demo/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DemoRequest.objects.exists()


def test_contact_details_are_purged_after_a_request_is_closed() -> None:
    old = DemoRequest.objects.create(
        **{k: v for k, v in FORM.items() if k != "consent"}, consent=True
    )
    old.stage = DemoRequest.Stage.LOST
    old.save()
    open_request = DemoRequest.objects.create(
        **{k: v for k, v in FORM.items() if k != "consent"}, consent=True
    )
    DemoRequest.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=200))
    assert demo_requests_purge() == 1
    old.refresh_from_db()
    open_request.refresh_from_db()
    assert (old.email, old.phone, old.message) == ("removed@invalid", "", "")
    assert open_request.email == "susan@example.org"
    assert demo_requests_purge() == 0


def test_staff_work_the_pipeline_in_the_console(platform_staff: Client) -> None:
    client = platform_staff
    demo = DemoRequest.objects.create(
        **{k: v for k, v in FORM.items() if k != "consent"}, consent=True
    )
    page = client.get("/staff/tenants/demorequest/").content.decode()
    assert "Merseyside VRP" in page
    client.post(
        f"/staff/tenants/demorequest/{demo.pk}/change/",
        {
            **{k: v for k, v in FORM.items() if k != "consent"},
            "stage": "won",
            "notes": "Signed",
            "owner": "",
        },
    )
    demo.refresh_from_db()
    assert demo.stage == DemoRequest.Stage.WON
    assert demo.closed_at is not None
