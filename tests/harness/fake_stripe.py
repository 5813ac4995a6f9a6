"""A local, stateful fake of the Stripe API and its hosted pages, for the real `stripe` library."""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import http.client
import json
import queue
import re
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Obj = dict[str, Any]

API_VERSION = "2026-10-28.endive"
PERIOD_SECONDS = 30 * 24 * 3600
RETRY_SECONDS = 3 * 24 * 3600
_ALPHABET = string.ascii_letters + string.digits
_SYMBOLS = {"gbp": "£", "usd": "$", "eur": "€"}
_SUB_STATUSES = {"trialing", "active", "past_due", "canceled", "unpaid", "incomplete"}

# (method, path, handler FakeStripe._api_<name>, the parameters it takes besides expand[]).
# Stripe refuses parameters it does not know; the fake also refuses those it would ignore.
# fmt: off
_ROUTES = [
    ("POST", r"/v1/customers", "customer_create", "email name metadata"),
    ("GET", r"/v1/customers/(\w+)", "customer", ""),
    ("GET", r"/v1/prices", "prices", "lookup_keys active limit"),
    ("GET", r"/v1/prices/(\w+)", "price", ""),
    ("POST", r"/v1/prices", "price_create",
        "lookup_key unit_amount currency recurring product product_data nickname "
        "transfer_lookup_key"),
    ("POST", r"/v1/checkout/sessions", "checkout_create",
        "mode line_items customer customer_email client_reference_id metadata "
        "subscription_data success_url cancel_url"),
    ("GET", r"/v1/checkout/sessions/(\w+)", "checkout", ""),
    ("POST", r"/v1/billing_portal/sessions", "portal_create", "customer return_url"),
    ("GET", r"/v1/subscriptions", "subscriptions", "customer status limit"),
    ("GET", r"/v1/subscriptions/(\w+)", "subscription", ""),
    ("POST", r"/v1/subscriptions/(\w+)", "subscription_update",
        "items proration_behavior cancel_at_period_end metadata"),
    ("DELETE", r"/v1/subscriptions/(\w+)", "subscription_cancel", "invoice_now prorate"),
    ("GET", r"/v1/invoices", "invoices", "customer subscription status limit"),
    ("GET", r"/v1/invoices/(\w+)", "invoice", ""),
]
# fmt: on


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header: HMAC-SHA256 of "<t>.<body>" under the endpoint secret."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def form_decode(raw: str) -> Obj:
    """Stripe's form encoding (`a[b][0][c]=v`, `k[]=v`) as nested dicts and lists."""
    root: Obj = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        name, _, rest = key.partition("[")
        parts = [name, *(rest[:-1].split("][") if rest else [])]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part or str(len(node)), {})
        node[parts[-1] or str(len(node))] = value  # "k[]" appends
    return dict(_listify(root))


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_listify(node[key]) for key in sorted(node, key=int)]
    return {key: _listify(value) for key, value in node.items()}


def _now() -> int:
    return int(time.time())


def _new_id(prefix: str) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def _money(amount: int, currency: str) -> str:
    return f"{_SYMBOLS.get(currency, currency.upper() + ' ')}{amount // 100}.{amount % 100:02d}"


def _list_object(url: str, data: list[Obj], limit: int = 10) -> Obj:
    return {"object": "list", "data": data[:limit], "has_more": len(data) > limit, "url": url}


def _required(params: Obj, name: str) -> Any:
    if params.get(name) in (None, ""):
        raise StripeError(400, f"Missing required param: {name}.", param=name)
    return params[name]


def _no_request() -> Obj:
    """What an event cites when no API request caused it (renewals, hosted pages)."""
    return {"id": None, "idempotency_key": None}


