"""Limits on how fast one account or one address can post, comment and rate.

Counters live in the cache, whose keys carry the tenant's schema, so limits never cross
tenants; django-ratelimit hashes the address into the key, so no IP is stored in clear.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

# group: (per account, per address)
LIMITS: dict[str, tuple[str, str]] = {
    "idea": ("5/10m", "30/h"),
    "comment": ("12/5m", "90/h"),
    "rating": ("60/h", "300/h"),
    "report": ("10/h", "30/h"),
    "join": ("20/h", "40/h"),
    "demo": ("5/h", "10/h"),
    # Per address only in effect (visitors are anonymous): a storm from one place is
    # refused while sign-ups from everywhere else go through.
    "signup": ("10/h", "10/h"),
}

View = Callable[..., HttpResponse]


def client_address(request: HttpRequest) -> str:
    """The visitor's address: behind our proxy (HTTPS), the one it appended last."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.HTTPS and forwarded:
        return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def over_limit(request: HttpRequest, group: str) -> bool:
    """Counts this POST against both limits; True when either is exceeded."""
    per_account, per_address = LIMITS[group]
    limited = False
    for key, rate in (("user_or_ip", per_account), ("ip", per_address)):
        if is_ratelimited(
            request, group=f"{group}:{key}", key=key, rate=rate, method="POST", increment=True
        ):
            limited = True
    return limited


def limit_posts(group: str) -> Callable[[View], View]:
    """Refuses a POST over the limit with a clear message and 429, changing nothing."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and over_limit(request, group):
                response = render(request, "townsquare/429.html", status=429)
                # htmx leaves a 429 unswapped: show the page's message by loading it whole.
                response["HX-Retarget"] = "body"
                response["HX-Reswap"] = "innerHTML"
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
