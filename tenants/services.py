"""Writes for organisations: the public site, tenants, sign-ups and demo requests."""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import tarfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tenants.models import TenantMixin
from django_tenants.signals import post_schema_sync
from django_tenants.utils import get_public_schema_name, schema_context
from psycopg import sql

from accounts.models import User
from billing.entitlements import Feature, entitlement_check
from billing.plans import COMMUNITY, PAID_PLANS, TRIAL, plan_get
from dialogues.models import Comment, Idea
from tenants.dns_txt import LookupFailedError, txt_records
from tenants.models import (
    ADMIN_USERNAME,
    DemoRequest,
    Domain,
    Signup,
    Tenant,
    TenantExport,
    TenantUsage,
    schema_name_for,
)
from tenants.pool import migrations_fingerprint, schema_migrate, spare_make, tenant_claim_spare
from tenants.selectors import central_base_url, subdomain_problem
from tenants.storage import media_names, media_storage_for, schema_media_remove, schema_media_size
from townsquare.lib.spreadsheets import formula_neutralised_sql

logger = logging.getLogger(__name__)


def public_tenant_ensure() -> Tenant:
    """The central site: the public schema, answering on the root domain."""
    with transaction.atomic():
        tenant, _ = Tenant.objects.get_or_create(
            schema_name=get_public_schema_name(),
            defaults={"name": "Townsquare", "slug": "", "status": Tenant.Status.ACTIVE},
        )
        Domain.objects.get_or_create(
            domain=settings.ROOT_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
        )
    return tenant


@transaction.atomic
def platform_staff_ensure(*, username: str, email: str) -> tuple[User, str | None]:
    """The first platform staff account, made once; later calls change nothing.

    Returns the account and, only when it was made now, a link that sets its password
    (the console then asks it to add a second factor). The link works once: setting the
    password changes the hash its token is made from.
    """
    with schema_context(get_public_schema_name()):
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            return existing, None
        if User.objects.filter(username=username).exists():
            raise ValidationError(
                f"The username {username} is taken by an account that is not staff."
            )
        user = User(username=username, email=email, is_staff=True, is_superuser=True)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user, platform_staff_enrolment_link(user=user)


def platform_staff_enrolment_link(*, user: User) -> str:
    """A link to choose a password on the central site, valid until used (or for
    PASSWORD_RESET_TIMEOUT). Made anew on request, for a link lost before it was used."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    with schema_context(get_public_schema_name()):
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        )
        return central_base_url() + path


def tenant_create(
    *,
    name: str,
    slug: str,
    plan: str = TRIAL.key,
    status: str = Tenant.Status.ACTIVE,
    on_claim: Callable[[Tenant], None] | None = None,
) -> Tenant:
    """A migrated schema and the primary domain <slug>.<root domain>, from the spare pool.

    With the pool empty it makes one spare now and claims that: plain creation, but
    through the same all-or-nothing claim. A spare migrated by older code is migrated
    after the claim; django-tenants' post_schema_sync is sent as its own save would.
    """
    tenant, _ = tenant_create_from_pool(
        name=name, slug=slug, plan=plan, status=status, on_claim=on_claim
    )
    return tenant


def tenant_create_from_pool(
    *,
    name: str,
    slug: str,
    plan: str = TRIAL.key,
    status: str = Tenant.Status.ACTIVE,
    on_claim: Callable[[Tenant], None] | None = None,
) -> tuple[Tenant, bool]:
    """tenant_create, also saying whether a ready spare was claimed (False: one was made)."""
    Tenant(name=name, slug=slug, schema_name=schema_name_for(slug), plan=plan).full_clean()
    from_pool = True
    while True:
        claimed = tenant_claim_spare(
            name=name, slug=slug, plan=plan, status=status, on_claim=on_claim
        )
        if claimed is not None:
            break
        spare_make()
        from_pool = False
    tenant, fingerprint = claimed
    tenant_schema_ready(tenant=tenant, fingerprint=fingerprint)
    return tenant, from_pool


def tenant_schema_ready(*, tenant: Tenant, fingerprint: str) -> None:
    """Migrates a claimed schema when its spare predates this code; idempotent."""
    if fingerprint != migrations_fingerprint():
        schema_migrate(schema_name=tenant.schema_name)
    post_schema_sync.send(sender=TenantMixin, tenant=tenant.serializable_fields())


@transaction.atomic
def demo_request_create(*, request: DemoRequest) -> DemoRequest:
    """Stores the request; staff are told and the requester gets a confirmation, by Celery."""
    request.full_clean()
    request.save()
    # tenants.tasks imports this module, so the task is imported where it is queued.
    from tenants.tasks import demo_request_emails

    transaction.on_commit(lambda: demo_request_emails.delay(demo_request_id=request.pk))
    return request


def demo_requests_purge(*, now: datetime | None = None) -> int:
    """Erases contact details from requests closed more than DEMO_RETENTION_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DEMO_RETENTION_DAYS)
    return DemoRequest.objects.filter(closed_at__lte=cutoff, purged_at__isnull=True).update(
        name="(removed)", email="removed@invalid", phone="", message="", purged_at=now
    )


