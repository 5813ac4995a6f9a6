"""Writes for personal access tokens: made (shown once) and revoked by their owner."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from accounts.models import User
from api.models import ApiToken

# More than anyone needs by hand; a script that makes tokens in a loop stops here.
MAX_TOKENS_PER_USER = 20


class TokenLimitError(Exception):
    """Someone already has as many tokens as one person may."""


@transaction.atomic
def token_create(
    *, user: User, name: str, scope: str, valid_days: int | None
) -> tuple[ApiToken, str]:
    """A new token and its secret text, which is shown once and never kept."""
    if scope not in ApiToken.Scope.values:
        raise ValueError(f"Unknown token scope: {scope}")
    # Counted under a lock on the owner's row, so two requests cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise TokenLimitError(
            f"You have {MAX_TOKENS_PER_USER} tokens, the most one person may have. Revoke one "
            "you no longer use first."
        )
    expiry = timedelta(days=valid_days) if valid_days else None
    token, secret = ApiToken.objects.create(
        user=user, expiry=expiry, name=name.strip(), scope=scope
    )
    return token, secret


@transaction.atomic
def token_revoke(*, user: User, token_key: str) -> bool:
    """Revokes one of this person's tokens at once; False if they have no such token."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)
