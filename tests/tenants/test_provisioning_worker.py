"""Provisioning in a real worker: faults injected at each step are retried or rolled back,
a killed worker's sign-up converges when work resumes, and the new site is its own."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from dialogues.models import Dialogue
from tenants.models import Domain, Signup, Tenant
from tenants.selectors import subdomain_problem
from tenants.services import signups_resume
from tenants.tasks import signup_provision_task
from tests.factories import PASSWORD, SignupFactory
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker, worker_start, worker_stop, worker_wait

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("committed_db")]


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _status(signup: Signup) -> str:
    return str(Signup.objects.get(pk=signup.pk).status)


@pytest.fixture
def signups() -> Iterator[list[Signup]]:
    """Sign-ups a test makes; their tenants and schemas are removed afterwards."""
    made: list[Signup] = []
    yield made
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    slugs = [s.slug for s in made]
    for tenant in Tenant.objects.filter(slug__in=slugs):
        tenant.delete(force_drop=True)
    Signup.objects.filter(slug__in=slugs).delete()


@pytest.fixture
def start_worker(
    tmp_path: Path, smtp_sink: SmtpSink, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Worker]]:
    """Workers on a queue of their own, so the session's worker never takes their tasks."""
    started: list[Worker] = []

    def start(**env: str) -> Worker:
        queue = f"faults-{request.node.name[-40:]}-{len(started)}"
        worker = worker_start(tmp_path, smtp_port=smtp_sink.port, queue=queue, **env)
        worker.queue = queue  # type: ignore[attr-defined]
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker_stop(worker)


def _provision_on(worker: Worker, signup: Signup) -> None:
    signup_provision_task.apply_async(
        kwargs={"signup_id": signup.pk},
        queue=worker.queue,  # type: ignore[attr-defined]
    )


def _assert_site_made_once(signup: Signup) -> Tenant:
    signup.refresh_from_db()
    assert signup.status == Signup.Status.READY
    tenant = Tenant.objects.get(slug=signup.slug)
    assert signup.tenant_id == tenant.pk
    assert tenant.status == Tenant.Status.ACTIVE
    assert Domain.objects.filter(tenant=tenant).count() == 1
    with schema_context(tenant.schema_name):
        admins = User.objects.filter(role=User.Role.ADMIN)
        assert admins.count() == 1
        assert admins.get().check_password(PASSWORD)
        assert Dialogue.objects.filter(slug="your-first-dialogue").count() == 1
    return tenant


def test_each_step_failing_once_is_retried_and_the_site_is_made(
    start_worker: Callable[..., Worker], signups: list[Signup]
) -> None:
    worker = start_worker(
        PROVISIONING_FAILPOINTS="claim:once,claim_commit:once,setup:once,setup_commit:once",
        PROVISIONING_RETRIES="5",
    )
    signup = SignupFactory.create()
    signups.append(signup)
    _provision_on(worker, signup)
    worker_wait(lambda: _status(signup) == Signup.Status.READY, worker, seconds=60)
    _assert_site_made_once(signup)
    signup.refresh_from_db()
    assert signup.attempts == 5
    # Each failure is logged by its class only: messages can quote the values that failed.
    assert worker.log().count("InjectedFaultError") >= 4
    assert "Injected failure at" not in worker.log()


@pytest.mark.parametrize("point", ["claim_commit", "setup", "setup_commit"])
def test_a_step_that_keeps_failing_is_rolled_back_completely(
    start_worker: Callable[..., Worker], signups: list[Signup], point: str
) -> None:
    worker = start_worker(PROVISIONING_FAILPOINTS=f"{point}:raise", PROVISIONING_RETRIES="1")
    signup = SignupFactory.create()
    signups.append(signup)
    _provision_on(worker, signup)
    worker_wait(lambda: _status(signup) == Signup.Status.FAILED, worker, seconds=60)
    signup.refresh_from_db()
    assert f"Injected failure at {point}" in signup.error
    assert signup.attempts == 2
    assert signup.tenant is None
    assert not Tenant.objects.filter(slug=signup.slug).exists()
    assert not Domain.objects.filter(domain__startswith=f"{signup.slug}.").exists()
    assert not _schema_exists(signup.slug.replace("-", "_"))
    # The name is free again for another try.
    assert subdomain_problem(slug=signup.slug) == ""