def signup_create(
    *,
    organisation: str,
    slug: str,
    admin_email: str,
    password: str | None,
    plan: str,
    submit_key: str,
    source: str = Signup.Source.SELF_SERVICE,
    demo_request: DemoRequest | None = None,
    pay_first: bool = False,
) -> Signup:
    """Holds the subdomain and queues the site; the same submit_key returns the same sign-up.

    The password is hashed here, in the request, so it never reaches the broker. With no
    password the admin is invited by email instead (trials staff make from demo requests).
    With pay_first the sign-up waits at AWAITING_PAYMENT; Checkout's completion queues it.
    """
    existing = Signup.objects.filter(submit_key=submit_key, source=source).first()
    if existing is not None:
        return existing
    slug = slug.strip().lower()
    problem = subdomain_problem(slug=slug)
    if problem:
        raise ValidationError({"slug": problem})
    signup = Signup(
        organisation=organisation.strip(),
        slug=slug,
        admin_email=admin_email.strip().lower(),
        password_hash=make_password(password) if password else "",
        plan=plan,
        source=source,
        demo_request=demo_request,
        submit_key=submit_key,
        status=Signup.Status.AWAITING_PAYMENT if pay_first else Signup.Status.QUEUED,
    )
    signup.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            signup.save()
            if demo_request is not None:
                demo_request.stage = DemoRequest.Stage.TRIAL
                demo_request.save(update_fields=["stage", "closed_at"])
            if not pay_first:
                signup_queue(signup=signup)
    except IntegrityError:
        # A concurrent submit of the same form, or of the same name, got there first.
        existing = Signup.objects.filter(submit_key=submit_key, source=source).first()
        if existing is not None:
            return existing
        problem = subdomain_problem(slug=slug) or "That name was just taken."
        raise ValidationError({"slug": problem}) from None
    return signup


def signup_hand_off(*, signup_id: int, tenant: Tenant) -> User | None:
    """Claims a finished sign-up's one-time welcome on its own site: the site's first admin,
    or None when the link was used already (a conditional update, so even two opened at
    once sign in one browser) or belongs elsewhere."""
    claimed = Signup.objects.filter(
        pk=signup_id, tenant=tenant, handed_off_at__isnull=True, password_hash__gt=""
    ).update(handed_off_at=timezone.now())
    if not claimed:
        return None
    return User.objects.filter(username=ADMIN_USERNAME, role=User.Role.ADMIN).first()


def signup_queue(*, signup: Signup) -> None:
    """Hands the sign-up to the worker once the transaction commits.

    A paid sign-up waits at AWAITING_PAYMENT; billing queues it once Checkout completes.
    """
    # tenants.tasks imports this module, so the task is imported where it is queued.
    from tenants.tasks import signup_provision_task

    transaction.on_commit(lambda: signup_provision_task.delay(signup_id=signup.pk))


def signups_resume(*, stale_after: timedelta) -> int:
    """Queues again every unfinished sign-up nobody has touched for stale_after."""
    cutoff = timezone.now() - stale_after
    stale = Signup.objects.filter(
        status__in=[Signup.Status.QUEUED, Signup.Status.PROVISIONING], updated_at__lte=cutoff
    )
    count = 0
    for signup in stale:
        signup_queue(signup=signup)
        count += 1
    return count


