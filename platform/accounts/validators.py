"""Rules for usernames: short, pseudonymous, and never a way to reach the person."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

USERNAME_MIN = 3
USERNAME_MAX = 30
# Seven or more digits, however separated, look like a phone number. Both patterns are
# bounded (seven digits are enough to find; a name is at most USERNAME_MAX characters): the
# sign-up links' ?handle= reaches them before any length check.
_PHONE_RE = re.compile(r"(?:\d[\s_.-]?){7}")
_SPELLED_EMAIL_RE = re.compile(
    rf"[a-z0-9]_?at_?[a-z0-9]{{1,{USERNAME_MAX}}}_?dot_?(com|net|org|uk)"
)
_RESERVED = {
    "admin", "administrator", "moderator", "staff", "official", "townsquare", "support",
    "safeguarding", "system", "root", "anonymous", "former_participant",
}  # fmt: skip

username_charset = RegexValidator(
    regex=rf"^[A-Za-z0-9_]{{{USERNAME_MIN},{USERNAME_MAX}}}$",
    message=(
        f"Use {USERNAME_MIN} to {USERNAME_MAX} letters, digits or underscores, "
        "with no spaces or other symbols."
    ),
    code="invalid_username",
)


def username_not_contact_details(value: str) -> None:
    """Refuses usernames that are, or contain, a phone number or an email address."""
    if "@" in value or _SPELLED_EMAIL_RE.search(value.lower()):
        raise ValidationError(
            "Your username cannot contain an email address. Choose a name that does not "
            "identify you.",
            code="username_email",
        )
    if _PHONE_RE.search(value):
        raise ValidationError(
            "Your username cannot contain a phone number. Choose a name that does not "
            "identify you.",
            code="username_phone",
        )


def username_not_reserved(value: str) -> None:
    if value.lower() in _RESERVED:
        raise ValidationError("That username is reserved. Please choose another.", code="reserved")


USERNAME_VALIDATORS: list[Callable[[str], None]] = [
    # Contact details first, so "sam@example.org" is told why, not just which characters.
    username_not_contact_details,
    username_charset,
    username_not_reserved,
]
