"""Signed unsubscribe links: one resident's, valid only on the site that mailed it."""

from __future__ import annotations

from django.core import signing

from accounts.models import User
from townsquare.lib.tenancy import tenant_scope

_UNSUBSCRIBE_SALT = "townsquare.notifications.unsubscribe"


def unsubscribe_token(*, user: User) -> str:
    """A token that turns this resident's emails off, valid only on this tenant's site."""
    return signing.dumps({"u": user.pk, "s": tenant_scope()}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_user_id(*, token: str) -> int | None:
    """The resident a token names, if it is genuine and was made on this site."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != tenant_scope():
        return None
    user_id = data.get("u")
    return user_id if isinstance(user_id, int) else None
