"""Usernames keep residents pseudonymous: no contact details, no impersonation."""

from __future__ import annotations

import re

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