class StripeError(Exception):
    """An API error, answered as Stripe's `{"error": {...}}` body with its HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "",
        param: str = "",
        type: str = "invalid_request_error",  # noqa: A002 - the name Stripe gives it
    ):
        super().__init__(message)
        self.status = status
        self.body: Obj = {"type": type, "message": message}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param


def _missing(kind: str, ident: str, param: str = "id", status: int = 404) -> StripeError:
    return StripeError(status, f"No such {kind}: '{ident}'", code="resource_missing", param=param)


@dataclass
class Delivery:
    event_id: str
    event_type: str
    status: int  # 0 when the endpoint could not be reached


@dataclass
class FakeStripe:
    api_base: str
    server: _Server = field(repr=False)
    api_key: str = "sk_test_fake"
    webhook_secret: str = "whsec_fake_0123456789abcdef"
    webhook_url: str | None = None
    events: list[Obj] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    prices: dict[str, Obj] = field(default_factory=dict)
    customers: dict[str, Obj] = field(default_factory=dict)
    checkout_sessions: dict[str, Obj] = field(default_factory=dict)
    portal_sessions: dict[str, Obj] = field(default_factory=dict)
    subscriptions: dict[str, Obj] = field(default_factory=dict)
    invoices: dict[str, Obj] = field(default_factory=dict)
    # Reentrant: the test-side helpers and the HTTP handlers share the internals below.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _plans: dict[str, Obj] = field(default_factory=dict, repr=False)  # checkout session -> plan
    _invoice_count: int = 0
    _replies: dict[str, tuple[str, Obj, Obj]] = field(default_factory=dict, repr=False)
    _outbox: queue.Queue[Obj | None] = field(default_factory=queue.Queue, repr=False)

    # ----- for tests ---------------------------------------------------------------------

    def price_create(
        self, *, lookup_key: str, unit_amount: int, currency: str = "gbp", interval: str = "month"
    ) -> Obj:
        """A recurring price; like `transfer_lookup_key`, it takes the key from an older one."""
        with self.lock:
            return copy.deepcopy(self._price_add(lookup_key, unit_amount, currency, interval))

    def checkout_complete(self, session_id: str, *, deliver: bool = True) -> list[Obj]:
        """What paying on the hosted checkout page does."""
        return self._run(deliver, self._checkout_complete, session_id)

    def invoice_fail(self, subscription_id: str, *, deliver: bool = True) -> list[Obj]:
        """The renewal's payment fails: as at Stripe the period moves on anyway, an open
        invoice is left, the subscription is past_due."""
        return self._run(deliver, self._invoice_unpaid, subscription_id, "invoice.payment_failed")

    def invoice_action_required(self, subscription_id: str, *, deliver: bool = True) -> list[Obj]:
        """The renewal needs the customer to authenticate on the hosted invoice page."""
        kind = "invoice.payment_action_required"
        return self._run(deliver, self._invoice_unpaid, subscription_id, kind)

    def invoice_pay(self, subscription_id: str, *, deliver: bool = True) -> list[Obj]:
        """The open invoice gets paid or, with none open, a renewal succeeds: a new period."""
        return self._run(deliver, self._invoice_pay, subscription_id)

    def subscription_cancel(self, subscription_id: str, *, deliver: bool = True) -> list[Obj]:
        """The subscription ends now."""
        return self._run(deliver, self._subscription_end, subscription_id, _no_request())

    def subscription_set(self, subscription_id: str, **fields: Any) -> None:
        """Pokes state directly, without events; period fields and quantity go to the item."""
        with self.lock:
            sub = self._subscription(subscription_id)
            for name, value in fields.items():
                if name in {"current_period_start", "current_period_end", "quantity"}:
                    sub["items"]["data"][0][name] = value
                elif name in sub:
                    sub[name] = value
                else:
                    raise ValueError(f"subscriptions have no field {name!r}")

    def trial_will_end(self, subscription_id: str, *, deliver: bool = True) -> list[Obj]:
        def event(ident: str) -> list[Obj]:
            sub = self._subscription(ident)
            return [self.event_make("customer.subscription.trial_will_end", sub)]

        return self._run(deliver, event, subscription_id)

    def event_make(
        self,
        type: str,  # noqa: A002 - the name Stripe gives it
        obj: Obj,
        *,
        previous: Obj | None = None,
        request: Obj | None = None,
    ) -> Obj:
        """Builds and records an event carrying a snapshot of `obj`."""
        data: Obj = {"object": copy.deepcopy(obj)}
        if previous:
            data["previous_attributes"] = copy.deepcopy(previous)
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": _now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1 if self.webhook_url else 0,
            "request": request or _no_request(),
            "type": type,
        }
        with self.lock:
            self.events.append(event)
        return event

    def deliver(self, event: Obj) -> int:
        """POSTs one event to webhook_url, signed as Stripe signs it; returns the HTTP status."""
        if not self.webhook_url:
            raise ValueError("webhook_url is not set")
        payload = json.dumps(event, indent=2).encode()
        url = urlsplit(self.webhook_url)
        host = url.hostname or "127.0.0.1"
        # Python does not resolve *.localhost as browsers do; the Host header keeps the name.
        connect_to = "127.0.0.1" if host.endswith(".localhost") else host
        https = url.scheme == "https"
        kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
        connection = kind(connect_to, url.port, timeout=30)
        headers = {
            "Host": url.netloc,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": stripe_signature(payload, self.webhook_secret),
        }
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            connection.request("POST", target, payload, headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            connection.close()
        with self.lock:
            self.deliveries.append(Delivery(event["id"], event["type"], status))
        return status

    def settle(self, timeout: float = 10.0) -> None:
        """Waits for the events API calls caused (delivered after the response) to be sent."""
        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks:
            if time.monotonic() > deadline:
                raise TimeoutError("webhook deliveries still pending")
            time.sleep(0.01)

    def reset(self) -> None:
        """Forgets everything except prices (and the webhook_url setting)."""
        self.settle()
        with self.lock:
            for store in (self.customers, self.checkout_sessions, self.portal_sessions):
                store.clear()
            for store in (self.subscriptions, self.invoices, self._plans):
                store.clear()
            self.events.clear()
            self.requests.clear()
            self.deliveries.clear()
            self._invoice_count = 0
            self._replies.clear()

    def _run(self, deliver: bool, change: Callable[..., list[Obj]], *args: Any) -> list[Obj]:
        with self.lock:
            events = change(*args)
        if deliver and self.webhook_url:
            self.settle()  # events API calls caused earlier go first
            for event in events:
                self.deliver(event)
        return events

    # ----- state changes (callers hold the lock) -------------------------------------------

    def _price_add(self, lookup_key: str | None, amount: int, currency: str, interval: str) -> Obj:
        for older in self.prices.values():
            if lookup_key and older["lookup_key"] == lookup_key:
                older["lookup_key"] = None
        price: Obj = {
            "id": _new_id("price"),
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": _now(),
            "currency": currency,
            "livemode": False,
            "lookup_key": lookup_key,
            "metadata": {},
            "nickname": None,
            "product": _new_id("prod"),
            "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"},
            "type": "recurring",
            "unit_amount": amount,
            "unit_amount_decimal": str(amount),
        }
        self.prices[price["id"]] = price
        return price

    def _customer_add(self, email: str | None, name: str | None, metadata: Obj) -> Obj:
        customer: Obj = {
            "id": _new_id("cus"),
            "object": "customer",
            "created": _now(),
            "email": email,
            "livemode": False,
            "metadata": metadata,
            "name": name,
        }
        self.customers[customer["id"]] = customer
        return customer

    def _checkout_complete(self, session_id: str) -> list[Obj]:
        session = self._checkout_session(session_id)
        if session["status"] != "open":
            raise StripeError(400, f"Checkout session {session_id} is {session['status']}.")
        plan = self._plans[session_id]
        customer_id = session["customer"]
        if customer_id is None:
            customer_id = self._customer_add(session["customer_email"], None, {})["id"]
        customer = self.customers[customer_id]
        sub = self._subscription_add(customer_id, plan)
        trialing = sub["status"] == "trialing"
        invoice = self._invoice_add(sub, reason="subscription_create", paid=True, free=trialing)
        session.update(
            status="complete",
            # Stripe's value when a trial defers the first payment.
            payment_status="no_payment_required" if trialing else "paid",
            customer=customer_id,
            customer_details={"email": customer["email"], "name": customer["name"]},
            subscription=sub["id"],
            invoice=invoice["id"],
            url=None,
        )
        return [
            self.event_make("checkout.session.completed", session),
            self.event_make("customer.subscription.created", sub),
            self.event_make("invoice.paid", invoice),
        ]

    def _subscription_add(self, customer_id: str, plan: Obj) -> Obj:
        now, trial_end, price = _now(), plan["trial_end"], self.prices[plan["price"]]
        trialing = trial_end is not None and trial_end > now
        sub_id = _new_id("sub")
        sub = {
            "id": sub_id,
            "object": "subscription",
            "billing_cycle_anchor": trial_end if trialing else now,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": now,
            "currency": price["currency"],
            "customer": customer_id,
            "ended_at": None,
            "items": _list_object(f"/v1/subscription_items?subscription={sub_id}", []),
            "latest_invoice": None,
            "livemode": False,
            "metadata": dict(plan["metadata"]),
            "start_date": now,
            "status": "trialing" if trialing else "active",
            "trial_end": trial_end if trialing else None,
            "trial_start": now if trialing else None,
        }
        end = trial_end if trialing else now + PERIOD_SECONDS
        sub["items"]["data"].append(_item_new(sub_id, price, plan["quantity"], now, end))
        self.subscriptions[sub_id] = sub
        return sub

    def _invoice_add(self, sub: Obj, *, reason: str, paid: bool, free: bool = False) -> Obj:
        """An invoice for the current period. As at Stripe, an invoice's own period_start and
        period_end are those of the period before it; its lines carry the billed period."""
        now, items = _now(), sub["items"]["data"]
        first = items[0]
        billed = {"start": first["current_period_start"], "end": first["current_period_end"]}
        before = billed["start"] - (billed["end"] - billed["start"]), billed["start"]
        if reason == "subscription_create":
            before = now, now
        self._invoice_count += 1
        invoice_id = _new_id("in")
        lines = [
            {
                "id": _new_id("il"),
                "object": "line_item",
                "amount": 0 if free else item["price"]["unit_amount"] * item["quantity"],
                "currency": sub["currency"],
                "period": billed,
                "pricing": {"type": "price_details", "price_details": {
                    "price": item["price"]["id"], "product": item["price"]["product"]}},
                "quantity": item["quantity"],
            }
            for item in items
        ]  # fmt: skip
        amount = sum(line["amount"] for line in lines)
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "amount_due": amount,
            "amount_paid": amount if paid else 0,
            "amount_remaining": 0 if paid else amount,
            "attempt_count": 1,
            "attempted": True,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": sub["currency"],
            "customer": sub["customer"],
            "customer_email": self.customers[sub["customer"]]["email"],
            "hosted_invoice_url": f"{self.api_base}/invoice/{invoice_id}",
            "invoice_pdf": f"{self.api_base}/invoice/{invoice_id}.pdf",
            "lines": _list_object(f"/v1/invoices/{invoice_id}/lines", lines),
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None if paid else now + RETRY_SECONDS,
            "number": f"TS-{self._invoice_count:04d}",
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(sub["metadata"]),
                    "subscription": sub["id"],
                },
            },
            "period_end": before[1],
            "period_start": before[0],
            "status": "paid" if paid else "open",
            "status_transitions": {"finalized_at": now, "paid_at": now if paid else None},
            "subtotal": amount,
            "total": amount,
        }
        self.invoices[invoice_id] = invoice
        sub["latest_invoice"] = invoice_id
        return invoice

    def _renew(self, sub: Obj) -> Obj:
        """The renewal: the next period starts now (tests cannot wait for the old one to end).
        Returns an open invoice left by an earlier failed renewal instead, if there is one."""
        latest = self.invoices.get(sub["latest_invoice"] or "")
        if latest and latest["status"] == "open":
            return latest
        now = _now()
        for item in sub["items"]["data"]:
            item["current_period_start"], item["current_period_end"] = now, now + PERIOD_SECONDS
        if sub["status"] == "trialing":
            sub["trial_end"] = now
        return self._invoice_add(sub, reason="subscription_cycle", paid=False)

    def _invoice_unpaid(self, subscription_id: str, event_type: str) -> list[Obj]:
        sub = self._subscription(subscription_id)
        before = copy.deepcopy(sub)
        invoice = self._renew(sub)
        if before["latest_invoice"] == invoice["id"]:  # a retry of the same invoice
            invoice["attempt_count"] += 1
        invoice["next_payment_attempt"] = _now() + RETRY_SECONDS
        sub["status"] = "past_due"
        return [self.event_make(event_type, invoice), *self._updated(before, sub, _no_request())]

    def _invoice_pay(self, subscription_id: str) -> list[Obj]:
        sub = self._subscription(subscription_id)
        if sub["status"] == "canceled":
            raise StripeError(400, f"Subscription {subscription_id} is canceled.")
        before = copy.deepcopy(sub)
        invoice = self._renew(sub)
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            next_payment_attempt=None,
            status_transitions={"finalized_at": invoice["created"], "paid_at": _now()},
        )
        sub["status"] = "active"
        return [
            self.event_make("invoice.paid", invoice),
            *self._updated(before, sub, _no_request()),
        ]

    def _subscription_end(self, subscription_id: str, request: Obj) -> list[Obj]:
        sub = self._subscription(subscription_id)
        if sub["status"] == "canceled":
            raise StripeError(400, f"Subscription {subscription_id} is already canceled.")
        now = _now()
        sub.update(status="canceled", canceled_at=now, ended_at=now)
        sub.update(cancel_at=None, cancel_at_period_end=False)
        return [self.event_make("customer.subscription.deleted", sub, request=request)]

    def _updated(self, before: Obj, after: Obj, request: Obj) -> list[Obj]:
        """customer.subscription.updated with previous_attributes, if anything changed."""
        previous = {key: before[key] for key in after if before.get(key) != after[key]}
        kind = "customer.subscription.updated"
        return (
            [self.event_make(kind, after, previous=previous, request=request)] if previous else []
        )

    # ----- lookups (callers hold the lock) -------------------------------------------------

    def _subscription(self, ident: str) -> Obj:
        if ident not in self.subscriptions:
            raise _missing("subscription", ident)
        return self.subscriptions[ident]

    def _checkout_session(self, ident: str) -> Obj:
        if ident not in self.checkout_sessions:
            raise _missing("checkout.session", ident)
        return self.checkout_sessions[ident]

    def _find(self, ident: str) -> Obj | None:
        for store in (self.customers, self.subscriptions, self.invoices, self.prices):
            if ident in store:
                return store[ident]
        return self.checkout_sessions.get(ident)

    def _expand(self, node: Any, path: list[str]) -> None:
        """Replaces the ids along an `expand[]` path ("subscription", "data.latest_invoice")."""
        if not path or not isinstance(node, dict):
            return
        if path[0] == "data" and isinstance(node.get("data"), list):
            for item in node["data"]:
                self._expand(item, path[1:])
            return
        value = node.get(path[0])
        if isinstance(value, str) and (found := self._find(value)) is not None:
            node[path[0]] = value = copy.deepcopy(found)
        self._expand(value, path[1:])

    # ----- the API (callers hold the lock) -------------------------------------------------

    def _answer(self, method: str, path: str, params: Obj, request: Obj) -> tuple[Obj, list[Obj]]:
        """One API request's response body, and the events it caused."""
        for route_method, pattern, name, accepted in _ROUTES:
            match = re.fullmatch(pattern, path)
            if match is None or route_method != method:
                continue
            unknown = sorted(set(params) - {"expand", *accepted.split()})
            if unknown:
                message = f"Received unknown parameter: {unknown[0]}"
                raise StripeError(400, message, param=unknown[0])
            key = request["idempotency_key"] if method == "POST" else None
            if key in self._replies:
                return self._replay(key, path, params), []
            handler: Callable[[Obj, str, Obj], Obj] = getattr(self, f"_api_{name}")
            count = len(self.events)
            body = copy.deepcopy(handler(params, (match.groups() or ("",))[0], request))
            for expand in params.get("expand") or []:
                self._expand(body, expand.split("."))
            if key:
                self._replies[key] = (path, params, copy.deepcopy(body))
            return body, self.events[count:]
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def _replay(self, key: str, path: str, params: Obj) -> Obj:
        """A POST repeated with its Idempotency-Key gets the first answer again, as at Stripe."""
        first_path, first_params, body = self._replies[key]
        if (first_path, first_params) != (path, params):
            message = (
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}'."
            )
            raise StripeError(400, message, type="idempotency_error")
        return copy.deepcopy(body)

    def _api_customer_create(self, params: Obj, ident: str, request: Obj) -> Obj:
        return self._customer_add(
            params.get("email"), params.get("name"), params.get("metadata") or {}
        )

    def _api_customer(self, params: Obj, ident: str, request: Obj) -> Obj:
        if ident not in self.customers:
            raise _missing("customer", ident)
        return self.customers[ident]

    def _api_prices(self, params: Obj, ident: str, request: Obj) -> Obj:
        keys, active = params.get("lookup_keys"), params.get("active")
        found = [
            price
            for price in reversed(self.prices.values())
            if (keys is None or price["lookup_key"] in keys)
            and (active is None or price["active"] == (active == "true"))
        ]
        return _list_object("/v1/prices", found, int(params.get("limit", 10)))

    def _api_price(self, params: Obj, ident: str, request: Obj) -> Obj:
        if ident not in self.prices:
            raise _missing("price", ident)
        return self.prices[ident]

    def _api_price_create(self, params: Obj, ident: str, request: Obj) -> Obj:
        key = params.get("lookup_key")
        taken = any(key and price["lookup_key"] == key for price in self.prices.values())
        if taken and params.get("transfer_lookup_key") != "true":
            message = f"A price with the lookup_key {key!r} already exists."
            raise StripeError(400, message, param="lookup_key")
        interval = (params.get("recurring") or {}).get("interval", "month")
        amount, currency = int(_required(params, "unit_amount")), _required(params, "currency")
        price = self._price_add(key, amount, currency, interval)
        price["nickname"] = params.get("nickname") or (params.get("product_data") or {}).get("name")
        price["product"] = params.get("product") or price["product"]
        return price

    def _api_checkout_create(self, params: Obj, ident: str, request: Obj) -> Obj:
        if params.get("mode") != "subscription":
            raise StripeError(400, "The fake only supports mode=subscription.", param="mode")
        customer = params.get("customer")
        if customer and params.get("customer_email"):
            message = "You may only specify one of these parameters: customer, customer_email."
            raise StripeError(400, message)
        if customer and customer not in self.customers:
            raise _missing("customer", customer, "customer", 400)
        items = params.get("line_items") or []
        if len(items) != 1:
            raise StripeError(400, "The fake supports exactly one line item.", param="line_items")
        price = self.prices.get(items[0].get("price", ""))
        if price is None:
            raise _missing("price", items[0].get("price", ""), "line_items[0][price]", 400)
        quantity = int(items[0].get("quantity", 1))
        sub_data = params.get("subscription_data") or {}
        session_id = _new_id("cs_test")
        self._plans[session_id] = {
            "price": price["id"],
            "quantity": quantity,
            "metadata": sub_data.get("metadata") or {},
            "trial_end": int(sub_data["trial_end"]) if sub_data.get("trial_end") else None,
        }
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": price["unit_amount"] * quantity,
            "amount_total": price["unit_amount"] * quantity,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": _now(),
            "currency": price["currency"],
            "customer": customer,
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": _now() + 24 * 3600,
            "invoice": None,
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "mode": "subscription",
            "payment_status": "unpaid",
            "status": "open",
            "subscription": None,
            "success_url": params.get("success_url"),
            "ui_mode": "hosted",
            "url": f"{self.api_base}/pay/{session_id}",
        }
        self.checkout_sessions[session_id] = session
        return session

    def _api_checkout(self, params: Obj, ident: str, request: Obj) -> Obj:
        return self._checkout_session(ident)

    def _api_portal_create(self, params: Obj, ident: str, request: Obj) -> Obj:
        customer = _required(params, "customer")
        if customer not in self.customers:
            raise _missing("customer", customer, "customer", 400)
        session_id = _new_id("bps")
        self.portal_sessions[session_id] = {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": "bpc_fake",
            "created": _now(),
            "customer": customer,
            "flow": None,
            "livemode": False,
            "locale": None,
            "return_url": params.get("return_url"),
            "url": f"{self.api_base}/portal/{session_id}",
        }
        return self.portal_sessions[session_id]

    def _api_subscriptions(self, params: Obj, ident: str, request: Obj) -> Obj:
        customer, status = params.get("customer"), params.get("status")
        if status not in {None, "all", *_SUB_STATUSES}:
            raise StripeError(400, f"Invalid status: {status}", param="status")
        found = [
            sub
            for sub in reversed(self.subscriptions.values())
            if customer in (None, sub["customer"])
            and status in ("all", sub["status"], None)
            # Without a status Stripe lists every subscription that is not canceled.
            and (status is not None or sub["status"] != "canceled")
        ]
        return _list_object("/v1/subscriptions", found, int(params.get("limit", 10)))

    def _api_subscription(self, params: Obj, ident: str, request: Obj) -> Obj:
        return self._subscription(ident)

    def _api_subscription_update(self, params: Obj, ident: str, request: Obj) -> Obj:
        sub = self._subscription(ident)
        if sub["status"] == "canceled":
            message = "A canceled subscription can only update its cancellation_details."
            raise StripeError(400, message)
        proration = params.get("proration_behavior", "none")
        if proration not in {"create_prorations", "none", "always_invoice"}:
            raise StripeError(400, "Invalid proration_behavior.", param="proration_behavior")
        before, items = copy.deepcopy(sub), sub["items"]["data"]
        for index, change in enumerate(params.get("items") or []):
            item = next((i for i in items if i["id"] == change.get("id")), None)
            if change.get("id") and item is None:
                raise _missing("subscription_item", change["id"], f"items[{index}][id]", 400)
            price = self.prices.get(change.get("price", ""))
            if change.get("price") and price is None:
                raise _missing("price", change["price"], f"items[{index}][price]", 400)
            if item is None:  # without an id Stripe adds an item; it replaces none
                if price is None:
                    raise StripeError(400, "Missing required param: price.", param="items")
                period = items[0]["current_period_start"], items[0]["current_period_end"]
                items.append(_item_new(sub["id"], price, int(change.get("quantity", 1)), *period))
            elif change.get("deleted") == "true":
                items.remove(item)
            else:
                item["price"] = copy.deepcopy(price) if price else item["price"]
                item["quantity"] = int(change.get("quantity", item["quantity"]))
        if "cancel_at_period_end" in params:
            sub["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
            sub["cancel_at"] = (
                items[0]["current_period_end"] if sub["cancel_at_period_end"] else None
            )
        for key, value in (params.get("metadata") or {}).items():
            sub["metadata"][key] = value
            if value == "":  # Stripe unsets a key given an empty value
                del sub["metadata"][key]
        self._updated(before, sub, request)
        return sub

    def _api_subscription_cancel(self, params: Obj, ident: str, request: Obj) -> Obj:
        self._subscription_end(ident, request)
        return self.subscriptions[ident]

    def _api_invoices(self, params: Obj, ident: str, request: Obj) -> Obj:
        found = [
            invoice
            for invoice in reversed(self.invoices.values())
            if params.get("customer") in (None, invoice["customer"])
            and params.get("status") in (None, invoice["status"])
            and params.get("subscription")
            in (None, invoice["parent"]["subscription_details"]["subscription"])
        ]
        return _list_object("/v1/invoices", found, int(params.get("limit", 10)))

    def _api_invoice(self, params: Obj, ident: str, request: Obj) -> Obj:
        if ident not in self.invoices:
            raise _missing("invoice", ident)
        return self.invoices[ident]

    def _outbox_drain(self) -> None:
        """Delivers, in order, the events API calls caused (a None stops it)."""
        while (event := self._outbox.get()) is not None:
            try:
                if self.webhook_url:
                    self.deliver(event)
            finally:
                self._outbox.task_done()


def _item_new(sub_id: str, price: Obj, quantity: int, start: int, end: int) -> Obj:
    return {
        "id": _new_id("si"),
        "object": "subscription_item",
        "created": _now(),
        "current_period_start": start,
        "current_period_end": end,
        "discounts": [],
        "metadata": {},
        "price": copy.deepcopy(price),
        "quantity": quantity,
        "subscription": sub_id,
        "tax_rates": [],
    }


# ----- HTTP ------------------------------------------------------------------------------------

_CSS = (
    "body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:34rem;"
    "margin:2rem auto;padding:0 1rem;line-height:1.5}a{color:#0a3d91}"
    "button{background:#0a3d91;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;"
    "font-size:1rem;cursor:pointer}button:focus{outline:3px solid #f0b400}"
)


def _html(title: str, *lines: str) -> bytes:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n"
        f"<body><main><h1>{html.escape(title)}</h1>\n"
        + "\n".join(lines)
        + "\n</main></body></html>\n"
    ).encode()


