"""Usernames keep residents pseudonymous: no contact details, no impersonation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django_tenants.utils import tenant_context

from accounts.handles import handle_suggestions
from accounts.models import User
from accounts.validators import USERNAME_VALIDATORS
from tenants.models import Tenant


def _validate(value: str) -> None:
    for validate in USERNAME_VALIDATORS:
        validate(value)


@pytest.mark.parametrize("name", ["QuietOtter42", "sam", "Sam_99", "a" * 30, "Room101"])
def test_pseudonymous_names_are_accepted(name: str) -> None:
    _validate(name)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ab", "3 to 30"),
        ("a" * 31, "3 to 30"),
        ("has space", "3 to 30"),
        ("<script>", "3 to 30"),
        ("sam@example.org", "email address"),
        ("jo_at_gmail_dot_com", "email address"),
        ("call07700900123", "phone number"),
        ("sam_0770_090_0123", "phone number"),
        ("Admin", "reserved"),
        ("moderator", "reserved"),
    ],
)
def test_names_that_identify_or_impersonate_are_refused(name: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        _validate(name)


@pytest.mark.django_db
def test_usernames_are_unique_whatever_their_case(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        User.objects.create_user(username="QuietOtter42")
        with pytest.raises(IntegrityError):
            User.objects.create_user(username="quietotter42")


@pytest.mark.django_db
def test_handle_suggestions_are_friendly_distinct_and_free(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        suggestions = handle_suggestions(count=4)
        assert len(suggestions) == 4
        assert len({s.lower() for s in suggestions}) == 4
        for handle in suggestions:
            assert re.fullmatch(r"[A-Z][a-z]+[A-Z][a-z]+\d{2}", handle)
            _validate(handle)
            assert not User.objects.filter(username__iexact=handle).exists()


# A sign-up link's ?handle= reaches the validators at any length. Run in a child process so
# a pattern that backtracks cannot hang the suite; the old unbounded "at ... dot" pattern
# spent more than seven seconds of CPU on these, the bounded ones a few hundredths.
_LONG_HANDLES = r"""
import time
from django.core.exceptions import ValidationError
from accounts.validators import USERNAME_VALIDATORS

started = time.process_time()
for text in ("a" + "at" * 20000, "1 2 3 4 5 6 x" * 3000, "x_at_" * 8000):
    for validate in USERNAME_VALIDATORS:
        try:
            validate(text)
        except ValidationError:
            pass
print(time.process_time() - started)
"""


def test_a_very_long_handle_is_checked_in_bounded_time() -> None:
    platform = Path(__file__).resolve().parents[2] / "platform"
    try:
        done = subprocess.run(
            [sys.executable, "-c", _LONG_HANDLES],
            cwd=platform,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("checking a long handle hung for 60 s")
    assert float(done.stdout) < 1.0, f"{done.stdout.strip()} s of CPU: a pattern backtracks"
