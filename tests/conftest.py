"""Fixtures for the whole suite: two tenants made once per run, clients per host, a live
server, a real Celery worker and a browser."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import override_settings, setup_databases, teardown_databases
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings

from billing.plans import PAID_PLANS, PARTNERSHIP
from tenants.models import Signup, Tenant
from tenants.services import public_tenant_ensure, tenant_create
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import AXE_SOURCE, CHROMIUM, CHROMIUM_ARGS
from tests.harness.fake_stripe import FakeStripe, fake_stripe_start, fake_stripe_stop
from tests.harness.live_server import LiveServer, live_server_start, live_server_stop
from tests.harness.smtp_sink import SmtpSink, smtp_sink_start
from tests.harness.worker import Worker, worker_start, worker_stop
from townsquare.lib.memo import TtlMemo

# Playwright's sync API keeps an event loop in the main thread; Django's ORM would refuse to
# run beside it, although every call here is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEST_TENANTS = {"alpha": "Alpha Community Partnership", "beta": "Beta Youth Forum"}
SEED_DIALOGUE = {"alpha": "alpha-parks", "beta": "beta-buses"}


def _seed_tenant(tenant: Tenant) -> None:
    """Committed content every test may read: one open dialogue with one idea, one resident."""
    with tenant_context(tenant):
        slug = SEED_DIALOGUE[tenant.slug]
        if tenant.slug == "alpha":
            UserFactory.create(username="sam")
        if not IdeaFactory._meta.model.objects.filter(dialogue__slug=slug).exists():
            dialogue = DialogueFactory.create(
                slug=slug,
                title=f"{tenant.name}: what should change?",
                question=f"What should {tenant.name} change first?",
            )
            IdeaFactory.create(dialogue=dialogue, title=f"Idea only {tenant.slug} has")


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes() -> Iterator[None]:
    """Accounts made by tests are hashed with few PBKDF2 rounds (tests/harness/hashers.py)."""
    override = override_settings(
        PASSWORD_HASHERS=[
            "tests.harness.hashers.QuickPBKDF2PasswordHasher",
            *settings.PASSWORD_HASHERS,
        ]
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session", autouse=True)
def _own_cache_namespace() -> Iterator[None]:
    """This run's cache keys (rate-limit counters, live stamps) start with its own prefix,
    so runs against a shared Redis never see each other's counters."""
    cache_settings = {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}
    override = override_settings(CACHES={"default": cache_settings})
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: DjangoDbBlocker,
    django_db_keepdb: bool,
    django_db_createdb: bool,
) -> Iterator[None]:
    """The test database with the central site and two seeded test tenants.

    Replaces pytest-django's version, which only creates a database when some test is
    marked django_db: worker and browser tests use committed data without that mark.
    """
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=keepdb,
            aliases={"default": {}},
            serialized_aliases=set(),
        )
        public_tenant_ensure()
        for slug, name in TEST_TENANTS.items():
            # The plan without limits: other features' tests never meet one; billing's
            # tests put a tenant on the plan they test.
            tenant = Tenant.objects.filter(slug=slug).first() or tenant_create(
                name=name, slug=slug, plan=PARTNERSHIP.key
            )
            _seed_tenant(tenant)
    # Pages link hashed static names, so they need the manifest collectstatic writes.
    call_command("collectstatic", "--noinput", verbosity=0)
    yield
    if keepdb:
        return
    with django_db_blocker.unblock():
        # Server threads and worker processes may still hold a session; end them first.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(config, verbosity=request.config.option.verbose)