def _button(action: str, label: str, hidden: str = "") -> str:
    button = f'<button type="submit">{label}</button>'
    return f'<form method="post" action="{action}">{hidden}{button}</form>'


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%-d %B %Y")


def _plan_name(price: Obj) -> str:
    return html.escape(price["nickname"] or price["lookup_key"] or "Subscription")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeStripe


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _handle(self, method: str) -> None:
        fake, url = self.server.fake, urlsplit(self.path)
        with fake.lock:
            fake.requests.append((method, url.path))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        params = {**form_decode(url.query), **form_decode(body)}
        try:
            if url.path.startswith("/v1/"):
                self._api(method, url.path, params)
            else:
                self._hosted(method, url.path, params)
        except Exception as error:  # a bug in the fake: a 500, as Stripe's own look
            self._send(500, json.dumps({"error": {"type": "api_error", "message": repr(error)}}))

    def _api(self, method: str, path: str, params: Obj) -> None:
        fake = self.server.fake
        request_id = _new_id("req")
        request = {"id": request_id, "idempotency_key": self.headers.get("Idempotency-Key")}
        try:
            if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                raise StripeError(401, "Invalid API Key provided.")
            with fake.lock:
                body, events = fake._answer(method, path, params, request)
        except StripeError as error:
            self._send(error.status, json.dumps({"error": error.body}), request_id=request_id)
            return
        # Like Stripe, an API call does not wait for the webhooks it causes; settle() does.
        # Queued before the response, so a settle() after the call sees them.
        for event in events:
            fake._outbox.put(event)
        self._send(200, json.dumps(body, indent=2), request_id=request_id)

    def _hosted(self, method: str, path: str, params: Obj) -> None:
        match = re.fullmatch(r"/(pay|portal|invoice)/(\w+)(\.pdf)?", path)
        try:
            if match is None:
                raise StripeError(404, "The fake Stripe has no such page.")
            page, ident, pdf = match.groups()
            if pdf:
                self._send(200, b"%PDF-1.4\n% a fake invoice\n", content_type="application/pdf")
            elif method == "POST":
                self.send_response(303)
                self.send_header("Location", getattr(self, f"_{page}_post")(ident, params))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                with self.server.fake.lock:
                    self._send(200, getattr(self, f"_{page}_page")(ident))
        except StripeError as error:
            self._send(error.status, _html("Not possible", f"<p>{html.escape(str(error))}</p>"))

    def _pay_page(self, ident: str) -> bytes:
        fake = self.server.fake
        session, plan = fake._checkout_session(ident), fake._plans[ident]
        price = fake.prices[plan["price"]]
        cost = _money(price["unit_amount"] * plan["quantity"], price["currency"])
        interval = price["recurring"]["interval"]
        lines = [f"<p>{_plan_name(price)}: <strong>{cost}</strong> a {interval}</p>"]
        if plan["trial_end"] and plan["trial_end"] > _now():
            lines.append(f"<p>Free trial until {_date(plan['trial_end'])}.</p>")
        if session["status"] == "open":
            lines.append(_button(f"/pay/{ident}", "Pay"))
        else:
            lines.append("<p>This checkout is complete.</p>")
        if session["cancel_url"]:
            lines.append(f'<p><a href="{html.escape(session["cancel_url"])}">Back</a></p>')
        return _html("Fake Stripe Checkout", *lines)

    def _pay_post(self, ident: str, params: Obj) -> str:
        fake = self.server.fake
        fake.checkout_complete(ident)
        with fake.lock:
            success_url = fake.checkout_sessions[ident]["success_url"] or f"/pay/{ident}"
        return str(success_url).replace("{CHECKOUT_SESSION_ID}", ident)

    def _portal_page(self, ident: str) -> bytes:
        fake = self.server.fake
        portal = fake.portal_sessions.get(ident)
        if portal is None:
            raise _missing("billing_portal.session", ident)
        lines = []
        for sub in fake.subscriptions.values():
            if sub["customer"] == portal["customer"] and sub["status"] != "canceled":
                item = sub["items"]["data"][0]
                lines.append(f"<h2>{_plan_name(item['price'])}</h2>")
                ends = _date(item["current_period_end"])
                lines.append(f"<p>Status: {sub['status']}. Current period ends {ends}.</p>")
                hidden = f'<input type="hidden" name="subscription" value="{sub["id"]}">'
                lines.append(_button(f"/portal/{ident}", "Cancel subscription", hidden))
        lines = lines or ["<p>No active subscription.</p>"]
        if portal["return_url"]:
            site = html.escape(urlsplit(portal["return_url"]).hostname or "the site")
            lines.append(
                f'<p><a href="{html.escape(portal["return_url"])}">Return to {site}</a></p>'
            )
        return _html("Fake customer portal", *lines)

    def _portal_post(self, ident: str, params: Obj) -> str:
        fake = self.server.fake
        with fake.lock:
            portal = fake.portal_sessions.get(ident) or {}
            sub = fake.subscriptions.get(params.get("subscription", "")) or {}
            if not portal or sub.get("customer") != portal["customer"]:
                raise _missing("subscription", params.get("subscription", ""))
        fake.subscription_cancel(sub["id"])
        return str(portal["return_url"] or f"/portal/{ident}")

    def _invoice_page(self, ident: str) -> bytes:
        invoice = self.server.fake.invoices.get(ident)
        if invoice is None:
            raise _missing("invoice", ident)
        amount = _money(invoice["amount_due"], invoice["currency"])
        lines = [f"<p>Amount due: {amount}. Status: {invoice['status']}.</p>"]
        if invoice["status"] == "open":
            lines.append(_button(f"/invoice/{ident}", "Pay invoice"))
        return _html(f"Invoice {invoice['number']}", *lines)

    def _invoice_post(self, ident: str, params: Obj) -> str:
        with self.server.fake.lock:
            invoice = self.server.fake.invoices.get(ident)
            if invoice is None:
                raise _missing("invoice", ident)
        self.server.fake.invoice_pay(invoice["parent"]["subscription_details"]["subscription"])
        return f"/invoice/{ident}"

    def _send(
        self, status: int, body: str | bytes, *, content_type: str = "", request_id: str = ""
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        kind = "application/json" if isinstance(body, str) else "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type or kind)
        self.send_header("Content-Length", str(len(data)))
        if request_id:
            self.send_header("Request-Id", request_id)
            self.send_header("Stripe-Version", API_VERSION)
        self.end_headers()
        self.wfile.write(data)


def fake_stripe_start() -> FakeStripe:
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeStripe(api_base=f"http://127.0.0.1:{server.server_address[1]}", server=server)
    server.fake = fake
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    threading.Thread(target=fake._outbox_drain, daemon=True).start()
    return fake


def fake_stripe_stop(fake: FakeStripe) -> None:
    fake.server.shutdown()
    fake.server.server_close()
    fake._outbox.put(None)
