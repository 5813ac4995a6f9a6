"""Every remaining page, on a phone-sized screen: axe finds nothing and the layout fits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import StaffInvitation, User
from notifications.tokens import unsubscribe_token
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import AXE_SOURCE, assert_accessible, csp_blocked, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser, committed_db: None) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    # Every page must work under the Content-Security-Policy: no inline script or style.
    blocked = csp_blocked(page)
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def scene(committed_db: None, tenant_a: Tenant) -> Iterator[dict[str, str]]:
    stamp = time.monotonic_ns() % 10**8
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=f"PagesAdmin{stamp}", role=User.Role.ADMIN)
        dialogue = DialogueFactory.create(slug=f"pages-{stamp}")
        idea = IdeaFactory.create(dialogue=dialogue, author=admin, title="An idea to edit")
        invitation = StaffInvitation.objects.create(
            email="new.staff@example.org",
            role="analyst",
            token=f"pages-{stamp}",
            expires_at=idea.created_at.replace(year=idea.created_at.year + 1),
        )
        token = unsubscribe_token(user=admin)
    yield {
        "admin": admin.username,
        "edit": f"{idea.get_absolute_url()}edit/",
        "invitation": f"/manage/invitations/{invitation.token}/",
        "unsubscribe": f"/notifications/unsubscribe/{token}/",
        "edit_dialogue": f"/manage/dialogues/{dialogue.slug}/",
        "idea_id": str(idea.pk),
    }
    with tenant_context(tenant_a):
        dialogue.delete()
        invitation.delete()


def _fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, f"{page.url} scrolls sideways on a phone"


def test_signed_out_pages(phone: Page, live_site: LiveServer, scene: dict[str, str]) -> None:
    for path in (
        "/",
        "/dialogues/alpha-parks/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        scene["invitation"],
        scene["unsubscribe"],
    ):
        phone.goto(live_site.url("alpha", path))
        assert_accessible(phone)
        _fits_the_screen(phone)


def test_signed_in_pages(phone: Page, live_site: LiveServer, scene: dict[str, str]) -> None:
    sign_in(phone, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    for path in (
        scene["edit"],
        "/notifications/",
        "/notifications/settings/",
        "/manage/",
        scene["edit_dialogue"],
        "/accounts/password/change/",
        "/manage/moderation/",
        "/manage/moderation/audit/",
        "/accounts/email/",
        "/manage/theme/",
        "/manage/theme/versions/",
        "/manage/theme/pages/",
        "/manage/theme/pages/new/",
    ):
        phone.goto(live_site.url("alpha", path))
        assert_accessible(phone)
        _fits_the_screen(phone)


def test_central_site_pages_on_a_phone(phone: Page, live_site: LiveServer) -> None:
    for path in ("/", "/pricing/", "/signup/", "/demo/", "/accounts/login/?next=/staff/"):
        phone.goto(live_site.url(None, path))
        assert_accessible(phone)
        _fits_the_screen(phone)


def test_the_forbidden_page(phone: Page, live_site: LiveServer, committed_db: None) -> None:
    name = f"Plain{time.monotonic_ns() % 10**8}"
    with tenant_context(Tenant.objects.get(slug="alpha")):
        UserFactory.create(username=name)
    sign_in(phone, live_site.url("alpha", "/accounts/login/"), name)
    response = phone.goto(live_site.url("alpha", "/manage/"))
    assert response is not None
    assert response.status == 403
    assert_accessible(phone)


def test_safety_pages_on_a_phone(phone: Page, live_site: LiveServer, scene: dict[str, str]) -> None:
    for path in (
        "/tell-us-privately/",
        "/staying-safe/",
        f"/report/idea/{scene['idea_id']}/",
        f"/worried/idea/{scene['idea_id']}/",
    ):
        phone.goto(live_site.url("alpha", path))
        assert_accessible(phone)
        _fits_the_screen(phone)


def test_your_data_page_on_a_phone(
    phone: Page, live_site: LiveServer, scene: dict[str, str]
) -> None:
    sign_in(phone, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    phone.get_by_role("link", name="Your data").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your data")
    assert_accessible(phone)
    _fits_the_screen(phone)


def test_join_with_code_page_on_a_phone(
    phone: Page, live_site: LiveServer, committed_db: None
) -> None:
    phone.goto(live_site.url("alpha", "/join/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Join with a code")
    assert_accessible(phone)
    _fits_the_screen(phone)