# Read afresh for each test: a test that refreshes its copy inside its rolled-back
# transaction must not hand the next test a plan or status that was never committed.
@pytest.fixture
def tenant_a(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Tenant:
    with django_db_blocker.unblock():
        return Tenant.objects.get(slug="alpha")


@pytest.fixture
def tenant_b(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Tenant:
    with django_db_blocker.unblock():
        return Tenant.objects.get(slug="beta")


@pytest.fixture(autouse=True)
def _start_in_public_schema() -> None:
    """Each test starts on the public schema, whatever host the previous one last served,
    and with no tenant remembered from a rolled-back test."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    TtlMemo.clear_all()


@pytest.fixture
def fresh_rate_limits(settings: Settings) -> None:
    """Rate-limit counters outlive a rolled-back test in the cache: count under a new prefix."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"rl-{uuid.uuid4().hex[:8]}"}
    }


def host_of(tenant: Tenant | None) -> str:
    return settings.ROOT_DOMAIN if tenant is None else f"{tenant.slug}.{settings.ROOT_DOMAIN}"


@pytest.fixture
def client_for() -> Callable[..., Client]:
    """A test client whose requests carry the Host of a tenant (or the root domain for None)."""

    def make(tenant: Tenant | None, **kwargs: Any) -> Client:
        return Client(headers={"host": host_of(tenant)}, **kwargs)

    return make


@pytest.fixture
def client_as(client_for: Callable[..., Client]) -> Callable[..., Client]:
    """A test client on a tenant's host, signed in as one of its users (or anonymous)."""

    def make(tenant: Tenant, user: Any = None) -> Client:
        client = client_for(tenant)
        if user is not None:
            with tenant_context(tenant):
                client.force_login(user)
        return client

    return make


@pytest.fixture
def as_role(client_for: Callable[..., Client], tenant_a: Tenant) -> Callable[[str], Client]:
    """A client on tenant A signed in as a new user with that role ("" for a resident)."""

    def sign_in(role: str) -> Client:
        client = client_for(tenant_a)
        with tenant_context(tenant_a):
            client.force_login(UserFactory.create(role=role))
        return client

    return sign_in


@pytest.fixture
def committed_db(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Database access outside a test transaction, for work other processes must see.

    Tests using it create uniquely named rows and remove them themselves: flushing would
    empty the tenant registry in the public schema.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def cleanup(committed_db: None) -> Iterator[list[str]]:
    """Slugs of sites (and sign-ups) a test makes; removed afterwards, the data being
    committed."""
    slugs: list[str] = []
    yield slugs
    for tenant in Tenant.objects.filter(slug__in=slugs):
        tenant.delete(force_drop=True)
    Signup.objects.filter(slug__in=slugs).delete()


@pytest.fixture(scope="session")
def live_site(django_db_setup: None) -> Iterator[LiveServer]:
    server = live_server_start()
    # The live server's port is the sites' public one: links in mail must carry it.
    public_port = override_settings(PUBLIC_PORT=str(server.port))
    public_port.enable()
    yield server
    public_port.disable()
    live_server_stop(server)


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    """The mail server the worker delivers to: outgoing mail's network boundary."""
    sink = smtp_sink_start()
    yield sink
    sink.controller.stop()


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    """Stripe's API as a local server the real stripe library talks to, with our two prices."""
    fake = fake_stripe_start()
    for plan in PAID_PLANS:
        fake.price_create(lookup_key=plan.lookup_key, unit_amount=plan.monthly_price_pence)
    yield fake
    fake_stripe_stop(fake)


def stripe_settings(fake: FakeStripe) -> dict[str, str]:
    return {
        "STRIPE_SECRET_KEY": fake.api_key,
        "STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
        "STRIPE_API_BASE": fake.api_base,
    }


@pytest.fixture
def billing_on(fake_stripe: FakeStripe, settings: Settings) -> Iterator[FakeStripe]:
    """Billing switched on in this process (the live server included), against the fake."""
    for name, value in stripe_settings(fake_stripe).items():
        setattr(settings, name, value)
    settings.STRIPE_PAGE_ORIGINS = [fake_stripe.api_base]
    yield fake_stripe
    fake_stripe.webhook_url = None
    fake_stripe.reset()


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
    smtp_sink: SmtpSink,
    fake_stripe: FakeStripe,
) -> Iterator[Worker]:
    with django_db_blocker.unblock():
        worker = worker_start(
            tmp_path_factory.mktemp("worker"),
            smtp_port=smtp_sink.port,
            **stripe_settings(fake_stripe),
        )
    yield worker
    worker_stop(worker)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Browser tests need Debian's Chromium at /usr/bin/chromium: run "
            "'apt-get install chromium' (make test does this when run as root)."
        )
    args = list(CHROMIUM_ARGS)
    if settings.ROOT_DOMAIN != "localhost":
        # Only *.localhost resolves to loopback by itself.
        domain = settings.ROOT_DOMAIN
        args.append(f"--host-resolver-rules=MAP {domain} 127.0.0.1, MAP *.{domain} 127.0.0.1")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, committed_db: None) -> Iterator[Page]:
    """A fresh browser context; the live server it talks to reads committed data."""
    context = browser.new_context()
    # An init script is injected by the browser itself, so a strict page CSP cannot block axe.
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    yield page
    context.close()


STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def platform_staff(client_for: Callable[..., Client]) -> Client:
    """A client signed in to the central site as platform staff with a second factor."""
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import User

    staff = User.objects.create_superuser(
        username=f"staff{uuid.uuid4().hex[:6]}", password="x-long-pass-123"
    )
    TOTP.activate(staff, STAFF_TOTP_SECRET)
    client = client_for(None)
    client.force_login(staff)
    return client