def tenant_usage_count(*, tenant: Tenant) -> TenantUsage:
    """Counts a tenant's residents, posts and stored files into the public usage table."""
    with schema_context(tenant.schema_name):
        residents = User.objects.filter(role=User.Role.RESIDENT).count()
        ideas = Idea.objects.count()
        comments = Comment.objects.count()
    storage = schema_media_size(tenant.schema_name)
    usage, _ = TenantUsage.objects.update_or_create(
        tenant=tenant,
        defaults={
            "residents": residents,
            "ideas": ideas,
            "comments": comments,
            "storage_bytes": storage,
            "counted_at": timezone.now(),
        },
    )
    return usage


def tenant_status_set(*, tenant: Tenant, status: str) -> Tenant:
    """Suspends a site (residents see a holding page, data kept) or makes it active again."""
    if tenant.is_public:
        raise ValidationError("The central site cannot be suspended.")
    if status not in {Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED}:
        raise ValidationError("A site can only be made active or suspended.")
    if tenant.status == Tenant.Status.PROVISIONING:
        raise ValidationError("This site is still being set up.")
    tenant.status = status
    # A staff suspension holds until staff lift it; billing never lifts it by itself.
    tenant.held_by = Tenant.Hold.STAFF if status == Tenant.Status.SUSPENDED else Tenant.Hold.NONE
    tenant.save(update_fields=["status", "held_by"])
    return tenant


def tenant_plan_change(*, tenant: Tenant, plan: str) -> Tenant:
    plan_get(plan)  # refuses an unknown plan
    tenant.plan = plan
    tenant.save(update_fields=["plan"])
    return tenant


@transaction.atomic
def tenant_export_request(*, tenant: Tenant, by: User | None) -> TenantExport:
    """Queues an archive of the tenant's schema and media; the worker builds it."""
    export = TenantExport.objects.create(tenant=tenant, slug=tenant.slug, requested_by=by)
    # tenants.tasks imports this module, so the task is imported where it is queued.
    from tenants.tasks import tenant_export_task

    transaction.on_commit(lambda: tenant_export_task.delay(export_id=export.pk))
    return export


def tenant_export_build(*, export_id: int) -> TenantExport:
    """Writes <slug>-<time>.tar.gz: every table of the schema as CSV, column types, media.

    COPY through the open connection needs no pg_dump matching the server's version.
    """
    export = TenantExport.objects.select_related("tenant").get(pk=export_id)
    tenant = export.tenant
    if export.status == TenantExport.Status.READY or tenant is None:
        return export
    settings.EXPORT_ROOT.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    path = settings.EXPORT_ROOT / f"{tenant.slug}-{stamp}-{export.pk}.tar.gz"
    partial = path.with_suffix(".partial")
    try:
        manifest = _archive_write(tenant=tenant, target=partial)
        partial.rename(path)
    except Exception as error:
        partial.unlink(missing_ok=True)
        export.status = TenantExport.Status.FAILED
        export.error = f"{type(error).__name__}: {error}"[:2000]
        export.finished_at = timezone.now()
        export.save()
        raise
    export.status = TenantExport.Status.READY
    export.path = str(path)
    export.size = path.stat().st_size
    export.error = ""
    export.finished_at = timezone.now()
    export.save()
    logger.info("Export %s written: %d tables", export.pk, len(manifest["tables"]))
    return export


# Live credentials stay out of archives: sessions, second factors, invitation and
# confirmation tokens, and password hashes.
EXPORT_SKIPPED_TABLES = {
    "django_session", "mfa_authenticator", "accounts_staffinvitation",
    "account_emailconfirmation",
}  # fmt: skip
EXPORT_SKIPPED_COLUMNS = {"accounts_user": {"password"}}
# Deleting a site needs an archive at most this old, so nothing recent is lost.
EXPORT_FRESH_FOR = timedelta(hours=24)


