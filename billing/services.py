"""Writes for billing: accounts, Checkout and the portal, webhooks, and trials that end."""

from __future__ import annotations

import contextlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.selectors import staff_seats_in_use
from billing import stripe_gateway as gateway
from billing.entitlements import Usage, downgrade_problems
from billing.models import (
    OVERDUE_STATUSES,
    PAID_STATUSES,
    AccessState,
    BillingAccount,
    WebhookEvent,
)
from billing.plans import PLANS, TRIAL, Plan, plan_get
from dialogues.models import Dialogue
from tenants.models import Signup, Tenant
from tenants.services import signup_queue
from themes.models import ThemeDraft

logger = logging.getLogger(__name__)

# The event types we act on; any other is stored and acknowledged.
HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
        "invoice.paid",
        "invoice.payment_failed",
        "invoice.payment_action_required",
    }
)
# Events that also tell the site's admins something needs doing.
_NOTICE_EVENTS = {
    "invoice.payment_failed": "payment_failed",
    "invoice.payment_action_required": "action_required",
}
_STATUS_FOR_ACCESS = {
    AccessState.FULL: Tenant.Status.ACTIVE,
    AccessState.READ_ONLY: Tenant.Status.READ_ONLY,
    AccessState.SUSPENDED: Tenant.Status.SUSPENDED,
}
FIRST_NOTICE_DAYS = 7
# An unpaid sign-up gives its name back after this long (Checkout sessions last a day).
SIGNUP_PAYMENT_HOURS = 24


class EventNotReadyError(Exception):
    """The event is about a sign-up whose site is still being made: try again shortly."""


def account_for(*, tenant: Tenant) -> BillingAccount:
    """The tenant's billing account, made on first use: a trial counted from the site's
    creation, or staff-invoiced when staff had already put the site on a paid plan."""
    account = BillingAccount.objects.filter(tenant=tenant).first()
    if account is not None:
        return account
    mode = BillingAccount.Mode.TRIAL if tenant.plan == TRIAL.key else BillingAccount.Mode.MANUAL
    # A site older than billing gets at least a week's notice (and its reminder) first.
    trial_end = max(
        tenant.created_at + timedelta(days=settings.BILLING_TRIAL_DAYS),
        timezone.now() + timedelta(days=FIRST_NOTICE_DAYS),
    )
    try:
        with transaction.atomic():
            return BillingAccount.objects.create(tenant=tenant, mode=mode, trial_ends_at=trial_end)
    except IntegrityError:
        return BillingAccount.objects.get(tenant=tenant)


def account_open(*, tenant: Tenant, signup: Signup) -> BillingAccount:
    """A new site's account, in the provisioning transaction: a trial, or the subscription
    its sign-up paid for at Checkout (checked against Stripe by the worker after commit)."""
    now = timezone.now()
    paid = bool(signup.stripe_subscription_id)
    account, _ = BillingAccount.objects.get_or_create(
        tenant=tenant,
        defaults={
            "mode": BillingAccount.Mode.STRIPE if paid else BillingAccount.Mode.TRIAL,
            "trial_ends_at": now + timedelta(days=settings.BILLING_TRIAL_DAYS),
            "stripe_customer_id": signup.stripe_customer_id or None,
            "stripe_subscription_id": signup.stripe_subscription_id,
            # Checkout completed, so paid; the sync after commit reads Stripe's own word.
            "subscription_status": "active" if paid else "",
        },
    )
    if paid:
        Tenant.objects.filter(pk=tenant.pk).update(plan=signup.plan)
        # billing.tasks imports this module, so the task is imported where it is queued.
        from billing.tasks import billing_account_sync

        transaction.on_commit(lambda: billing_account_sync.delay(account_id=account.pk))
    return account


