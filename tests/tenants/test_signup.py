"""Sign-up on the central site: names checked live and on submit, one site per form, limits,
and a status page and welcome link that only the person who signed up can use."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context
from pytest_django.fixtures import Settings

from accounts.models import User
from tenants.models import Signup, Tenant
from tenants.provisioning import signup_provision
from tests.factories import PASSWORD, SignupFactory

pytestmark = pytest.mark.django_db


def _form(client: Client) -> dict[str, str]:
    page = client.get("/signup/").content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page)
    assert key is not None
    return {
        "organisation": "Wirral Youth Voice",
        "slug": "wirral-youth",
        "admin_email": "lead@wirral.example.org",
        "password": PASSWORD,
        "plan": "community",
        "submit_key": key.group(1),
    }


@pytest.fixture
def central(client_for: object) -> Client:
    return Client(headers={"host": settings.ROOT_DOMAIN}, REMOTE_ADDR="203.0.113.9")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("www", "is reserved"),
        ("api", "is reserved"),
        ("pg-stats", "is reserved"),
        ("alpha", "is already taken"),
        ("Has Spaces", "lowercase letters, digits or hyphens"),
        ("-leading", "lowercase letters, digits or hyphens"),
        ("under_score", "lowercase letters, digits or hyphens"),
        ("a" * 64, "lowercase letters, digits or hyphens"),
    ],
)
def test_an_unusable_address_is_explained_as_you_type_and_on_submit(
    central: Client, slug: str, message: str, fresh_rate_limits: None
) -> None:
    live = central.get("/signup/check/", {"slug": slug}, headers={"hx-request": "true"})
    assert message in live.content.decode()
    form = _form(central)
    response = central.post("/signup/", {**form, "slug": slug})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signup.objects.exists()


def test_a_free_address_is_confirmed_as_you_type(central: Client) -> None:
    live = central.get("/signup/check/", {"slug": "Sefton-Voices"})
    assert f"sefton-voices.{settings.ROOT_DOMAIN} is available" in live.content.decode()


def test_an_address_held_by_a_sign_up_in_progress_is_taken(central: Client) -> None:
    SignupFactory.create(slug="knowsley")
    live = central.get("/signup/check/", {"slug": "knowsley"})
    assert "is already taken" in live.content.decode()


def test_a_weak_password_or_bad_email_is_refused_and_nothing_is_kept(
    central: Client, fresh_rate_limits: None
) -> None:
    form = _form(central)
    response = central.post("/signup/", {**form, "password": "password", "admin_email": "nope"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "too common" in body
    assert "valid email address" in body
    assert not Signup.objects.exists()


def test_a_double_clicked_sign_up_makes_one_site(central: Client, fresh_rate_limits: None) -> None:
    form = _form(central)
    first = central.post("/signup/", form)
    second = central.post("/signup/", form)
    assert first.status_code == second.status_code == 302
    signup = Signup.objects.get()
    # Both land on that one sign-up's status page (the signed links differ only in their
    # timestamp when the two clicks fall in different seconds).
    for landed in (first, second):
        assert signup.slug in central.get(landed["Location"]).content.decode()
    # The password was hashed in the request: nothing in clear goes to the worker.
    assert signup.password_hash.startswith("pbkdf2_sha256$")
    assert PASSWORD not in signup.password_hash


def test_a_sign_up_storm_is_limited_per_address_and_others_still_get_through(
    central: Client, fresh_rate_limits: None
) -> None:
    statuses = []
    for number in range(12):
        form = _form(central)
        response = central.post("/signup/", {**form, "slug": f"storm-{number}"})
        statuses.append(response.status_code)
    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429, 429]
    assert not Signup.objects.filter(slug__in=["storm-10", "storm-11"]).exists()
    elsewhere = Client(headers={"host": settings.ROOT_DOMAIN}, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.post("/signup/", _form(elsewhere)).status_code == 302
    assert Signup.objects.filter(slug="wirral-youth").exists()


def _provisioned(central: Client) -> tuple[Signup, str]:
    response = central.post("/signup/", _form(central))
    signup = Signup.objects.get()
    # The worker's job, run here inside the test's transaction.
    signup_provision(signup_id=signup.pk)
    signup.refresh_from_db()
    assert signup.status == Signup.Status.READY
    return signup, response["Location"]


def test_the_status_page_hands_over_only_to_the_browser_that_signed_up(
    central: Client, fresh_rate_limits: None
) -> None:
    signup, status_url = _provisioned(central)
    stranger = Client(headers={"host": settings.ROOT_DOMAIN})
    page = stranger.get(status_url)
    assert page.status_code == 200
    assert "/welcome/" not in page.content.decode()
    assert "site is ready" in page.content.decode()
    handover = central.get(status_url)
    assert handover.status_code == 302
    assert "/welcome/" in handover["Location"]
    assert signup.tenant is not None


def test_a_forged_status_or_welcome_link_is_refused(
    central: Client, fresh_rate_limits: None
) -> None:
    signup, status_url = _provisioned(central)
    assert central.get(status_url[:-3] + "xx/").status_code == 404
    assert signup.tenant is not None
    site = Client(headers={"host": f"{signup.slug}.{settings.ROOT_DOMAIN}"})
    forged = site.get("/welcome/MQ:1xWUr2:forgedforgedforgedforgedforgedforge/")
    assert "/accounts/login/" in forged["Location"]
    assert site.get("/manage/").status_code == 302


def test_the_welcome_link_does_not_work_on_another_tenants_site(
    central: Client, tenant_a: Tenant, fresh_rate_limits: None
) -> None:
    signup, status_url = _provisioned(central)
    welcome = central.get(status_url)["Location"]
    path = welcome.split(settings.ROOT_DOMAIN, 1)[1]
    alpha = Client(headers={"host": f"{tenant_a.slug}.{settings.ROOT_DOMAIN}"})
    assert "/accounts/login/" in alpha.get(path)["Location"]
    assert alpha.get("/manage/").status_code == 302
    signup.refresh_from_db()
    assert signup.handed_off_at is None
    own_site = Client(headers={"host": f"{signup.slug}.{settings.ROOT_DOMAIN}"})
    assert own_site.get(path)["Location"] == "/manage/"
    assert own_site.get("/manage/").status_code == 200


def test_the_status_link_opens_only_on_the_central_site(
    central: Client, tenant_a: Tenant, fresh_rate_limits: None
) -> None:
    status_url = central.post("/signup/", _form(central))["Location"]
    alpha = Client(headers={"host": f"{tenant_a.slug}.{settings.ROOT_DOMAIN}"})
    elsewhere = alpha.get(status_url)
    assert elsewhere.status_code == 404
    assert "Wirral Youth Voice" not in elsewhere.content.decode()
    stranger = Client(headers={"host": settings.ROOT_DOMAIN})
    assert "Wirral Youth Voice" in stranger.get(status_url).content.decode()


def test_expired_or_forged_email_confirmation_links_are_refused(
    central: Client, settings: Settings, fresh_rate_limits: None
) -> None:
    signup, _ = _provisioned(central)
    assert signup.tenant is not None
    site = Client(headers={"host": f"{signup.slug}.{settings.ROOT_DOMAIN}"})
    with schema_context(signup.tenant.schema_name):
        address = EmailAddress.objects.get(email=signup.admin_email)
        key = EmailConfirmationHMAC(address).key
    forged = f"/accounts/confirm-email/{key[:-4]}abcd/"
    assert "expired or is invalid" in site.get(forged).content.decode()
    assert site.post(forged).status_code == 404
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0
    expired = f"/accounts/confirm-email/{key}/"
    assert "expired or is invalid" in site.get(expired).content.decode()
    assert site.post(expired).status_code == 404
    with schema_context(signup.tenant.schema_name):
        assert not EmailAddress.objects.get(pk=address.pk).verified
        assert User.objects.filter(username="admin").count() == 1
