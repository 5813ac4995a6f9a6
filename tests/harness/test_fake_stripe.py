"""The fake Stripe answers the real `stripe` library as Stripe would, and signs as Stripe does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import stripe
from stripe.params.checkout import SessionCreateParams

from tests.harness.fake_stripe import (
    FakeStripe,
    fake_stripe_start,
    fake_stripe_stop,
    form_decode,
    stripe_signature,
)

DAY = 24 * 3600


@dataclass
class Receiver:
    """A webhook endpoint: keeps each POST's body and Stripe-Signature header."""

    server: ThreadingHTTPServer
    received: list[tuple[bytes, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/billing/webhook/"

    def events(self, secret: str) -> list[stripe.Event]:
        return [stripe.Webhook.construct_event(body, sig, secret) for body, sig in self.received]


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    fake = fake_stripe_start()
    yield fake
    fake_stripe_stop(fake)


@pytest.fixture
def client(fake: FakeStripe) -> stripe.StripeClient:
    return stripe.StripeClient(
        fake.api_key, base_addresses={"api": fake.api_base}, max_network_retries=0
    )


@pytest.fixture
def price(fake: FakeStripe) -> dict[str, Any]:
    return fake.price_create(lookup_key="community_monthly", unit_amount=9900)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received: list[tuple[bytes, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield Receiver(server, received)
    server.shutdown()
    server.server_close()


def _checkout(
    client: stripe.StripeClient, price_id: str, *, trial_end: int = 0, tax: bool = False
) -> stripe.checkout.Session:
    params: SessionCreateParams = {
        "mode": "subscription",
        "line_items": [{"price": price_id, "quantity": 1}],
        "customer_email": "clerk@example.org",
        "client_reference_id": "7",
        "metadata": {"tenant_id": "7"},
        "subscription_data": {"metadata": {"tenant_id": "7"}},
        "success_url": "http://townsquare.localhost/billing/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://townsquare.localhost/billing/",
    }
    if trial_end:
        params["subscription_data"] = {"metadata": {"tenant_id": "7"}, "trial_end": trial_end}
    if tax:  # a real parameter the fake does not implement
        params["automatic_tax"] = {"enabled": True}
    return client.v1.checkout.sessions.create(params=params)


def _subscribed(client: stripe.StripeClient, fake: FakeStripe, price_id: str) -> str:
    session = _checkout(client, price_id)
    fake.checkout_complete(session.id)
    return str(client.v1.checkout.sessions.retrieve(session.id).subscription)


def test_customer_is_created_and_retrieved(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(
        params={"email": "a@example.org", "name": "Alpha", "metadata": {"tenant_id": "3"}}
    )
    found = client.v1.customers.retrieve(created.id)
    assert created.id.startswith("cus_")
    assert (found.email, found.name) == ("a@example.org", "Alpha")
    assert found.metadata is not None
    assert found.metadata.to_dict() == {"tenant_id": "3"}


def test_prices_are_found_by_lookup_key(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    fake.price_create(lookup_key="network_monthly", unit_amount=29900)
    found = client.v1.prices.list(params={"lookup_keys": ["community_monthly"], "active": True})
    assert [p.id for p in found.data] == [price["id"]]
    assert found.data[0].unit_amount == 9900
    assert found.data[0].recurring is not None
    assert found.data[0].recurring.interval == "month"
    assert client.v1.prices.list(params={"lookup_keys": ["nope"]}).data == []


def test_paid_checkout_makes_an_active_subscription_for_thirty_days(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    session = _checkout(client, price["id"])
    assert session.id.startswith("cs_test_")
    assert (session.status, session.payment_status, session.subscription) == (
        "open",
        "unpaid",
        None,
    )
    assert session.url == f"{fake.api_base}/pay/{session.id}"

    fake.checkout_complete(session.id)

    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["subscription"]})
    assert (done.status, done.payment_status, done.client_reference_id) == ("complete", "paid", "7")
    sub = done.subscription
    assert isinstance(sub, stripe.Subscription)
    assert (sub.status, sub.metadata["tenant_id"], sub.customer) == ("active", "7", done.customer)
    item = sub["items"].data[0]
    assert item.price.lookup_key == "community_monthly"
    assert abs(item.current_period_end - (time.time() + 30 * DAY)) < 60
    invoices = client.v1.invoices.list(params={"customer": str(done.customer), "limit": 5}).data
    assert [(i.status, i.amount_paid, i.number) for i in invoices] == [("paid", 9900, "TS-0001")]
    assert invoices[0].parent is not None
    assert invoices[0].parent.subscription_details is not None
    assert invoices[0].parent.subscription_details.subscription == sub.id
    assert [e["type"] for e in fake.events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]


def test_checkout_with_a_trial_charges_nothing_until_it_ends(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    trial_end = int(time.time()) + 14 * DAY
    session = _checkout(client, price["id"], trial_end=trial_end)
    fake.checkout_complete(session.id)
    done = client.v1.checkout.sessions.retrieve(session.id)
    sub = client.v1.subscriptions.retrieve(str(done.subscription))
    assert (sub.status, sub.trial_end, done.payment_status) == (
        "trialing",
        trial_end,
        "no_payment_required",
    )
    assert sub["items"].data[0].current_period_end == trial_end
    invoices = client.v1.invoices.list(params={"customer": str(sub.customer)}).data
    assert [i.amount_paid for i in invoices] == [0]


def test_failed_renewal_makes_the_subscription_past_due_until_paid(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    sub_id = _subscribed(client, fake, price["id"])
    fake.events.clear()

    fake.invoice_fail(sub_id)
    sub = client.v1.subscriptions.retrieve(sub_id, params={"expand": ["latest_invoice"]})
    assert sub.status == "past_due"
    assert isinstance(sub.latest_invoice, stripe.Invoice)
    assert (sub.latest_invoice.status, sub.latest_invoice.amount_due) == ("open", 9900)

    fake.invoice_pay(sub_id)
    sub = client.v1.subscriptions.retrieve(sub_id)
    newest = client.v1.invoices.list(params={"customer": str(sub.customer), "limit": 1}).data
    assert sub.status == "active"
    assert [(i.id, i.status) for i in newest] == [(sub.latest_invoice, "paid")]
    assert [e["type"] for e in fake.events] == [
        "invoice.payment_failed",
        "customer.subscription.updated",
        "invoice.paid",
        "customer.subscription.updated",
    ]
    assert fake.events[1]["data"]["previous_attributes"]["status"] == "active"


def test_renewal_needing_authentication_is_paid_on_the_hosted_invoice_page(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    sub_id = _subscribed(client, fake, price["id"])
    [event, _updated] = fake.invoice_action_required(sub_id)
    assert event["type"] == "invoice.payment_action_required"
    hosted = event["data"]["object"]["hosted_invoice_url"]
    assert "Pay invoice" in requests.get(hosted, timeout=10).text

    requests.post(hosted, timeout=10).raise_for_status()

    assert client.v1.subscriptions.retrieve(sub_id).status == "active"


def test_changing_the_price_updates_the_item_and_tells_the_webhook(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any], receiver: Receiver
) -> None:
    bigger = fake.price_create(lookup_key="network_monthly", unit_amount=29900)
    sub_id = _subscribed(client, fake, price["id"])
    item_id = client.v1.subscriptions.retrieve(sub_id)["items"].data[0].id
    fake.webhook_url = receiver.url

    updated = client.v1.subscriptions.update(
        sub_id,
        params={
            "items": [{"id": item_id, "price": bigger["id"]}],
            "proration_behavior": "create_prorations",
        },
    )

    assert [i.price.lookup_key for i in updated["items"].data] == ["network_monthly"]
    fake.settle()
    [event] = receiver.events(fake.webhook_secret)
    assert event.type == "customer.subscription.updated"
    assert event.data.object["items"]["data"][0]["price"]["id"] == bigger["id"]
    assert event.request is not None
    assert event.request.id is not None


def test_cancel_at_period_end_keeps_the_subscription_active(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    sub_id = _subscribed(client, fake, price["id"])
    sub = client.v1.subscriptions.update(sub_id, params={"cancel_at_period_end": True})
    assert (sub.status, sub.cancel_at_period_end) == ("active", True)
    assert sub.cancel_at == sub["items"].data[0].current_period_end


def test_cancelled_subscription_ends_now_and_leaves_the_default_list(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    sub_id = _subscribed(client, fake, price["id"])
    sub = client.v1.subscriptions.cancel(sub_id)
    assert sub.status == "canceled"
    assert sub.ended_at is not None
    assert abs(sub.ended_at - time.time()) < 60
    assert fake.events[-1]["type"] == "customer.subscription.deleted"
    customer = str(sub.customer)
    assert client.v1.subscriptions.list(params={"customer": customer}).data == []
    listed = client.v1.subscriptions.list(params={"customer": customer, "status": "all"}).data
    assert [s.id for s in listed] == [sub_id]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(sub_id, params={"cancel_at_period_end": True})


def test_portal_session_page_cancels_and_returns_to_the_site(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    sub_id = _subscribed(client, fake, price["id"])
    customer = str(client.v1.subscriptions.retrieve(sub_id).customer)
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": customer, "return_url": "http://alpha.localhost/admin/billing/"}
    )
    assert portal.url == f"{fake.api_base}/portal/{portal.id}"
    page = requests.get(portal.url, timeout=10).text
    assert "Return to alpha.localhost" in page
    assert "Cancel subscription" in page

    location = _post_without_following(portal.url, {"subscription": sub_id})

    assert location == "http://alpha.localhost/admin/billing/"
    assert client.v1.subscriptions.retrieve(sub_id).status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.billing_portal.sessions.create(params={"customer": "cus_nobody"})


def test_state_can_be_poked_and_reset_keeps_only_prices(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any]
) -> None:
    sub_id = _subscribed(client, fake, price["id"])
    fake.subscription_set(sub_id, status="unpaid", current_period_end=1_900_000_000)
    sub = client.v1.subscriptions.retrieve(sub_id)
    assert (sub.status, sub["items"].data[0].current_period_end) == ("unpaid", 1_900_000_000)
    [event] = fake.trial_will_end(sub_id)
    assert (event["type"], event["data"]["object"]["id"]) == (
        "customer.subscription.trial_will_end",
        sub_id,
    )

    fake.reset()

    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.retrieve(sub_id)
    assert client.v1.prices.retrieve(price["id"]).lookup_key == "community_monthly"
    assert fake.events == []


def test_signature_is_accepted_by_the_stripe_library_and_a_tampered_body_is_not() -> None:
    secret = "whsec_test"
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "invoice.paid"}).encode()
    event = stripe.Webhook.construct_event(payload, stripe_signature(payload, secret), secret)
    assert event.type == "invoice.paid"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            payload.replace(b"paid", b"void"), stripe_signature(payload, secret), secret
        )
    stale = stripe_signature(payload, secret, timestamp=int(time.time()) - 3600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stale, secret)


def test_paying_on_the_hosted_page_delivers_signed_events_then_redirects(
    client: stripe.StripeClient, fake: FakeStripe, price: dict[str, Any], receiver: Receiver
) -> None:
    fake.webhook_url = receiver.url
    session = _checkout(client, price["id"])
    page = requests.get(str(session.url), timeout=10).text
    assert "Fake Stripe Checkout" in page
    assert "£99.00" in page

    location = _post_without_following(str(session.url), {})

    assert location == f"http://townsquare.localhost/billing/done?session={session.id}"
    events = receiver.events(fake.webhook_secret)
    assert [e.type for e in events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    assert events[0].data.object["id"] == session.id
    assert [d.status for d in fake.deliveries] == [200, 200, 200]


def test_a_repeated_idempotency_key_gets_the_first_answer(client: stripe.StripeClient) -> None:
    def create(email: str) -> stripe.Customer:
        return client.v1.customers.create(
            params={"email": email}, options={"idempotency_key": "signup-7"}
        )

    first = create("a@example.org")
    assert create("a@example.org").id == first.id
    with pytest.raises(stripe.IdempotencyError):
        create("b@example.org")


def test_requests_without_the_api_key_are_refused(fake: FakeStripe) -> None:
    stranger = stripe.StripeClient(
        "sk_test_wrong", base_addresses={"api": fake.api_base}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError):
        stranger.v1.customers.create(params={"email": "a@example.org"})


def test_unknown_ids_and_parameters_are_refused_as_stripe_does(
    client: stripe.StripeClient, price: dict[str, Any]
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.subscriptions.retrieve("sub_nothing")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as bad_price:
        _checkout(client, "price_nothing")
    assert (bad_price.value.http_status, bad_price.value.param) == (400, "line_items[0][price]")
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter: automatic_tax"):
        _checkout(client, price["id"], tax=True)


def test_form_decoding_follows_stripes_bracket_syntax() -> None:
    decoded = form_decode(
        "line_items[0][price]=price_x&line_items[0][quantity]=1&metadata[tenant_id]=3"
        "&expand[0]=items&lookup_keys[]=a&lookup_keys[]=b"
    )
    assert decoded == {
        "line_items": [{"price": "price_x", "quantity": "1"}],
        "metadata": {"tenant_id": "3"},
        "expand": ["items"],
        "lookup_keys": ["a", "b"],
    }


def _post_without_following(url: str, form: dict[str, str]) -> str:
    """POSTs a form as a browser would and returns where the 303 sends it."""
    response = requests.post(url, data=form, allow_redirects=False, timeout=10)
    assert response.status_code == 303
    return response.headers["Location"]