def account_set_manual(*, tenant: Tenant, plan: str) -> BillingAccount:
    """Staff put a site on a plan by hand (invoiced outside Stripe): no trial clock."""
    chosen = plan_get(plan)
    with transaction.atomic():
        account = _locked(account_for(tenant=tenant))
        if account.mode == BillingAccount.Mode.STRIPE and account.subscription_status in (
            PAID_STATUSES | OVERDUE_STATUSES
        ):
            raise ValidationError(
                "This site pays by card through Stripe: change its plan there, or cancel the "
                "subscription first."
            )
        account.mode = BillingAccount.Mode.TRIAL if chosen == TRIAL else BillingAccount.Mode.MANUAL
        account.due_since = None
        account.save()
        Tenant.objects.filter(pk=tenant.pk).update(plan=chosen.key)
        return access_apply(account=account, now=timezone.now())


def trial_extend(*, tenant: Tenant, days: int) -> BillingAccount:
    """Staff give a trial more days, counted from now or from its end, whichever is later."""
    if not 1 <= days <= 365:
        raise ValidationError("Extend a trial by 1 to 365 days.")
    with transaction.atomic():
        account = _locked(account_for(tenant=tenant))
        if account.mode != BillingAccount.Mode.TRIAL:
            raise ValidationError("Only a site on its free trial can have it extended.")
        now = timezone.now()
        account.trial_ends_at = max(account.trial_ends_at, now) + timedelta(days=days)
        # Reminders are due again before the new end.
        account.trial_reminder_7_sent_at = None
        account.trial_reminder_1_sent_at = None
        account.save()
        return access_apply(account=account, now=now)


def _locked(account: BillingAccount) -> BillingAccount:
    return BillingAccount.objects.select_for_update().select_related("tenant").get(pk=account.pk)


def access_apply(*, account: BillingAccount, now: datetime) -> BillingAccount:
    """Makes the site's status what its account says: full, read-only or suspended.

    Never touches a site platform staff suspended, nor one still being made. Each change
    of state is emailed to the site's admins once.
    """
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=account.tenant_id)
        if tenant.status == Tenant.Status.PROVISIONING or tenant.held_by == Tenant.Hold.STAFF:
            return account
        state = account.access_at(now)
        status = _STATUS_FOR_ACCESS[AccessState(state)]
        hold = Tenant.Hold.NONE if state == AccessState.FULL else Tenant.Hold.BILLING
        if (tenant.status, tenant.held_by) != (status, hold):
            tenant.status, tenant.held_by = status, hold
            tenant.save(update_fields=["status", "held_by"])
        if state != account.notified_state:
            account.notified_state = state
            BillingAccount.objects.filter(pk=account.pk).update(notified_state=state)
            _notify(account, str(state))
    account.tenant = tenant
    return account


def _notify(account: BillingAccount, kind: str, **extra: str) -> None:
    # billing.tasks imports this module, so the task is imported where it is queued.
    from billing.tasks import billing_notice_send

    transaction.on_commit(
        lambda: billing_notice_send.delay(account_id=account.pk, kind=kind, **extra)
    )


def account_sync(
    *, account: BillingAccount, subscription: gateway.Subscription, now: datetime | None = None
) -> BillingAccount:
    """Takes a subscription's current state from Stripe; replaying it changes nothing, and an
    older event arriving late still leads here, to the state Stripe holds now."""
    now = now or timezone.now()
    with transaction.atomic():
        account = _locked(account)
        if account.stripe_customer_id and subscription.customer != account.stripe_customer_id:
            logger.warning("Subscription of another customer ignored for account %s", account.pk)
            return account
        status = subscription.status
        replaced = (
            account.stripe_subscription_id and subscription.id != account.stripe_subscription_id
        )
        if replaced and account.paid_up and status not in PAID_STATUSES:
            # An old subscription's news while a newer one pays: nothing to change.
            return account
        if account.mode == BillingAccount.Mode.TRIAL and status not in (
            PAID_STATUSES | OVERDUE_STATUSES | {"canceled"}
        ):
            # Checkout not finished (incomplete, say): the trial goes on as it was.
            return account
        account.mode = BillingAccount.Mode.STRIPE
        account.stripe_customer_id = subscription.customer or account.stripe_customer_id
        account.stripe_subscription_id = subscription.id
        account.subscription_status = status
        account.current_period_end = subscription.current_period_end
        account.cancel_at_period_end = subscription.cancel_at_period_end
        paying = status in PAID_STATUSES and not subscription.cancel_at_period_end
        account.next_amount_pence = subscription.unit_amount if paying else None
        if status in PAID_STATUSES:
            account.due_since = None
        elif status in OVERDUE_STATUSES:
            account.due_since = account.due_since or now
        else:
            account.due_since = account.due_since or subscription.ended_at or now
        account.synced_at = now
        account.save()
        plan = gateway.plan_for_price(
            price_id=subscription.price_id, lookup_key=subscription.lookup_key
        )
        if status in PAID_STATUSES | OVERDUE_STATUSES and plan is not None:
            Tenant.objects.filter(pk=account.tenant_id).update(plan=plan.key)
        elif status not in PAID_STATUSES | OVERDUE_STATUSES:
            Tenant.objects.filter(pk=account.tenant_id).update(plan=TRIAL.key)
        return access_apply(account=account, now=now)


