"""Demo requests in the staff API: the pipeline newest first with the contact details staff
need, moved along as in the console, and a trial site made from one."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from tenants.models import DemoRequest, Signup
from tests.api.test_staff_api import V1, assert_problem, bearer, staff_account, staff_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


@pytest.fixture
def root(client_for: Callable[..., Client]) -> Client:
    return client_for(None)


def _demo(organisation: str, **fields: object) -> DemoRequest:
    values: dict[str, object] = {
        "name": "Susan Jones",
        "organisation": organisation,
        "role": "Participation lead",
        "email": f"susan@{organisation.split()[0].lower()}.example.org",
        "phone": "0151 496 0000",
        "message": "We'd like to see moderation.",
        "consent": True,
        **fields,
    }
    return DemoRequest.objects.create(**values)


def test_the_list_is_newest_first_with_contact_details_and_filters_open_or_closed(
    root: Client,
) -> None:
    older = _demo("Wirral Youth Partnership")
    DemoRequest.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    newer = _demo("Sefton Council", stage=DemoRequest.Stage.CONTACTED)
    won = _demo("Knowsley Forum", stage=DemoRequest.Stage.WON)
    auth = staff_token()

    def ids(query: str = "") -> list[int]:
        response = root.get(f"{V1}/demo-requests/{query}", **auth)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [won.pk, newer.pk, older.pk]
    assert ids("?state=open") == [newer.pk, older.pk]
    assert ids("?state=closed") == [won.pk]
    assert ids("?stage=contacted") == [newer.pk]
    row = root.get(f"{V1}/demo-requests/?state=open", **auth).json()["results"][0]
    assert (row["email"], row["phone"], row["name"]) == (
        "susan@sefton.example.org", "0151 496 0000", "Susan Jones",
    )  # fmt: skip
    assert (row["open"], row["trial"], row["owner"]) == (True, None, None)
    assert_problem(root.get(f"{V1}/demo-requests/?state=maybe", **auth), 400)
    assert_problem(root.get(f"{V1}/demo-requests/?stage=gone", **auth), 400)


def test_a_request_is_read_and_moved_along_the_pipeline_which_closes_it_when_lost(
    root: Client, caplog: pytest.LogCaptureFixture
) -> None:
    demo = _demo("Wirral Youth Partnership")
    staff = staff_account()
    auth = bearer(staff)
    url = f"{V1}/demo-requests/{demo.pk}/"
    caplog.set_level(logging.DEBUG)
    detail = root.get(url, **auth)
    assert detail.status_code == 200
    assert detail.json()["email"] == "susan@wirral.example.org"
    changed = root.patch(
        url,
        json.dumps({"stage": "demo_booked", "owner": staff.username, "notes": "Thursday 2pm."}),
        content_type="application/json",
        **auth,
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["stage"], body["owner"], body["notes"], body["open"]) == (
        "demo_booked", staff.username, "Thursday 2pm.", True,
    )  # fmt: skip
    lost = root.patch(url, json.dumps({"stage": "lost"}), content_type="application/json", **auth)
    assert (lost.json()["open"], lost.json()["notes"]) == (False, "Thursday 2pm.")
    demo.refresh_from_db()
    assert demo.closed_at is not None
    assert demo.owner == staff
    assert LogEntry.objects.filter(user=staff, object_id=str(demo.pk)).count() == 2
    # Contact details are answered to staff, never written to a log.
    assert "susan@wirral.example.org" not in caplog.text


def test_bad_changes_are_400_and_change_nothing(root: Client) -> None:
    demo = _demo("Wirral Youth Partnership")
    resident_like = staff_account()
    resident_like.is_staff = False
    resident_like.save()
    auth = staff_token()
    url = f"{V1}/demo-requests/{demo.pk}/"
    for body in (
        {"stage": "gone"},
        {"owner": "nobody-by-that-name"},
        {"owner": resident_like.username},  # not platform staff
        {"email": "other@example.org"},  # contact details are the requester's own
        ["lost"],
    ):
        response = root.patch(url, json.dumps(body), content_type="application/json", **auth)
        assert_problem(response, 400)
    demo.refresh_from_db()
    assert (demo.stage, demo.owner, demo.email) == ("new", None, "susan@wirral.example.org")
    assert_problem(root.get(f"{V1}/demo-requests/999999/", **auth), 404, "not_found")
    assert_problem(root.get(f"{V1}/demo-requests/{'9' * 30}/", **auth), 404)


def test_a_trial_site_is_made_from_a_request_as_in_the_console(root: Client) -> None:
    demo = _demo("Wirral Youth Partnership")
    auth = staff_token()
    url = f"{V1}/demo-requests/{demo.pk}/trial/"
    refused = root.post(url, json.dumps({"slug": "admin"}), content_type="application/json", **auth)
    assert "is reserved" in assert_problem(refused, 400)["detail"]
    assert not Signup.objects.filter(demo_request=demo).exists()
    made = root.post(
        url, json.dumps({"slug": "wirral-api"}), content_type="application/json", **auth
    )
    assert made.status_code == 202, made.content
    assert made["Location"].endswith(f"{V1}/tenants/wirral-api/")
    signup = Signup.objects.get(demo_request=demo)
    assert (signup.source, signup.admin_email, signup.password_hash) == (
        Signup.Source.STAFF, "susan@wirral.example.org", "",
    )  # fmt: skip
    shown = root.get(f"{V1}/demo-requests/{demo.pk}/", **auth).json()
    assert (shown["stage"], shown["trial"]) == ("trial", {"slug": "wirral-api", "status": "queued"})
    # A read token may look but not make one.
    read = staff_token(scope="read")
    again = root.post(
        url, json.dumps({"slug": "wirral-2"}), content_type="application/json", **read
    )
    assert_problem(again, 403)
