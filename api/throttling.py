"""Request limits for the API: per token, per account and per visitor address, each counted
per tenant."""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from api.models import ApiToken
from townsquare.ratelimits import client_address


# DRF counts in the default cache, whose key function puts the tenant's schema in every key:
# one site's callers never use up another's allowance.
class _CurrentRateMixin:
    scope: str | None

    def get_rate(self) -> str:
        # Read for each request, not once at import as DRF does, so the settings in force
        # (API_ANON_RATE, API_USER_RATE, API_TOKEN_RATE) apply.
        return str(api_settings.DEFAULT_THROTTLE_RATES[str(self.scope)])

    def get_ident(self, request: Request) -> str:
        # The address our proxy saw, not whatever X-Forwarded-For the caller sends; only a
        # keyed digest of it reaches the cache.
        address = client_address(request._request)
        return salted_hmac("api.throttling", address).hexdigest()[:32]


class AnonymousRateThrottle(_CurrentRateMixin, AnonRateThrottle):
    """Callers who are not signed in, by address (API_ANON_RATE)."""


class AccountRateThrottle(_CurrentRateMixin, UserRateThrottle):
    """Signed-in accounts, by account, whichever way they sign in (API_USER_RATE)."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        # DRF's own version also counts anonymous callers by address; that is the
        # anonymous limit's job alone.
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class TokenRateThrottle(_CurrentRateMixin, SimpleRateThrottle):
    """Each personal access token on its own (API_TOKEN_RATE): one busy script does not use
    up its owner's whole allowance."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.token_key}
