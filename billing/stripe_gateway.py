"""The one module that talks to Stripe; everything else gets plain values from here."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings

from billing.plans import PAID_PLANS, Plan, money_text
from townsquare.lib.memo import TtlMemo

logger = logging.getLogger(__name__)


class BillingUnavailableError(Exception):
    """Stripe is not configured, unreachable or refused; the message is safe to show."""


class NotFoundError(Exception):
    """Stripe has no such object (a made-up or another account's id)."""


class SignatureInvalidError(Exception):
    """A webhook body whose signature (or timestamp) does not check out."""


@dataclass(frozen=True, kw_only=True)
class CheckoutSession:
    id: str
    url: str
    status: str
    customer: str
    subscription: str
    metadata: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class Subscription:
    id: str
    customer: str
    status: str
    price_id: str
    lookup_key: str
    item_id: str
    unit_amount: int | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    ended_at: datetime | None
    metadata: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class Invoice:
    id: str
    number: str
    status: str
    amount_pence: int
    currency: str
    created: datetime
    url: str
    pdf: str

    @property
    def amount_text(self) -> str:
        return money_text(self.amount_pence)


def enabled() -> bool:
    """Billing is on only with both keys: a secret key to call Stripe, a secret to check it."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


_clients: TtlMemo[stripe.StripeClient] = TtlMemo(ttl_seconds=3600.0)
_prices: TtlMemo[str] = TtlMemo(ttl_seconds=600.0)


def _client() -> stripe.StripeClient:
    if not enabled():
        raise BillingUnavailableError("Online payment is not set up on this platform.")
    key = f"{settings.STRIPE_API_BASE}|{settings.STRIPE_SECRET_KEY}"
    client = _clients.get(key)
    if client is None:
        client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=2,
        )
        _clients.set(key, client)
    return client


def _call(what: str, action: Any) -> Any:
    """Runs one Stripe call; its failures become BillingUnavailableError, logged without content."""
    try:
        return action()
    except stripe.InvalidRequestError as error:
        if error.code == "resource_missing":
            raise NotFoundError from None
        _log_failure(what, error)
        raise BillingUnavailableError(_UNAVAILABLE) from None
    except stripe.StripeError as error:
        _log_failure(what, error)
        raise BillingUnavailableError(_UNAVAILABLE) from None


_UNAVAILABLE = (
    "We could not reach our payment provider just now. Nothing has been charged; "
    "please try again in a few minutes."
)


def _log_failure(what: str, error: stripe.StripeError) -> None:
    # The error's class and Stripe's request id identify it; its message may quote input.
    logger.warning(
        "Stripe call %s failed: %s (request %s)",
        what,
        type(error).__name__,
        getattr(error, "request_id", "") or "-",
    )


def price_id_for(plan: Plan) -> str:
    """The Stripe Price of a paid plan: STRIPE_PRICE_<PLAN> if set, else by its lookup key."""
    configured: str = settings.STRIPE_PRICES.get(plan.key, "")
    if configured:
        return configured
    found = _prices.get(plan.lookup_key)
    if found:
        return found
    prices = _call(
        "prices.list",
        lambda: _client().v1.prices.list(
            params={"lookup_keys": [plan.lookup_key], "active": True, "limit": 1}
        ),
    )
    if not prices.data:
        logger.error("No active Stripe price has the lookup key %s", plan.lookup_key)
        raise BillingUnavailableError(f"The {plan.name} plan cannot be bought online just now.")
    price_id: str = prices.data[0].id
    _prices.set(plan.lookup_key, price_id)
    return price_id


def plan_for_price(*, price_id: str, lookup_key: str) -> Plan | None:
    """Which plan a subscribed price is, by configured id or by lookup key."""
    for plan in PAID_PLANS:
        if settings.STRIPE_PRICES.get(plan.key) == price_id:
            return plan
        if lookup_key and lookup_key == plan.lookup_key:
            return plan
    return None


def customer_create(*, name: str, email: str, tenant_id: int, idempotency_key: str) -> str:
    customer = _call(
        "customers.create",
        lambda: _client().v1.customers.create(
            params={"name": name, "email": email, "metadata": {"tenant_id": str(tenant_id)}},
            options={"idempotency_key": idempotency_key},
        ),
    )
    return str(customer.id)


def checkout_session_create(
    *,
    price_id: str,
    customer: str = "",
    customer_email: str = "",
    reference: str,
    metadata: dict[str, str],
    trial_end: datetime | None,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> CheckoutSession:
    """A subscription-mode Checkout; trial_end keeps the free days left free."""
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": price_id, "quantity": 1}],
        "client_reference_id": reference,
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer:
        params["customer"] = customer
    elif customer_email:
        params["customer_email"] = customer_email
    if trial_end is not None:
        params["subscription_data"]["trial_end"] = int(trial_end.timestamp())
    session = _call(
        "checkout.sessions.create",
        lambda: _client().v1.checkout.sessions.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        ),
    )
    return _checkout_session(session)


def checkout_session_get(session_id: str) -> CheckoutSession:
    session = _call(
        "checkout.sessions.retrieve",
        lambda: _client().v1.checkout.sessions.retrieve(session_id),
    )
    return _checkout_session(session)


def _checkout_session(found: Any) -> CheckoutSession:
    session = found.to_dict()
    return CheckoutSession(
        id=str(session["id"]),
        url=str(session.get("url") or ""),
        status=str(session.get("status") or ""),
        customer=object_id(session.get("customer")),
        subscription=object_id(session.get("subscription")),
        metadata=dict(session.get("metadata") or {}),
    )


def portal_session_create(*, customer: str, return_url: str) -> str:
    portal = _call(
        "billing_portal.sessions.create",
        lambda: _client().v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": return_url}
        ),
    )
    return str(portal.url)


def subscription_get(subscription_id: str) -> Subscription:
    found = _call(
        "subscriptions.retrieve",
        lambda: _client().v1.subscriptions.retrieve(subscription_id),
    )
    return _subscription(found)


def subscription_change_price(*, subscription: Subscription, price_id: str) -> Subscription:
    """Moves a subscription to another plan's price, prorated, as Stripe does by default."""
    changed = _call(
        "subscriptions.update",
        lambda: _client().v1.subscriptions.update(
            subscription.id,
            params={
                "items": [{"id": subscription.item_id, "price": price_id}],
                "proration_behavior": "create_prorations",
            },
        ),
    )
    return _subscription(changed)


def _subscription(stripe_object: Any) -> Subscription:
    found = stripe_object.to_dict()
    items = (found.get("items") or {}).get("data") or [{}]
    item = items[0]
    price = item.get("price") or {}
    return Subscription(
        id=str(found["id"]),
        customer=object_id(found.get("customer")),
        status=str(found.get("status") or ""),
        price_id=str(price.get("id") or ""),
        lookup_key=str(price.get("lookup_key") or ""),
        item_id=str(item.get("id") or ""),
        unit_amount=price.get("unit_amount"),
        # Since API version 2025-03-31 the billing period lives on each item.
        current_period_end=_time(item.get("current_period_end")),
        cancel_at_period_end=bool(found.get("cancel_at_period_end")),
        ended_at=_time(found.get("ended_at")),
        metadata=dict(found.get("metadata") or {}),
    )


def invoices_list(*, customer: str, limit: int = 24) -> list[Invoice]:
    found = _call(
        "invoices.list",
        lambda: _client().v1.invoices.list(params={"customer": customer, "limit": limit}),
    )
    return [
        Invoice(
            id=str(invoice["id"]),
            number=str(invoice.get("number") or ""),
            status=str(invoice.get("status") or ""),
            amount_pence=int(invoice.get("amount_due") or 0),
            currency=str(invoice.get("currency") or "gbp"),
            created=_time(invoice.get("created")) or datetime.now(UTC),
            url=str(invoice.get("hosted_invoice_url") or ""),
            pdf=str(invoice.get("invoice_pdf") or ""),
        )
        for invoice in (entry.to_dict() for entry in found.data)
    ]


def event_verify(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The event in a webhook body, once its signature and timestamp check out.

    Raises SignatureInvalidError for a bad or stale signature, ValueError for a body that is not
    a Stripe event.
    """
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("The body is not UTF-8.") from None
    try:
        stripe.WebhookSignature.verify_header(
            text, signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE
        )
    except stripe.SignatureVerificationError:
        raise SignatureInvalidError from None
    event = json.loads(text)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise ValueError("The body is not a Stripe event.")
    if not isinstance(event.get("type"), str) or not isinstance(event.get("data"), dict):
        raise ValueError("The body is not a Stripe event.")
    return event


def object_id(value: Any) -> str:
    """An expandable field's id, whether Stripe sent the id or the whole object."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value.get("id") or "")


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None