def account_sync_from_stripe(*, account_id: int) -> BillingAccount | None:
    account = BillingAccount.objects.filter(pk=account_id).first()
    if account is None or not account.stripe_subscription_id:
        return account
    subscription = gateway.subscription_get(account.stripe_subscription_id)
    return account_sync(account=account, subscription=subscription)


def tenant_usage(*, tenant: Tenant) -> Usage:
    """What the site uses now, counted in its schema, for checking a change of plan."""
    with schema_context(tenant.schema_name):
        draft = ThemeDraft.objects.filter(singleton=True).first()
        usage = Usage(
            open_dialogues=Dialogue.objects.filter(state=Dialogue.State.OPEN).count(),
            staff_seats=staff_seats_in_use(),
            custom_css=bool(draft and draft.custom_css.strip()),
            branding_removed=bool(draft and draft.hide_branding),
            custom_domains=tenant.domains.filter(is_primary=False).count(),
        )
    return usage


def plan_change_problems(*, tenant: Tenant, plan: Plan) -> list[str]:
    """What must change before the site fits the plan (empty for an upgrade that fits)."""
    return downgrade_problems(plan, tenant_usage(tenant=tenant))


def checkout_start(*, tenant: Tenant, plan: Plan, email: str, base_url: str) -> str:
    """Where the admin goes to pay for a plan: Stripe Checkout, or back to billing when the
    existing subscription was moved to the plan. Refuses a plan the site does not fit."""
    if not plan.paid:
        raise ValidationError("Choose a paid plan.")
    problems = plan_change_problems(tenant=tenant, plan=plan)
    if problems:
        raise ValidationError(problems)
    account = account_for(tenant=tenant)
    price_id = gateway.price_id_for(plan)
    live = account.mode == BillingAccount.Mode.STRIPE and account.subscription_status in (
        PAID_STATUSES | OVERDUE_STATUSES
    )
    if live and account.stripe_subscription_id:
        current = gateway.subscription_get(account.stripe_subscription_id)
        changed = gateway.subscription_change_price(subscription=current, price_id=price_id)
        account_sync(account=account, subscription=changed)
        return f"{base_url}/manage/billing/?changed={plan.key}"
    if not account.stripe_customer_id:
        customer = gateway.customer_create(
            name=tenant.name,
            email=email,
            tenant_id=tenant.pk,
            idempotency_key=f"townsquare-customer-{tenant.pk}",
        )
        BillingAccount.objects.filter(pk=account.pk, stripe_customer_id__isnull=True).update(
            stripe_customer_id=customer
        )
        account.refresh_from_db()
    now = timezone.now()
    # Paying during the trial keeps its remaining days free (Stripe needs two days' notice).
    trial_end = (
        account.trial_ends_at
        if account.mode == BillingAccount.Mode.TRIAL
        and account.trial_ends_at > now + timedelta(days=2)
        else None
    )
    session = gateway.checkout_session_create(
        price_id=price_id,
        customer=account.stripe_customer_id or "",
        reference=f"tenant-{tenant.pk}",
        metadata={"tenant_id": str(tenant.pk), "plan": plan.key},
        trial_end=trial_end,
        success_url=f"{base_url}/manage/billing/?checkout={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base_url}/manage/billing/?checkout=cancelled",
        idempotency_key=f"townsquare-checkout-{tenant.pk}-{secrets.token_hex(8)}",
    )
    return session.url


