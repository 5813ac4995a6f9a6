"""An organisation's site (one PostgreSQL schema) and the host names that reach it."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from billing.plans import PLAN_CHOICES, TRIAL

# A DNS label: lowercase letters, digits and inner hyphens; the schema swaps hyphens for
# underscores, which DNS labels cannot contain, so two slugs never share a schema.
# A new site's first admin: sign-up asks for an email and a password, not a username.
ADMIN_USERNAME = "admin"
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Names the platform itself uses or may need, and ones that would mislead residents.
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "admin", "mail", "static", "app", "media", "staff", "status", "support",
        "help", "docs", "blog", "ftp", "smtp", "imap", "pop", "pop3", "mx", "ns", "ns1", "ns2",
        "cdn", "assets", "billing", "public", "root", "test", "localhost", "dev", "demo", "signup",
        "login", "accounts", "account", "dashboard", "manage", "security", "abuse", "postmaster",
        "webmaster", "hostmaster", "info", "news", "shop", "store", "townsquare", "internal",
        "autoconfig", "autodiscover",
    }
)  # fmt: skip
SLUG_MESSAGE = (
    "Use 1–63 lowercase letters, digits or hyphens, not starting or ending with a hyphen."
)


def slug_problem(slug: str) -> str:
    """Why a subdomain cannot be used, or "" when its form is fine (availability aside)."""
    if not SLUG_RE.match(slug):
        return SLUG_MESSAGE
    # PostgreSQL keeps names starting pg_ for itself; spare schemas start spare_.
    if slug in RESERVED_SLUGS or slug.startswith(("pg-", "xn--")):
        return f"“{slug}” is reserved. Please choose another name."
    return ""


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


class Tenant(TenantMixin):
    class Status(models.TextChoices):
        PROVISIONING = "provisioning", "Provisioning"
        ACTIVE = "active", "Active"
        # Unpaid: residents read but cannot post; staff still work in /manage/.
        READ_ONLY = "read_only", "Read-only (unpaid)"
        SUSPENDED = "suspended", "Suspended"

    class Hold(models.TextChoices):
        NONE = "", "None"
        # Billing lifts its own holds when paid; it never lifts one platform staff made.
        BILLING = "billing", "Billing"
        STAFF = "staff", "Platform staff"

    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=63, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    held_by = models.CharField(max_length=10, choices=Hold.choices, default=Hold.NONE, blank=True)
    plan = models.CharField(max_length=30, choices=PLAN_CHOICES, default=TRIAL.key)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return bool(self.schema_name == get_public_schema_name())

    def clean(self) -> None:
        problem = "" if self.is_public else slug_problem(self.slug or "")
        if problem:
            raise ValidationError({"slug": problem})


class Domain(DomainMixin):
    """A host name that reaches a tenant's site. Its Townsquare address (<slug>.<root>) and
    the root domain are ours and answer at once; an organisation's own domain answers, and
    gets a certificate, only once a DNS TXT record has proved it is theirs."""

    # The TXT record's value is "townsquare-verify=<token>" at _townsquare.<domain>.
    verification_token = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # What the latest check found, in words an admin can act on ("" once verified).
    check_result = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return str(self.domain)

    @property
    def is_ours(self) -> bool:
        """The root domain or one of its subdomains: nothing to prove."""
        root = settings.ROOT_DOMAIN
        return self.domain == root or str(self.domain).endswith(f".{root}")

    @property
    def record_name(self) -> str:
        return f"{VERIFICATION_LABEL}.{self.domain}"

    @property
    def record_value(self) -> str:
        return f"{VERIFICATION_PREFIX}{self.verification_token}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Our own addresses are verified by being ours; a new one must not wait for DNS.
        if self.verified_at is None and self.is_ours:
            self.verified_at = timezone.now()
        super().save(*args, **kwargs)


VERIFICATION_LABEL = "_townsquare"
VERIFICATION_PREFIX = "townsquare-verify="


class DemoRequest(models.Model):
    """An organisation asking for a demo; contact details are purged after it is closed."""

    class Stage(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        DEMO_BOOKED = "demo_booked", "Demo booked"
        TRIAL = "trial", "Trial"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=200)
    role = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    message = models.TextField(max_length=3000, blank=True)
    consent = models.BooleanField()
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NEW)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_stage_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        from django.utils import timezone

        closed = self.stage in {self.Stage.WON, self.Stage.LOST}
        if closed and self.closed_at is None:
            self.closed_at = timezone.now()
        elif not closed:
            self.closed_at = None
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class SpareSchema(models.Model):
    """A migrated schema waiting to become a tenant's: claiming one is a rename.

    The row is written before the schema is made, so a crash mid-way leaves a row that
    the pool's refill finds (ready is still false) and cleans up, never a stray schema.
    """

    name = models.CharField(max_length=63, unique=True)
    # Which migrations it has: a deploy that adds some makes older spares stale.
    fingerprint = models.CharField(max_length=64, blank=True)
    ready = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class Signup(models.Model):
    """A self-service sign-up (or a staff-made trial) and the provisioning of its site.

    The admin's password arrives here already hashed; the site is made by a Celery task
    whose steps are each idempotent, so a retried or resumed task converges.
    """

    class Status(models.TextChoices):
        # A paid plan will wait here for Stripe Checkout before it is queued.
        AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
        QUEUED = "queued", "Queued"
        PROVISIONING = "provisioning", "Provisioning"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        SELF_SERVICE = "self_service", "Self-service sign-up"
        STAFF = "staff", "Staff (from a demo request)"

    organisation = models.CharField(max_length=200)
    slug = models.CharField(max_length=63)
    admin_email = models.EmailField()
    # A Django password hash, made in the request; empty when the admin is invited instead.
    password_hash = models.CharField(max_length=256, blank=True)
    plan = models.CharField(max_length=30, choices=PLAN_CHOICES, default=TRIAL.key)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SELF_SERVICE)
    demo_request = models.ForeignKey(
        DemoRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="signups"
    )
    # The form's one-time key: a double-clicked submit finds the first sign-up.
    submit_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="signups"
    )
    used_spare = models.BooleanField(null=True, blank=True)
    # A paid sign-up (card first, site after): its Checkout and what came of it.
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    # Seconds each step took, for the staff console and the benchmark.
    timings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A name is held from sign-up until its tenant exists (which then holds it)
            # or provisioning fails.
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(status__in=["awaiting_payment", "queued", "provisioning"]),
                name="signup_slug_unique_while_in_flight",
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug} ({self.get_status_display()})"

    IN_FLIGHT = ("awaiting_payment", "queued", "provisioning")

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}


class TenantExport(models.Model):
    """A downloadable archive of one tenant's schema and media, made by the worker."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # Kept after the tenant is deleted: the archive is what remains of it.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="exports"
    )
    slug = models.CharField(max_length=63)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    path = models.CharField(max_length=500, blank=True)
    size = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export of {self.slug} ({self.get_status_display()})"


class TenantUsage(models.Model):
    """How much a tenant uses, counted in its schema by the worker for the staff console."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="usage")
    residents = models.PositiveIntegerField(default=0)
    ideas = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    storage_bytes = models.BigIntegerField(default=0)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Usage of {self.tenant}"
