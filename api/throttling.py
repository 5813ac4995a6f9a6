"""Request limits for the API: per visitor address or per account, counted per tenant."""

from __future__ import annotations

from django.utils.crypto import salted_hmac
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from townsquare.ratelimits import client_address


# DRF counts in the default cache, whose key function puts the tenant's schema in every key:
# one site's callers never use up another's allowance.
class _ClientAddressMixin:
    scope: str | None

    def get_rate(self) -> str:
        # Read for each request, not once at import as DRF does, so the settings in force
        # (API_ANON_RATE, API_USER_RATE) apply.
        return str(api_settings.DEFAULT_THROTTLE_RATES[str(self.scope)])

    def get_ident(self, request: Request) -> str:
        # The address our proxy saw, not whatever X-Forwarded-For the caller sends; only a
        # keyed digest of it reaches the cache.
        address = client_address(request._request)
        return salted_hmac("api.throttling", address).hexdigest()[:32]


class AnonymousRateThrottle(_ClientAddressMixin, AnonRateThrottle):
    """Visitors who are not signed in, by address (API_ANON_RATE)."""


class AccountRateThrottle(_ClientAddressMixin, UserRateThrottle):
    """Signed-in accounts, by account (API_USER_RATE)."""