class ForeignCheckoutError(Exception):
    """A Checkout session that belongs to another site (or to a sign-up)."""


def checkout_return(*, tenant: Tenant, session_id: str) -> bool:
    """Back from Checkout: takes the result now rather than waiting for the webhook.
    True when complete; raises ForeignCheckoutError for another site's session."""
    try:
        session = gateway.checkout_session_get(session_id)
    except gateway.NotFoundError:
        raise ForeignCheckoutError from None
    if session.metadata.get("tenant_id") != str(tenant.pk):
        raise ForeignCheckoutError
    if session.status != "complete":
        return False
    _settle(
        customer=session.customer, subscription_id=session.subscription, metadata=session.metadata
    )
    return True


def portal_start(*, tenant: Tenant, return_url: str) -> str:
    account = account_for(tenant=tenant)
    if not account.stripe_customer_id:
        raise ValidationError("There is no card on file yet: choose a plan first.")
    return gateway.portal_session_create(customer=account.stripe_customer_id, return_url=return_url)


def signup_checkout_start(*, signup: Signup, status_url: str) -> str:
    """Card first, site after: Checkout for a paid sign-up waiting at AWAITING_PAYMENT."""
    if signup.status != Signup.Status.AWAITING_PAYMENT:
        raise ValidationError("This sign-up is not waiting for a payment.")
    plan = plan_get(signup.plan)
    session = gateway.checkout_session_create(
        price_id=gateway.price_id_for(plan),
        customer_email=signup.admin_email,
        reference=f"signup-{signup.pk}",
        metadata={"signup_id": str(signup.pk), "plan": plan.key},
        trial_end=None,
        success_url=f"{status_url}?checkout={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{status_url}?checkout=cancelled",
        idempotency_key=f"townsquare-signup-{signup.pk}-{secrets.token_hex(8)}",
    )
    Signup.objects.filter(pk=signup.pk).update(stripe_checkout_session_id=session.id)
    return session.url


def signup_checkout_return(*, signup: Signup, session_id: str) -> bool:
    """Back from a paid sign-up's Checkout: queues the site now unless the webhook has."""
    try:
        session = gateway.checkout_session_get(session_id)
    except gateway.NotFoundError:
        return False
    if session.metadata.get("signup_id") != str(signup.pk) or session.status != "complete":
        return False
    # If the webhook got there first, the site is already being made.
    with contextlib.suppress(EventNotReadyError):
        _settle(
            customer=session.customer,
            subscription_id=session.subscription,
            metadata=session.metadata,
        )
    return True


def signup_payment_settle(*, signup_id: int, customer: str, subscription_id: str) -> bool:
    """A paid sign-up's Checkout completed: record it and queue the site, exactly once."""
    with transaction.atomic():
        moved = Signup.objects.filter(pk=signup_id, status=Signup.Status.AWAITING_PAYMENT).update(
            status=Signup.Status.QUEUED,
            stripe_customer_id=customer,
            stripe_subscription_id=subscription_id,
        )
        if moved:
            signup_queue(signup=Signup.objects.get(pk=signup_id))
    return bool(moved)


def signups_unpaid_expire(*, now: datetime) -> int:
    """Paid sign-ups never paid for give their name back."""
    cutoff = now - timedelta(hours=SIGNUP_PAYMENT_HOURS)
    return Signup.objects.filter(
        status=Signup.Status.AWAITING_PAYMENT, created_at__lte=cutoff
    ).update(
        status=Signup.Status.FAILED,
        error="Payment was not completed, so the site was not made.",
        finished_at=now,
    )


