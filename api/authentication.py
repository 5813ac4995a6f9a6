"""How API callers prove who they are: a personal access token, or the site's own session."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, get_authorization_header
from rest_framework.request import Request

from api.models import ApiToken

# What a token looks like; anything else is refused before it reaches the database.
TOKEN_FORMAT = re.compile(r"tsq_[0-9a-f]{64}")
# The last-used time is written at most this often, so reading does not mean writing.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PersonalAccessTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer tsq_…`, looked up by its digest in this site's own table: a
    token made on one site is unknown on every other."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != b"bearer":
            return None  # no token: perhaps the session
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>', with nothing else."
            )
        return self.authenticate_credentials(words[1])

    def authenticate_credentials(self, token: bytes) -> tuple[Any, ApiToken]:
        text = token.decode("ascii", errors="replace")
        if not TOKEN_FORMAT.fullmatch(text):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token: ApiToken) -> tuple[Any, ApiToken]:
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class SiteSessionAuthentication(SessionAuthentication):
    """The site's own sign-in cookie, with its CSRF check on every write."""

    def authenticate_header(self, request: Request) -> str:
        # Gives a 401 (not 403) to callers who are not signed in, and tells them how to be.
        return "Bearer"