@pytest.mark.parametrize("point", ["claim_commit", "setup", "setup_commit"])
def test_a_worker_killed_mid_way_converges_when_work_resumes(
    start_worker: Callable[..., Worker],
    celery_worker: Worker,
    signups: list[Signup],
    point: str,
) -> None:
    doomed = start_worker(PROVISIONING_FAILPOINTS=f"{point}:exit")
    signup = SignupFactory.create()
    signups.append(signup)
    _provision_on(doomed, signup)
    doomed.process.wait(60)
    assert doomed.process.returncode == 70
    assert _status(signup) == Signup.Status.PROVISIONING
    # What beat's resume task does each minute, without waiting for the sign-up to go stale.
    assert signups_resume(stale_after=timedelta(0)) >= 1
    worker_wait(lambda: _status(signup) == Signup.Status.READY, celery_worker, seconds=60)
    _assert_site_made_once(signup)


def test_signing_up_on_the_site_lands_the_admin_signed_in_on_their_own_site(
    celery_worker: Worker, smtp_sink: SmtpSink, signups: list[Signup], tenant_a: Tenant
) -> None:
    central = Client(headers={"host": settings.ROOT_DOMAIN})
    page = central.get("/signup/").content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page)
    assert key is not None
    slug = f"t-{time.monotonic_ns() % 10**10}"
    email = f"founder@{slug}.example.org"
    response = central.post(
        "/signup/",
        {
            "organisation": "North West Youth Voice",
            "slug": slug,
            "admin_email": email,
            "password": PASSWORD,
            "plan": "community",
            "submit_key": key.group(1),
        },
    )
    signups.extend(Signup.objects.filter(slug=slug))
    assert response.status_code == 302
    status_url = response["Location"]

    def handed_over() -> bool:
        return central.get(status_url).status_code == 302

    worker_wait(handed_over, celery_worker, seconds=60)
    welcome = central.get(status_url)["Location"]
    assert welcome.startswith(f"http://{slug}.{settings.ROOT_DOMAIN}")
    site = Client(headers={"host": f"{slug}.{settings.ROOT_DOMAIN}"})
    landed = site.get(welcome.split(settings.ROOT_DOMAIN, 1)[1], follow=True)
    assert landed.redirect_chain[-1][0] == "/manage/"
    assert "Your first dialogue" in landed.content.decode()
    # The welcome link works once: a second visit asks to sign in.
    again = Client(headers={"host": f"{slug}.{settings.ROOT_DOMAIN}"})
    assert "/accounts/login/" in again.get(welcome.split(settings.ROOT_DOMAIN, 1)[1])["Location"]

    # The new site holds nothing of another tenant's, and its session opens nothing there.
    tenant = Tenant.objects.get(slug=slug)
    with schema_context(tenant.schema_name):
        assert Dialogue.objects.count() == 1
        assert list(User.objects.values_list("email", flat=True)) == [email]
    alpha = Client(headers={"host": f"{tenant_a.slug}.{settings.ROOT_DOMAIN}"})
    alpha.cookies = site.cookies
    assert alpha.get("/manage/").status_code == 302

    # The confirmation email's link confirms the admin's address on the new site.
    worker_wait(
        lambda: any(email in str(m["To"]) for m in smtp_sink.messages), celery_worker, seconds=60
    )
    message = next(m for m in smtp_sink.messages if email in str(m["To"]))
    body = message.get_content()
    assert PASSWORD not in body
    link = re.search(r"(/accounts/confirm-email/[^/\s]+/)", body)
    assert link is not None
    assert site.post(link.group(1)).status_code == 302
    with schema_context(tenant.schema_name):
        assert EmailAddress.objects.get(email=email).verified
    assert email not in celery_worker.log()