def webhook_receive(*, payload: bytes, signature: str) -> tuple[WebhookEvent, bool]:
    """Stores a verified event once by its id and hands it to the worker after commit.

    Raises gateway.SignatureInvalidError or ValueError (nothing stored). A repeat delivery of an
    event that is stored returns it with created False and queues nothing new.
    """
    event = gateway.event_verify(payload=payload, signature=signature)
    created_ts = event.get("created")
    stored = WebhookEvent(
        event_id=event["id"][:255],
        type=event["type"][:100],
        payload=event,
        stripe_created_at=(
            datetime.fromtimestamp(created_ts, tz=UTC) if isinstance(created_ts, int) else None
        ),
    )
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        return WebhookEvent.objects.get(event_id=stored.event_id), False
    _queue_event(stored.pk)
    return stored, True


def _queue_event(event_pk: int) -> None:
    # billing.tasks imports this module, so the task is imported where it is queued.
    from billing.tasks import billing_event_process

    transaction.on_commit(lambda: billing_event_process.delay(event_pk=event_pk))


def event_process(*, event_pk: int) -> str:
    """Handles one stored event at most once; returns its outcome.

    Handlers read the subscription's current state from Stripe, so duplicates and events
    out of order all end in the state Stripe holds.
    """
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update(skip_locked=True).filter(pk=event_pk).first()
        if event is None:
            return "busy"  # another worker has it
        if event.outcome not in {WebhookEvent.Outcome.PENDING, WebhookEvent.Outcome.FAILED}:
            return event.outcome
        event.attempts += 1
        try:
            outcome, account = _handle(event.type, event.payload)
        except (gateway.BillingUnavailableError, EventNotReadyError) as error:
            # Recorded for the console and the sweep; raised once the transaction is over,
            # so the task retries it.
            failure: Exception | None = error
            event.outcome = WebhookEvent.Outcome.FAILED
            event.error = str(error)[:300]
            event.save(update_fields=["outcome", "attempts", "error"])
        else:
            failure = None
            event.outcome = outcome
            event.account = account
            event.error = ""
            # Handled: the body may name a billing contact, and Stripe keeps the event anyway.
            event.payload = {}
            event.processed_at = timezone.now()
            event.save()
    if failure is not None:
        raise failure
    return str(event.outcome)


def _handle(kind: str, payload: dict[str, Any]) -> tuple[str, BillingAccount | None]:
    if kind not in HANDLED_EVENTS:
        return WebhookEvent.Outcome.IGNORED, None
    obj = payload.get("data", {}).get("object") or {}
    if not isinstance(obj, dict):
        return WebhookEvent.Outcome.IGNORED, None
    customer = gateway.object_id(obj.get("customer"))
    metadata = obj.get("metadata") or {}
    if kind == "checkout.session.completed":
        subscription_id = gateway.object_id(obj.get("subscription"))
    elif kind.startswith("customer.subscription."):
        subscription_id = str(obj.get("id") or "")
    else:
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        subscription_id = gateway.object_id(details.get("subscription"))
        metadata = details.get("metadata") or metadata
    try:
        account = _settle(customer=customer, subscription_id=subscription_id, metadata=metadata)
    except gateway.NotFoundError:
        # Stripe no longer has (or never had) what the event names: nothing to act on.
        account = None
    if account is None:
        # Not ours (another platform's customer on the same Stripe account), or gone.
        logger.info("Stripe %s for an unknown customer acknowledged", kind)
        return WebhookEvent.Outcome.UNKNOWN_CUSTOMER, None
    if isinstance(account, BillingAccount):
        notice = _NOTICE_EVENTS.get(kind)
        if notice:
            _notify(account, notice, url=str(obj.get("hosted_invoice_url") or ""))
        return WebhookEvent.Outcome.PROCESSED, account
    return WebhookEvent.Outcome.PROCESSED, None


