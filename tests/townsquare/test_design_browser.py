"""The design system in Chromium: stars by keyboard and without JavaScript, the admin menu on a
phone and a desktop, and no page of any site scrolling sideways at 390 pixels."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from dialogues.models import Dialogue, Rating
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import AXE_SOURCE, assert_accessible, csp_blocked, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


def _context(browser: Browser, width: int, *, javascript: bool = True) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, java_script_enabled=javascript
    )
    context.add_init_script(path=str(AXE_SOURCE))
    return context


def _fits(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, f"{page.url} scrolls sideways at {page.viewport_size}"


@pytest.fixture
def scene(committed_db: None, tenant_a: Tenant) -> Iterator[dict[str, str]]:
    stamp = time.monotonic_ns() % 10**8
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=f"DesignAdmin{stamp}", role=User.Role.ADMIN)
        rater = UserFactory.create(username=f"Rater{stamp}")
        dialogue = DialogueFactory.create(
            slug=f"design-{stamp}", title="Safer parks after dark", state=Dialogue.State.OPEN
        )
        idea = IdeaFactory.create(dialogue=dialogue, author=admin, title="Lights on the path")
    yield {
        "admin": admin.username,
        "rater": rater.username,
        "dialogue": dialogue.get_absolute_url(),
        "idea": idea.get_absolute_url(),
        "idea_id": str(idea.pk),
    }
    with tenant_context(tenant_a):
        dialogue.delete()


def _my_rating(tenant: Tenant, idea_id: str, username: str) -> int | None:
    with tenant_context(tenant):
        rating = Rating.objects.filter(idea_id=idea_id, user__username=username).first()
        return rating.stars if rating else None


def test_stars_are_chosen_with_the_arrow_keys(
    browser: Browser, live_site: LiveServer, scene: dict[str, str], tenant_a: Tenant
) -> None:
    context = _context(browser, 1280)
    page = context.new_page()
    blocked = csp_blocked(page)
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["rater"])
    page.goto(live_site.url("alpha", scene["idea"]))
    stars = page.get_by_role("group", name="Rate this idea")
    expect(stars.get_by_role("radio")).to_have_count(5)
    page.get_by_role("radio", name="2 stars").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="4 stars")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save rating")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("img", name="Rated 4.0 out of 5 from 1 rating")).to_be_visible()
    assert _my_rating(tenant_a, scene["idea_id"], scene["rater"]) == 4
    # Stars one to four show filled, the fifth empty.
    fills = [
        page.locator(f"label[for=stars-{n}] svg").evaluate("el => getComputedStyle(el).fill")
        for n in range(1, 6)
    ]
    assert fills[4] == "none"
    assert all(fill not in ("none", fills[4]) for fill in fills[:4]), fills
    assert_accessible(page)
    context.close()
    assert blocked == []


def test_stars_work_without_javascript(
    browser: Browser, live_site: LiveServer, scene: dict[str, str], tenant_a: Tenant
) -> None:
    context = _context(browser, 390, javascript=False)
    page = context.new_page()
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["rater"])
    page.goto(live_site.url("alpha", scene["idea"]))
    # Clicking the drawn star chooses it: the radio button lies over its star.
    page.get_by_role("radio", name="2 stars").click()
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_text("Your rating: 2 out of 5. Change it?")).to_be_visible()
    assert _my_rating(tenant_a, scene["idea_id"], scene["rater"]) == 2
    context.close()


def test_the_admin_menu_is_open_on_a_desktop_and_a_disclosure_on_a_phone(
    browser: Browser, live_site: LiveServer, scene: dict[str, str]
) -> None:
    for width in (1280, 390):
        context = _context(browser, width)
        page = context.new_page()
        sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["admin"])
        expect(page).to_have_url(live_site.url("alpha", "/manage/"))
        rail = page.get_by_role("navigation", name="Admin area")
        moderation = rail.get_by_role("link", name="Moderation")
        if width == 1280:
            expect(moderation).to_be_visible()
            expect(rail.get_by_text("Admin menu")).to_be_hidden()
        else:
            expect(moderation).to_be_hidden()
            rail.get_by_text("Admin menu").click()
            expect(moderation).to_be_visible()
        moderation.click()
        expect(page.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()
        context.close()


def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, live_site: LiveServer, scene: dict[str, str], tenant_a: Tenant
) -> None:
    """Every page each site links to from its menus, at 390 px: fits, and axe finds nothing."""
    context = _context(browser, 390)
    page = context.new_page()
    blocked = csp_blocked(page)
    central = ["/", "/pricing/", "/customers/merseyside/", "/signup/", "/demo/", "/privacy/"]
    for path in central:
        answer = page.goto(live_site.url(None, path))
        assert answer is not None
        assert answer.status == 200, path
        _fits(page)
        assert_accessible(page)
    resident = ["/", scene["dialogue"], scene["idea"], "/accounts/login/", "/accounts/signup/"]
    resident += ["/staying-safe/", "/tell-us-privately/"]
    for path in resident:
        answer = page.goto(live_site.url("alpha", path))
        assert answer is not None
        assert answer.status == 200, path
        _fits(page)
        assert_accessible(page)
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    rail_links = page.locator(".manage-rail a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    header_links = page.locator(".site-header a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert len(rail_links) >= 15
    editor = f"/manage/dialogues/{scene['dialogue'].strip('/').split('/')[-1]}/"
    for path in [*rail_links, *header_links, editor]:
        if not path.startswith("/"):
            continue
        answer = page.goto(live_site.url("alpha", path))
        assert answer is not None
        assert answer.status == 200, path
        _fits(page)
        assert_accessible(page)
    # The header's sign-out stays on screen: the staff header used to push it off.
    sign_out = page.get_by_role("button", name="Sign out")
    box = sign_out.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    context.close()
    assert blocked == []


@pytest.mark.parametrize("javascript", [True, False])
def test_enter_in_a_field_saves_rather_than_previews(
    browser: Browser,
    live_site: LiveServer,
    scene: dict[str, str],
    tenant_a: Tenant,
    javascript: bool,
) -> None:
    """The Markdown editor's Preview is a submit button inside the form's fields; Enter must
    still press the form's own Save."""
    context = _context(browser, 1280, javascript=javascript)
    page = context.new_page()
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    slug = scene["dialogue"].strip("/").split("/")[-1]
    page.goto(live_site.url("alpha", f"/manage/dialogues/{slug}/"))
    title = page.get_by_label("Title", exact=True)
    title.fill(f"Renamed by Enter {javascript}")
    title.press("Enter")
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    with tenant_context(tenant_a):
        assert Dialogue.objects.get(slug=slug).title == f"Renamed by Enter {javascript}"
    context.close()