def _archive_write(*, tenant: Tenant, target: Path) -> dict[str, Any]:
    schema = tenant.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
            [schema],
        )
        columns: dict[str, list[dict[str, str]]] = {}
        for table, column, kind in cursor.fetchall():
            columns.setdefault(table, []).append({"name": column, "type": kind})
    manifest: dict[str, Any] = {
        "tenant": {"name": tenant.name, "slug": tenant.slug, "plan": tenant.plan},
        "created_at": timezone.now().isoformat(),
        "format": (
            "One CSV per table with a header row; columns.json gives column types. Text that "
            "starts with = + - @, a tab or a carriage return has a single quote (') put in "
            "front, so spreadsheets show it rather than run it; remove it when restoring."
        ),
        "left_out": {
            "tables": sorted(EXPORT_SKIPPED_TABLES),
            "columns": {t: sorted(c) for t, c in EXPORT_SKIPPED_COLUMNS.items()},
        },
        "tables": {},
    }
    for table in EXPORT_SKIPPED_TABLES:
        columns.pop(table, None)
    for table, skipped in EXPORT_SKIPPED_COLUMNS.items():
        if table in columns:
            columns[table] = [c for c in columns[table] if c["name"] not in skipped]
    with tarfile.open(target, "w:gz") as archive:
        raw = connection.connection
        for table in sorted(columns):
            data = bytearray()
            with raw.cursor() as copy_cursor:
                statement = sql.SQL(
                    "COPY (SELECT {} FROM {}) TO STDOUT WITH (FORMAT csv, HEADER)"
                ).format(
                    sql.SQL(", ").join(
                        formula_neutralised_sql(c["name"], c["type"]) for c in columns[table]
                    ),
                    sql.Identifier(schema, table),
                )
                with copy_cursor.copy(statement) as copy:
                    for chunk in copy:
                        data += chunk
            _tar_add(archive, f"tables/{table}.csv", bytes(data))
            manifest["tables"][table] = {"bytes": len(data)}
        _tar_add(archive, "columns.json", json.dumps(columns, indent=2).encode())
        media = media_storage_for(schema)
        for name in media_names(media):
            info = tarfile.TarInfo(f"media/{name}")
            info.size = media.size(name)
            info.mtime = int(timezone.now().timestamp())
            with media.open(name, "rb") as handle:
                archive.addfile(info, handle)
        _tar_add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
    return manifest


def _tar_add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def tenant_delete(*, tenant: Tenant, confirm_slug: str) -> None:
    """Drops the schema, media and rows of a site; only with an export and the slug typed."""
    if tenant.is_public:
        raise ValidationError("The central site cannot be deleted.")
    if confirm_slug.strip() != tenant.slug:
        raise ValidationError(f"Type the site's name, {tenant.slug}, to confirm.")
    fresh = tenant.exports.filter(
        status=TenantExport.Status.READY, finished_at__gte=timezone.now() - EXPORT_FRESH_FOR
    )
    if not [e for e in fresh if e.path and Path(e.path).exists()]:
        raise ValidationError(
            "Export the site first: deleting it needs an archive made in the last 24 hours."
        )
    schema = tenant.schema_name
    with transaction.atomic():
        # Foreign keys are checked at commit; rows changed earlier in this transaction
        # would otherwise leave trigger events that forbid dropping their tables.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Signup.objects.filter(tenant=tenant).update(tenant=None)
        tenant.delete(force_drop=True)
    schema_media_remove(schema)
    logger.info("Tenant %s deleted after export", schema)


def demo_request_trial_create(*, demo: DemoRequest, slug: str) -> Signup:
    """Staff's shortcut: a trial site for a demo request, its admin invited by email."""
    if demo.purged_at is not None:
        raise ValidationError("This request's contact details were removed: ask them to sign up.")
    return signup_create(
        organisation=demo.organisation,
        slug=slug,
        admin_email=demo.email,
        password=None,
        plan=COMMUNITY.key,
        # Repeat clicks find the same sign-up; nobody can guess the key to claim it first.
        submit_key=salted_hmac("townsquare.demo-trial", f"{demo.pk}:{slug}").hexdigest(),
        source=Signup.Source.STAFF,
        demo_request=demo,
    )


# One DNS label: letters, digits and inner hyphens, at most 63 (bounded, no nested repeats).
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
HOST_MESSAGE = "Enter a host name such as voices.example.org, without https:// or a path."


