"""Logs carry no email address, username, IP address or post body."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tests.factories import DialogueFactory

pytestmark = pytest.mark.django_db


def test_a_whole_visit_leaves_nothing_personal_in_the_logs(
    client_for: Callable[..., Client], tenant_a: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    # Letters only: a hex token can hold seven digits, and the sign-up form refuses a username
    # that looks like a phone number.
    token = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:8])
    email, username, body = f"p{token}@example.org", f"Log{token}", f"Secret story {token}"
    address = "198.51.100.23"
    with tenant_context(tenant_a):
        DialogueFactory.create(slug=f"logs-{token}")
    client = client_for(tenant_a, REMOTE_ADDR=address)
    password = "a-long-memorable-passphrase"
    caplog.set_level(logging.DEBUG)
    signup = client.post(
        "/accounts/signup/",
        {"username": username, "email": email, "password1": password, "password2": password},
    )
    assert signup.status_code == 302, signup.context["form"].errors if signup.context else signup
    client.post("/accounts/login/", {"login": username, "password": "wrong"})
    # Sign-up ends on "check your email"; the password signs in straight away.
    assert (
        client.post("/accounts/login/", {"login": username, "password": password}).status_code
        == 302
    )
    client.post(
        f"/dialogues/logs-{token}/ideas/new/",
        {"title": "Held for email", "body": f"{body} {email}", "submission_key": str(uuid.uuid4())},
    )
    client.get("/no/such/page/")
    client.post(f"/dialogues/logs-{token}/ideas/new/", {"title": ""})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # something was logged, so the check means something
    for secret in (email, username, body, address):
        assert secret not in logged, f"{secret!r} appeared in the logs"


def test_email_addresses_are_taken_out_of_messages_and_tracebacks() -> None:
    import io
    import logging

    from townsquare.logredact import RedactEmails

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactEmails())
    logger = logging.getLogger("tests.redact")
    logger.addHandler(handler)
    try:
        logger.warning("Refused: %s", {"sam.jones@example.org": (550, b"no such user")})
        try:
            raise ValueError("recipient lee@example.co.uk refused")
        except ValueError:
            logger.exception("Sending failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "example.org" not in written
    assert "lee@" not in written
    assert written.count("[email removed]") == 3  # the message, the source line, the error
    assert "ValueError" in written
