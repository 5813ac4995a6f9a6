"""A tenant admin's billing pages: plan, status, invoices, Checkout and the customer portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.roles import Capability
from backoffice.access import capability_required
from billing import services
from billing import stripe_gateway as gateway
from billing.plans import PAID_PLANS, plan_get
from billing.selectors import billing_status
from tenants.models import Tenant
from tenants.selectors import tenant_base_url_from


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    return tenant


@capability_required(Capability.MANAGE_BILLING)
def overview(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    checkout = request.GET.get("checkout", "")
    if checkout.startswith("cs_"):
        try:
            if services.checkout_return(tenant=tenant, session_id=checkout[:255]):
                tenant.refresh_from_db()
                messages.success(
                    request,
                    f"Thank you: {tenant.name} is now on the {plan_get(tenant.plan).name} plan.",
                )
        except services.ForeignCheckoutError:
            raise Http404("No such payment on this site") from None
        except gateway.BillingUnavailableError as error:
            messages.info(request, f"{error} Your payment is recorded as soon as it arrives.")
        return redirect("billing:overview")
    if checkout == "cancelled":
        messages.info(request, "The payment was not completed; nothing was charged.")
        return redirect("billing:overview")
    status = billing_status(tenant=tenant, now=timezone.now())
    invoices, invoices_problem = [], ""
    if status.online and status.account.stripe_customer_id:
        try:
            invoices = gateway.invoices_list(customer=status.account.stripe_customer_id)
        except gateway.BillingUnavailableError:
            invoices_problem = "Your invoices cannot be shown just now. Please try again later."
    context = {
        "status": status,
        "choices": services.plans_for(tenant=tenant),
        "invoices": invoices,
        "invoices_problem": invoices_problem,
    }
    return render(request, "billing/overview.html", context)


@require_POST
@capability_required(Capability.MANAGE_BILLING)
def choose_plan(request: HttpRequest) -> HttpResponse:
    """Starts Checkout for the chosen plan (or moves a live subscription to it)."""
    tenant = _tenant(request)
    plan = next((p for p in PAID_PLANS if p.key == request.POST.get("plan")), None)
    if plan is None:
        messages.error(request, "Choose one of the plans listed.")
        return redirect("billing:overview")
    try:
        url = services.checkout_start(
            tenant=tenant,
            plan=plan,
            email=signed_in_user(request).email,
            base_url=tenant_base_url_from(tenant=tenant, request=request),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("billing:overview")
    except gateway.BillingUnavailableError as error:
        messages.error(request, str(error))
        return redirect("billing:overview")
    return redirect(url)


@require_POST
@capability_required(Capability.MANAGE_BILLING)
def portal(request: HttpRequest) -> HttpResponse:
    """The Stripe customer portal: the card, past invoices, cancelling."""
    tenant = _tenant(request)
    back = tenant_base_url_from(tenant=tenant, request=request) + "/manage/billing/"
    try:
        url = services.portal_start(tenant=tenant, return_url=back)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("billing:overview")
    except gateway.BillingUnavailableError as error:
        messages.error(request, str(error))
        return redirect("billing:overview")
    return redirect(url)
