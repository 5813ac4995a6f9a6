"""Writes that turn a sign-up into a working site, in steps that can each be run again."""

from __future__ import annotations

import logging
import os
import secrets
import time
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import StaffInvitation, User
from accounts.tasks import staff_invitation_send
from billing.plans import TRIAL
from billing.services import account_open
from dialogues.models import Dialogue
from dialogues.services import dialogue_create
from sitesettings.models import Signpost, SiteSettings
from tenants.models import ADMIN_USERNAME, Signup, Tenant
from tenants.pool import advisory_lock
from tenants.services import tenant_create_from_pool, tenant_schema_ready
from tenants.storage import schema_media_remove
from themes.models import ThemeDraft

logger = logging.getLogger(__name__)

# pg_advisory_lock(namespace, id): one worker per sign-up; freed if that worker dies.
SIGNUP_LOCK_NAMESPACE = 7452
# A trial made by staff invites its admin; the invitation outlives a slow reply.
INVITATION_DAYS = 14
STARTER_SIGNPOSTS = [
    ("Childline", "Free, private support for under-19s, any time", "0800 1111",
     "https://www.childline.org.uk/"),
    ("Samaritans", "Someone to talk to, day or night", "116 123", "https://www.samaritans.org/"),
]  # fmt: skip


class InjectedFaultError(Exception):
    """A failure injected through PROVISIONING_FAILPOINTS, for tests of the real worker."""


def failpoint(name: str, *, signup: Signup) -> None:
    """Fails at this point when PROVISIONING_FAILPOINTS names it (never set in production).

    "raise" fails every attempt, "once" only the first for a sign-up, "exit" ends the
    process at once as a killed worker would.
    """
    mode = settings.PROVISIONING_FAILPOINTS.get(name)
    if mode is None:
        return
    if mode == "exit":
        os._exit(70)
    # Keyed by the form's random key: ids repeat when a test database is made again, and a
    # Redis that outlives it would remember an earlier run's failures.
    if mode == "once" and not cache.add(f"failpoint:{name}:{signup.submit_key}", 1, 3600):
        return
    raise InjectedFaultError(f"Injected failure at {name}")


def _step(signup: Signup, name: str) -> None:
    """Records the step being worked on, which doubles as the sign-up's heartbeat."""
    signup.step = name
    signup.save(update_fields=["step", "updated_at"])


def signup_provision(*, signup_id: int) -> Signup | None:
    """Runs the steps this sign-up still needs: claim a schema, migrate it, set up the site.

    Returns None when another worker holds the sign-up. Each step checks what is already
    done, so running this again after a failure or a killed worker finishes the job.
    """
    with schema_context("public"), advisory_lock(SIGNUP_LOCK_NAMESPACE, signup_id) as locked:
        if not locked:
            return None
        signup = Signup.objects.select_related("tenant").get(pk=signup_id)
        if signup.finished or signup.status == Signup.Status.AWAITING_PAYMENT:
            return signup
        signup.status = Signup.Status.PROVISIONING
        signup.attempts += 1
        signup.save(update_fields=["status", "attempts", "updated_at"])
        timings = dict(signup.timings)

        if signup.tenant is None:
            _step(signup, "claim")
            failpoint("claim", signup=signup)
            started = time.perf_counter()

            def link(tenant: Tenant) -> None:
                Signup.objects.filter(pk=signup.pk).update(tenant=tenant)
                failpoint("claim_commit", signup=signup)

            tenant, from_pool = tenant_create_from_pool(
                name=signup.organisation,
                slug=signup.slug,
                # A site starts on the trial; a paid sign-up's plan comes with its account.
                plan=TRIAL.key,
                status=Tenant.Status.PROVISIONING,
                on_claim=link,
            )
            signup.tenant = tenant
            signup.used_spare = from_pool
            timings["schema"] = round(time.perf_counter() - started, 4)
            signup.timings = timings
            signup.save(update_fields=["used_spare", "timings", "updated_at"])
        else:
            # Resumed after a claim: the schema exists; make sure it is migrated.
            _step(signup, "migrate")
            failpoint("migrate", signup=signup)
            tenant_schema_ready(tenant=signup.tenant, fingerprint="")

        _step(signup, "setup")
        failpoint("setup", signup=signup)
        started = time.perf_counter()
        tenant = signup.tenant
        with schema_context(tenant.schema_name), transaction.atomic():
            _site_setup(signup=signup, tenant=tenant)
            failpoint("setup_commit", signup=signup)
            Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.ACTIVE)
            account_open(tenant=tenant, signup=signup)
            timings["setup"] = round(time.perf_counter() - started, 4)
            timings["total"] = round((timezone.now() - signup.created_at).total_seconds(), 4)
            signup.timings = timings
            signup.status = Signup.Status.READY
            signup.step = ""
            signup.error = ""
            signup.finished_at = timezone.now()
            signup.save()
        return signup


def _site_setup(*, signup: Signup, tenant: Tenant) -> None:
    """The new site's first contents, in its own schema; safe to run twice."""
    SiteSettings.objects.get_or_create(singleton=True)
    # The default theme: the standard look as an editable draft, nothing published yet.
    ThemeDraft.objects.get_or_create(singleton=True)
    if not Signpost.objects.exists():
        for position, (name, description, phone, url) in enumerate(STARTER_SIGNPOSTS):
            Signpost.objects.create(
                name=name, description=description, phone=phone, url=url, position=position
            )
    if not Dialogue.objects.filter(slug="your-first-dialogue").exists():
        dialogue_create(
            title="Your first dialogue",
            slug="your-first-dialogue",
            question="What would make our area a better place to grow up?",
            description=(
                "This is a draft to start from. Change the question to the one you want "
                "residents to talk about, say **who is listening** and **what will happen "
                "with their ideas**, then open it."
            ),
            state=Dialogue.State.DRAFT,
        )
    if signup.password_hash:
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            admin = User.objects.create(
                username=ADMIN_USERNAME,
                email=signup.admin_email,
                password=signup.password_hash,
                role=User.Role.ADMIN,
            )
            address = EmailAddress.objects.create(
                user=admin, email=signup.admin_email, verified=False, primary=True
            )
            # tenants.tasks imports this module, so the task is imported where it is queued.
            from tenants.tasks import admin_email_confirmation_send

            transaction.on_commit(
                lambda: admin_email_confirmation_send.delay(email_address_id=address.pk)
            )
    elif not StaffInvitation.objects.filter(email=signup.admin_email).exists():
        invitation = StaffInvitation.objects.create(
            email=signup.admin_email,
            role=User.Role.ADMIN,
            token=secrets.token_urlsafe(32),
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        transaction.on_commit(lambda: staff_invitation_send.delay(invitation_id=invitation.pk))


def signup_fail(*, signup_id: int, error: str) -> Signup | None:
    """Gives up on a sign-up: removes everything made for it and records why."""
    with schema_context("public"), advisory_lock(SIGNUP_LOCK_NAMESPACE, signup_id) as locked:
        if not locked:
            return None
        signup = Signup.objects.select_related("tenant").get(pk=signup_id)
        if signup.status == Signup.Status.READY:
            return signup
        tenant = signup.tenant
        if tenant is not None:
            schema = tenant.schema_name
            tenant.delete(force_drop=True)
            schema_media_remove(schema)
        signup.tenant = None
        signup.status = Signup.Status.FAILED
        signup.error = error[:2000]
        signup.finished_at = timezone.now()
        signup.save()
        logger.warning("Provisioning of sign-up %s failed and was rolled back", signup.pk)
        return signup