def _settle(
    *, customer: str, subscription_id: str, metadata: dict[str, Any]
) -> BillingAccount | bool | None:
    """Brings whatever an event is about up to Stripe's current state.

    Returns the account, True for a paid sign-up now queued or already handled, None when
    the event belongs to nobody here.
    """
    account = (
        BillingAccount.objects.filter(stripe_customer_id=customer).first() if customer else None
    )
    tenant_id = str(metadata.get("tenant_id") or "")
    if account is None and tenant_id.isdigit():
        # Our own Checkout's metadata; the customer is linked by account_sync, once Stripe
        # has shown the subscription exists and is that customer's.
        account = BillingAccount.objects.filter(tenant_id=int(tenant_id)).first()
        if account is not None and account.stripe_customer_id not in (None, "", customer):
            account = None
    signup_id = str(metadata.get("signup_id") or "")
    if account is None and signup_id.isdigit():
        return _settle_signup(int(signup_id), customer=customer, subscription_id=subscription_id)
    if account is None:
        return None
    if subscription_id:
        account_sync(account=account, subscription=gateway.subscription_get(subscription_id))
    return account


def _settle_signup(signup_id: int, *, customer: str, subscription_id: str) -> bool | None:
    signup = Signup.objects.filter(pk=signup_id).first()
    if signup is None:
        return None
    if signup.status == Signup.Status.AWAITING_PAYMENT:
        if not subscription_id:
            return True
        subscription = gateway.subscription_get(subscription_id)
        if subscription.status in PAID_STATUSES:
            signup_payment_settle(
                signup_id=signup.pk, customer=customer, subscription_id=subscription_id
            )
        return True
    if signup.status in {Signup.Status.QUEUED, Signup.Status.PROVISIONING}:
        # Its account is made with the site; this event is read again once it exists.
        raise EventNotReadyError("The site paid for is still being made.")
    return True


def events_requeue(*, older_than: timedelta) -> int:
    """Queues again events a worker never finished (a lost message, a failed handler)."""
    cutoff = timezone.now() - older_than
    waiting = WebhookEvent.objects.filter(
        outcome__in=[WebhookEvent.Outcome.PENDING, WebhookEvent.Outcome.FAILED],
        received_at__lte=cutoff,
    ).values_list("pk", flat=True)[:500]
    count = 0
    for event_pk in waiting:
        _queue_event(event_pk)
        count += 1
    return count


def billing_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """What beat runs: accounts for new sites, trial reminders, read-only and suspension
    when their time comes, unpaid sign-ups released, stranded events queued again."""
    now = now or timezone.now()
    counts = {"reminders": 0, "changed": 0, "released": 0, "requeued": 0}
    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).exclude(
        status=Tenant.Status.PROVISIONING
    )
    for tenant in tenants.filter(billing__isnull=True):
        account_for(tenant=tenant)
    accounts = BillingAccount.objects.select_related("tenant").exclude(
        mode=BillingAccount.Mode.MANUAL
    )
    for account in accounts.iterator():
        counts["reminders"] += _remind(account, now)
        before = (account.tenant.status, account.tenant.held_by)
        after = access_apply(account=account, now=now).tenant
        counts["changed"] += before != (after.status, after.held_by)
    counts["released"] = signups_unpaid_expire(now=now)
    counts["requeued"] = events_requeue(older_than=timedelta(minutes=5))
    return counts


def _remind(account: BillingAccount, now: datetime) -> int:
    """Emails the admins 7 days and 1 day before a trial ends, once each."""
    if account.mode != BillingAccount.Mode.TRIAL or account.trial_ends_at <= now:
        return 0
    left = account.trial_ends_at - now
    for days, field in ((1, "trial_reminder_1_sent_at"), (7, "trial_reminder_7_sent_at")):
        if left <= timedelta(days=days) and getattr(account, field) is None:
            with transaction.atomic():
                # Both reminders are marked when the 1-day one goes: one email, not two.
                fields = {"trial_reminder_1_sent_at": now} if days == 1 else {}
                fields["trial_reminder_7_sent_at"] = account.trial_reminder_7_sent_at or now
                claimed = BillingAccount.objects.filter(pk=account.pk, **{field: None}).update(
                    **fields
                )
                if claimed:
                    _notify(account, "trial_reminder", days=str(days))
            return claimed
    return 0


def plans_for(*, tenant: Tenant) -> list[tuple[Plan, list[str]]]:
    """Each paid plan with what would have to change first to move to it."""
    usage = tenant_usage(tenant=tenant)
    return [(plan, downgrade_problems(plan, usage)) for plan in PLANS if plan.paid]
