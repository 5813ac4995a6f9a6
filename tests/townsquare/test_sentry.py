"""What sentry-sdk really sends: tagged with the tenant, free of personal data."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.sentry_endpoint import SentryEndpoint, sentry_endpoint_start
from townsquare.sentry import sentry_init

# Made at run time, so the source context Sentry sends with a frame cannot contain them.
_TOKEN = uuid.uuid4().hex[:10]
EMAIL = f"resident-{_TOKEN}@example.org"
BODY = f"I was hurt outside the shop on {_TOKEN} Street"
ADDRESS = f"203.0.113.{int(_TOKEN[:2], 16) % 250 + 1}"
USERNAME = f"Named{_TOKEN}"


def failing_view(request: HttpRequest) -> HttpResponse:
    logging.getLogger("dialogues").info("handling a post of %d characters", len(request.body))
    raise RuntimeError("posting failed")


urlpatterns = [
    path("boom/", failing_view),
    path("", include("townsquare.urls_tenant")),
]


@pytest.fixture
def sentry() -> Iterator[SentryEndpoint]:
    endpoint = sentry_endpoint_start()
    assert sentry_init(dsn=endpoint.dsn, environment="test", traces_sample_rate=0.0)
    yield endpoint
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)
    endpoint.server.shutdown()


def test_sentry_stays_off_without_a_dsn() -> None:
    assert sentry_init(dsn=None, environment="test", traces_sample_rate=0.0) is False
    assert sentry_init(dsn="", environment="test", traces_sample_rate=0.0) is False


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_request_error_is_tagged_with_the_tenant_and_carries_no_personal_data(
    sentry: SentryEndpoint, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client = client_for(tenant_a, raise_request_exception=False)
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(username=USERNAME, email=EMAIL))
    response = client.post(
        f"/boom/?email={EMAIL}",
        {"email": EMAIL, "body": BODY},
        headers={"x-forwarded-for": ADDRESS, "cookie": f"sessionid=secret-session-{_TOKEN}"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 500
    sentry_sdk.flush(5)

    events = sentry.events()
    assert len(events) == 1
    event = events[0]
    assert event["tags"]["tenant"] == tenant_a.schema_name
    assert event["exception"]["values"][0]["value"] == "posting failed"
    raw = sentry.raw().decode()
    for secret in (EMAIL, _TOKEN, BODY, ADDRESS, "secret-session", USERNAME):
        assert secret not in raw, f"{secret!r} reached Sentry in {raw}"
    assert "data" not in event.get("request", {})
    assert "cookies" not in event.get("request", {})


@pytest.mark.django_db
def test_an_error_outside_a_request_is_tagged_with_the_schema_it_ran_in(
    sentry: SentryEndpoint, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_b):
        try:
            raise ValueError("task failed")
        except ValueError as error:
            sentry_sdk.capture_exception(error)
    sentry_sdk.flush(5)
    events = sentry.events()
    assert [event["tags"]["tenant"] for event in events] == [tenant_b.schema_name]