def domain_host(value: str) -> str:
    """A host name in the form sites are matched in (lower case, no trailing dot, no leading
    www., international names in their xn-- form); ValidationError when it cannot be an
    organisation's own domain."""
    host = value.strip().lower().rstrip(".").removeprefix("www.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(HOST_MESSAGE) from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(x) for x in labels):
        raise ValidationError(HOST_MESSAGE)
    if labels[-1].isdigit():
        raise ValidationError("Enter a host name, not an IP address.")
    root = settings.ROOT_DOMAIN
    if host == root or host.endswith(f".{root}"):
        raise ValidationError(
            f"Addresses under {root} are Townsquare's own: enter the organisation's domain."
        )
    return host


# How long an unproved domain is held for the site that added it: after that another site
# may claim it (a claim cannot squat on a name for ever).
DOMAIN_PENDING_DAYS = 7


@transaction.atomic
def domain_add(*, tenant: Tenant, domain: str) -> Domain:
    """An organisation's own host name for the tenant's site, waiting for its DNS TXT record
    (domain_verify) before it answers. Refused with the plan's message (PlanLimitError)
    when the plan does not include it, and when any site already has the name."""
    entitlement_check(Feature.CUSTOM_DOMAIN, plan=plan_get(tenant.plan))
    host = domain_host(domain)
    existing = Domain.objects.select_for_update().filter(domain=host).first()
    if existing is not None:
        stale = existing.verified_at is None and existing.created_at < timezone.now() - timedelta(
            days=DOMAIN_PENDING_DAYS
        )
        if not stale:
            raise ValidationError(f"{host} is already the address of a site, or waiting to be.")
        existing.delete()
    return Domain.objects.create(
        tenant=tenant,
        domain=host,
        is_primary=False,
        verification_token=secrets.token_hex(16),
        check_result="Not checked yet: add the DNS record, then check.",
    )


def domain_verify(*, domain: Domain) -> bool:
    """Looks for the domain's TXT record and, when it carries the token, makes the domain
    answer. Records what was found either way, for the admin to act on."""
    if domain.verified_at is not None:
        return True
    now = timezone.now()
    try:
        found = txt_records(domain.record_name)
    except LookupFailedError:
        result = "DNS did not answer just now; nothing has changed. Try again in a few minutes."
    else:
        if domain.record_value in found:
            result = ""
            domain.verified_at = now
        elif found:
            result = f"A TXT record is at {domain.record_name}, but not the value shown here."
        else:
            result = (
                f"No TXT record at {domain.record_name} yet. DNS changes can take an hour to show."
            )
    with transaction.atomic():
        # Saved only if still there: an admin may have removed it while DNS was asked.
        current = Domain.objects.select_for_update().filter(pk=domain.pk).first()
        if current is None:
            return False
        if current.verified_at is None:
            current.verified_at = domain.verified_at
        current.last_checked_at, current.check_result = now, result
        current.save(update_fields=["verified_at", "last_checked_at", "check_result"])
    domain.verified_at, domain.last_checked_at = current.verified_at, now
    domain.check_result = result
    return current.verified_at is not None


@transaction.atomic
def domain_remove(*, tenant: Tenant, domain_id: int) -> str:
    """Stops the site answering on one of the organisation's own domains (never the
    Townsquare address). Returns the host removed."""
    domain = Domain.objects.filter(pk=domain_id, tenant=tenant, is_primary=False).first()
    if domain is None or domain.is_ours:
        raise ValidationError("That domain is not one of this site's own.")
    host = str(domain.domain)
    domain.delete()
    return host


def domains_check_pending() -> int:
    """The beat's round: checks every domain still waiting for its record, and lets go of
    those waiting longer than DOMAIN_PENDING_DAYS. Returns how many were verified."""
    cutoff = timezone.now() - timedelta(days=DOMAIN_PENDING_DAYS)
    Domain.objects.filter(verified_at__isnull=True, created_at__lt=cutoff).delete()
    verified = 0
    for domain in Domain.objects.filter(verified_at__isnull=True).order_by("pk"):
        verified += domain_verify(domain=domain)
    return verified


# Platform staff's lifecycle actions outside the console (the staff API): the same rules as
# the console's actions, and the same audit trail, its history (Django admin's log).


def staff_action_log(*, by: User, target: models.Model, message: str) -> None:
    """An entry in the staff console's history of target, as the console's own actions write."""
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[target], action_flag=CHANGE, change_message=message
    )


@transaction.atomic
def tenant_suspend(*, tenant: Tenant, by: User) -> Tenant:
    """Residents get the holding page (data kept) until staff reactivate the site."""
    tenant_status_set(tenant=tenant, status=Tenant.Status.SUSPENDED)
    staff_action_log(by=by, target=tenant, message="Suspended the site (staff API)")
    return tenant


