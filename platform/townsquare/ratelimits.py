"""Limits on how fast one account or one address can post, comment and rate.

Counters live in the cache, whose keys carry the tenant's schema, so limits never cross
tenants; django-ratelimit hashes the address into the key, so no IP is stored in clear.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

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
# Where a refused attempt is itself what the limit is for: a wrong join code is a guess.
EVERY_ATTEMPT_COUNTS = frozenset({"join"})

View = Callable[..., HttpResponse]


# Requests whose address is missing or unreadable (a Unix socket with no proxy header, a
# proxy misconfigured) share one allowance rather than escaping every limit.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104  (a bucket name, nothing listens on it)


def client_address(request: HttpRequest) -> str:
    """The visitor's address: behind our proxy (HTTPS), the one it appended last."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.HTTPS and forwarded:
        address = forwarded.split(",")[-1].strip()
    else:
        address = str(request.META.get("REMOTE_ADDR", ""))
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return UNKNOWN_ADDRESS


def _keys(group: str) -> tuple[tuple[str, str, str], ...]:
    per_account, per_address = LIMITS[group]
    return ((f"{group}:user_or_ip", "user_or_ip", per_account), (f"{group}:ip", "ip", per_address))


def seconds_until_allowed(request: HttpRequest, group: str) -> int | None:
    """How long until this POST would be within both limits, or None if it is now; counts
    nothing. The site's pages and the API share these counters."""
    waits = []
    for name, key, rate in _keys(group):
        usage = get_usage(request, group=name, key=key, rate=rate, method="POST")
        if usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"]):
            waits.append(max(1, int(usage["time_left"])))
    return max(waits) if waits else None


def over_limit(request: HttpRequest, group: str) -> bool:
    """True when this POST would go over either limit; counts nothing."""
    return seconds_until_allowed(request, group) is not None


def count_post(request: HttpRequest, group: str) -> None:
    """Counts one accepted POST against both limits."""
    for name, key, rate in _keys(group):
        get_usage(request, group=name, key=key, rate=rate, method="POST", increment=True)


def limit_posts(group: str) -> Callable[[View], View]:
    """Refuses a POST over the limit with a clear message and 429, changing nothing.

    Only what the view accepted counts (a response below 400): a form refused for being
    empty, too long or not allowed saves nothing, so it must not use up the person's
    allowance ("12 comments in 5 minutes" means 12 posted). Join codes are the exception:
    every attempt counts, or wrong codes could be guessed without end. The check and the
    count are two steps, so requests racing at the limit's edge can pass it by at most
    their number.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                return view(request, *args, **kwargs)
            if over_limit(request, group):
                response = render(request, "townsquare/429.html", status=429)
                # htmx leaves a 429 unswapped: show the page's message by loading it whole.
                response["HX-Retarget"] = "body"
                response["HX-Reswap"] = "innerHTML"
                return response
            response = view(request, *args, **kwargs)
            if response.status_code < 400 or group in EVERY_ATTEMPT_COUNTS:
                count_post(request, group)
            return response

        return wrapped

    return decorate
