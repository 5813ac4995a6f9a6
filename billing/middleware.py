"""Read-only sites: residents read everything, and posting anything says why it cannot."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.models import Tenant

# What residents may still post on a read-only site: signing in and out, resetting a
# password, their own data and account (deleting it included), the quick exit, and every
# way of raising the alarm: reporting a post or telling the safeguarding leads privately
# never depends on the organisation's bill.
_ALLOWED_PREFIXES = (
    "/accounts/", "/exit/", "/notifications/", "/report/", "/worried/", "/tell-us-privately/",
)  # fmt: skip
_REFUSED_PREFIXES = ("/accounts/signup/",)
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
READ_ONLY_MESSAGE = (
    "Posting is paused on this site for now because its subscription has ended. You can "
    "still read everything; nothing already posted has been lost."
)


class ReadOnlySiteMiddleware:
    """After authentication: on a read-only site, a resident's post is refused with the
    reason (403); the organisation's staff go on working in /manage/ and answering."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            # The API applies the same rule itself (api.permissions.SiteTakesPosts), once it
            # knows who calls: a token's owner is not known here yet.
            not request.path_info.startswith("/api/")
            and isinstance(tenant, Tenant)
            and tenant.status == Tenant.Status.READ_ONLY
            and request.method not in _SAFE_METHODS
            and not getattr(request.user, "is_tenant_staff", False)
            and _refused(request.path_info)
        ):
            return render(
                request,
                "billing/read_only.html",
                {"message": READ_ONLY_MESSAGE},
                status=403,
            )
        return self.get_response(request)


def _refused(path: str) -> bool:
    return path.startswith(_REFUSED_PREFIXES) or not path.startswith(_ALLOWED_PREFIXES)
