"""Pages of the central site on the root domain, and the new site's first sign-in."""

from __future__ import annotations

import contextlib
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing import services as billing_services
from billing import stripe_gateway as billing_gateway
from billing.plans import PLANS, TRIAL
from tenants import services
from tenants.forms import START_PAID, DemoRequestForm, SignupForm, signup_preselection
from tenants.models import Signup
from tenants.pricing import cheapest_paid_plan, plan_comparison
from tenants.selectors import subdomain_problem, tenant_base_url_from
from tenants.services import demo_request_create, signup_create
from townsquare.lib.tenancy import tenant_salt
from townsquare.ratelimits import limit_posts


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html", {"from_plan": cheapest_paid_plan()})


def pricing(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": PLANS,
        "comparison": plan_comparison(),
        "paying_enabled": billing_gateway.enabled(),
    }
    return render(request, "tenants/pricing.html", context)


def customer_story(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/customer_story.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/privacy.html")


DEMO_SENT_SESSION_KEY = "demo_request_sent"


@limit_posts("demo")
def demo_request(request: HttpRequest) -> HttpResponse:
    form = DemoRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        demo_request_create(request=form.to_model())
        # Post/redirect/get: refreshing the thank-you page must not send the request again.
        request.session[DEMO_SENT_SESSION_KEY] = True
        return redirect("demo_thanks")
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/demo_request.html", {"form": form}, status=status)


def demo_thanks(request: HttpRequest) -> HttpResponse:
    """Thanks, for the browser that sent a request; anyone else is shown the form."""
    if not request.session.get(DEMO_SENT_SESSION_KEY):
        return redirect("demo_request")
    return render(request, "tenants/demo_thanks.html")


SIGNUPS_SESSION_KEY = "signups"
STATUS_SALT = "townsquare.signup-status"
HANDOFF_SALT = "townsquare.signup-handoff"
HANDOFF_MAX_AGE = 600
STATUS_WAIT_SECONDS = 3.0


@limit_posts("signup")
def signup(request: HttpRequest) -> HttpResponse:
    owned = request.session.get(SIGNUPS_SESSION_KEY, [])
    if request.method == "POST":
        # A second click on the same form goes where the first one went.
        repeat = Signup.objects.filter(
            submit_key=request.POST.get("submit_key", ""), pk__in=owned
        ).first()
        if repeat is not None:
            return redirect("signup_status", token=signup_status_token(repeat))
    # The pricing page's buttons arrive with their plan (and whether to pay now) chosen.
    preselection = signup_preselection(request.GET)
    form = SignupForm(
        request.POST if request.method == "POST" else None,
        initial={**preselection.initial, "submit_key": secrets.token_urlsafe(24)},
        paying_enabled=billing_gateway.enabled(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pay_first = data.get("start") == START_PAID
        try:
            created = signup_create(
                organisation=data["organisation"],
                slug=data["slug"],
                admin_email=data["admin_email"],
                password=data["password"],
                plan=data["plan"],
                submit_key=data["submit_key"],
                pay_first=pay_first,
            )
        except ValidationError as error:
            # Raced by another sign-up for the same name since the form was checked.
            form.add_error("slug" if "slug" in error.message_dict else None, error.messages)
        else:
            # Only this browser may follow the sign-up to its new site, signed in.
            request.session[SIGNUPS_SESSION_KEY] = [*owned[-9:], created.pk]
            if created.status == Signup.Status.AWAITING_PAYMENT:
                return _to_checkout(request, created)
            return redirect("signup_status", token=signup_status_token(created))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "preselection": preselection, "trial": TRIAL}
    return render(request, "tenants/signup.html", context, status=status)


def _to_checkout(request: HttpRequest, signup: Signup) -> HttpResponse:
    """Off to Stripe Checkout for a paid sign-up; back to its status page if Stripe is down."""
    status_url = request.build_absolute_uri(
        reverse("signup_status", kwargs={"token": signup_status_token(signup)})
    )
    try:
        return redirect(
            billing_services.signup_checkout_start(signup=signup, status_url=status_url)
        )
    except (billing_gateway.BillingUnavailableError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(status_url)


@require_POST
def signup_pay(request: HttpRequest, token: str) -> HttpResponse:
    """The status page's "Continue to payment": a fresh Checkout for the sign-up's owner."""
    signup = _owned_signup(request, token)
    if signup.status != Signup.Status.AWAITING_PAYMENT:
        return redirect("signup_status", token=token)
    return _to_checkout(request, signup)


def _owned_signup(request: HttpRequest, token: str) -> Signup:
    try:
        signup_id = signing.loads(token, salt=tenant_salt(STATUS_SALT))
    except signing.BadSignature:
        raise Http404 from None
    if signup_id not in request.session.get(SIGNUPS_SESSION_KEY, []):
        raise Http404
    return get_object_or_404(Signup, pk=signup_id)


def signup_check(request: HttpRequest) -> HttpResponse:
    """The live answer beside the address field: free, taken, reserved or malformed."""
    slug = request.GET.get("slug", "").strip().lower()[:80]
    problem = subdomain_problem(slug=slug) if slug else ""
    return render(
        request,
        "tenants/_slug_status.html",
        {"slug": slug, "problem": problem, "root_domain": settings.ROOT_DOMAIN},
    )


def signup_status_token(signup: Signup) -> str:
    """The status page's address: it opens on the central site only."""
    return signing.dumps(signup.pk, salt=tenant_salt(STATUS_SALT))


def signup_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        signup_id = signing.loads(token, salt=tenant_salt(STATUS_SALT))
    except signing.BadSignature:
        raise Http404 from None
    found = Signup.objects.select_related("tenant").filter(pk=signup_id).first()
    if found is None:
        raise Http404
    owner = found.pk in request.session.get(SIGNUPS_SESSION_KEY, [])
    checkout = request.GET.get("checkout", "")
    if owner and found.status == Signup.Status.AWAITING_PAYMENT and checkout.startswith("cs_"):
        # Back from Checkout: take its result now instead of waiting for the webhook.
        # If Stripe cannot be asked now, the webhook settles it; the page polls meanwhile.
        with contextlib.suppress(billing_gateway.BillingUnavailableError):
            billing_services.signup_checkout_return(signup=found, session_id=checkout[:255])
        found.refresh_from_db()
    if owner and not found.finished and not request.htmx:  # type: ignore[attr-defined]
        found = _signup_wait(found)
    ready = found.status == Signup.Status.READY and found.tenant is not None
    if ready and owner and found.handed_off_at is None and found.tenant is not None:
        # Signed for the new site: it opens there and nowhere else.
        token = signing.dumps(found.pk, salt=tenant_salt(HANDOFF_SALT, found.tenant))
        url = tenant_base_url_from(tenant=found.tenant, request=request) + reverse(
            "welcome", urlconf=settings.ROOT_URLCONF, kwargs={"token": token}
        )
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
    if request.htmx and request.GET.get("seen") == found.status:  # type: ignore[attr-defined]
        # Nothing new: no swap, so screen readers hear only real changes.
        return HttpResponse(status=204)
    site_url = tenant_base_url_from(tenant=found.tenant, request=request) if found.tenant else ""
    context = {
        "signup": found,
        "site_url": site_url,
        "owner": owner,
        "checkout_cancelled": checkout == "cancelled",
    }
    template = "tenants/_signup_progress.html" if request.htmx else "tenants/signup_status.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _signup_wait(signup: Signup) -> Signup:
    """Holds the first view of the status page briefly: a warm pool finishes well within it,
    so most people go straight to their site without a refresh."""
    deadline = time.monotonic() + STATUS_WAIT_SECONDS
    waiting = {Signup.Status.QUEUED, Signup.Status.PROVISIONING}
    while signup.status in waiting and time.monotonic() < deadline:
        time.sleep(0.05)
        signup.refresh_from_db()
    return signup


def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """On the new site: signs its first admin in once, straight from the sign-up."""
    try:
        signup_id = signing.loads(token, salt=tenant_salt(HANDOFF_SALT), max_age=HANDOFF_MAX_AGE)
    except signing.BadSignature:
        return redirect("account_login")
    admin = services.signup_hand_off(signup_id=signup_id, tenant=request.tenant)  # type: ignore[attr-defined]
    if admin is None:
        return redirect("account_login")
    login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("backoffice:dashboard")
