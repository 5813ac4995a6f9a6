"""Content-Security-Policy for every page (no inline script or style anywhere, frames only
from the video providers the tenant actually embeds), and the baseline headers of every
response."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from themes.context_processors import preview_requested
from themes.selectors import frame_sources

Handler = Callable[[HttpRequest], HttpResponse]
# Pages whose forms go on to Stripe: sign-up (card first) and a site's billing page.
_PAYING_PATHS = ("/signup/", "/manage/billing/")


def csp_for(request: HttpRequest) -> tuple[str, bool]:
    """The policy for this request, and whether the page may be framed by its own site."""
    tenant = getattr(request, "tenant", None)
    on_tenant = tenant is not None and not tenant.is_public
    frames = list(frame_sources()) if on_tenant else []
    if request.path.startswith("/manage/theme/"):
        frames.insert(0, "'self'")  # the editor's live preview
    framed_preview = on_tenant and preview_requested(request)
    # A sign-up form's redirects end on the new tenant's host.
    form_targets = "'self'" if on_tenant else f"'self' *.{settings.ROOT_DOMAIN}:*"
    if settings.STRIPE_SECRET_KEY and request.path.startswith(_PAYING_PATHS):
        # Choosing a plan posts a form that redirects to Stripe's Checkout or portal, and
        # browsers hold a form's redirects to form-action too.
        form_targets += " " + " ".join(settings.STRIPE_PAGE_ORIGINS)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "frame-src": " ".join(frames) or "'none'",
        "frame-ancestors": "'self'" if framed_preview else "'none'",
        "form-action": form_targets,
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{key} {value}" for key, value in directives.items()), framed_preview


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response  # media files set their own, stricter one
        policy, framed_preview = csp_for(request)
        response["Content-Security-Policy"] = policy
        if framed_preview:
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response


# Features no page of ours uses: a page (or anything injected into one) cannot ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking", "browsing-topics",
    )
)  # fmt: skip
# For what is not a page (static files, health probes, JSON refusals): nothing runs, nothing
# frames it.
FALLBACK_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class BaselineHeadersMiddleware:
    """First in the chain, so it sees every response, including those returned before the
    page middleware ran (whitenoise's static files, health probes, NUL refusals, a read-only
    site's refusal): each gets a policy, framing refusal and Permissions-Policy unless it
    brought its own. A page returned early gets the page policy, so its stylesheet loads."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            is_page = response.get("Content-Type", "").startswith("text/html")
            policy = csp_for(request)[0] if is_page else FALLBACK_POLICY
            response["Content-Security-Policy"] = policy
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