@transaction.atomic
def tenant_reactivate(*, tenant: Tenant, by: User) -> Tenant:
    """Lifts a staff hold; billing's own verdict (read-only if unpaid) then applies again."""
    # billing.services imports this module, so it is imported where it is used.
    from billing.services import access_apply, account_for

    tenant_status_set(tenant=tenant, status=Tenant.Status.ACTIVE)
    access_apply(account=account_for(tenant=tenant), now=timezone.now())
    staff_action_log(by=by, target=tenant, message="Reactivated the site (staff API)")
    tenant.refresh_from_db()
    return tenant


@transaction.atomic
def tenant_plan_set(*, tenant: Tenant, plan: str, by: User) -> Tenant:
    """Staff put a site on a plan by hand (invoiced, no trial clock), as in the console: never
    for a site paying by card, and never below what the site uses (each reason said)."""
    # billing.services imports this module, so it is imported where it is used.
    from billing.models import BillingAccount
    from billing.services import account_for, account_set_manual, plan_change_problems

    try:
        chosen = plan_get(plan)
    except KeyError:
        raise ValidationError({"plan": "There is no such plan."}) from None
    if tenant.is_public:
        raise ValidationError("The central site has no plan.")
    if tenant.status == Tenant.Status.PROVISIONING:
        raise ValidationError("This site is still being set up.")
    if chosen.key == tenant.plan:
        return tenant
    account = account_for(tenant=tenant)
    if account.mode == BillingAccount.Mode.STRIPE and account.paid_up:
        raise ValidationError(
            "This site pays by card through Stripe: its admin changes the plan in /manage/billing/."
        )
    problems = plan_change_problems(tenant=tenant, plan=chosen)
    if problems:
        raise ValidationError({"plan": problems})
    account_set_manual(tenant=tenant, plan=chosen.key)
    staff_action_log(by=by, target=tenant, message=f"Changed the plan to {chosen.name} (staff API)")
    tenant.refresh_from_db()
    return tenant


def staff_site_request(
    *, organisation: str, slug: str, admin_email: str, plan: str, key: str, by: User
) -> Signup:
    """A site staff ask for: the sign-up and provisioning a trial from a demo request gets
    (it starts on the free trial, its admin is invited by email). The same key from the same
    person returns the same sign-up, so a retried request makes one site."""
    if plan not in {p.key for p in PAID_PLANS}:
        raise ValidationError({"plan": "Choose one of the paid plans for after the trial."})
    submit_key = salted_hmac("townsquare.staff-api-site", f"{by.pk}:{key}").hexdigest()
    existing = Signup.objects.filter(submit_key=submit_key, source=Signup.Source.STAFF).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        signup = signup_create(
            organisation=organisation,
            slug=slug,
            admin_email=admin_email,
            password=None,
            plan=plan,
            submit_key=submit_key,
            source=Signup.Source.STAFF,
        )
        staff_action_log(by=by, target=signup, message="Asked for the site (staff API)")
    return signup


def demo_request_trial_start(*, demo: DemoRequest, slug: str, by: User) -> Signup:
    """The console's "Create a trial site" on a demo request, with its history entry."""
    with transaction.atomic():
        signup = demo_request_trial_create(demo=demo, slug=slug)
        staff_action_log(
            by=by, target=demo, message=f"Created trial site {signup.slug} (staff API)"
        )
    return signup


# Marks a field the caller leaves as it is.
UNCHANGED: Any = object()


@transaction.atomic
def demo_request_update(
    *,
    demo: DemoRequest,
    by: User,
    stage: str = UNCHANGED,
    owner: User | None = UNCHANGED,
    notes: str = UNCHANGED,
) -> DemoRequest:
    """Moves a request along the pipeline (won and lost close it), names its owner among
    platform staff, or keeps notes, as the console's form does."""
    changed = []
    for name, value in (("stage", stage), ("owner", owner), ("notes", notes)):
        if value is not UNCHANGED and getattr(demo, name) != value:
            setattr(demo, name, value)
            changed.append(name)
    if owner is not UNCHANGED and owner is not None and not owner.is_staff:
        raise ValidationError({"owner": "The owner must be one of the platform staff."})
    if not changed:
        return demo
    demo.full_clean()
    demo.save()
    staff_action_log(by=by, target=demo, message=f"Changed {', '.join(changed)} (staff API)")
    return demo
