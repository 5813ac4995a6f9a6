"""The central site's selling pages in Chromium, on a desktop and a phone: accessible, no
sideways scroll, nothing blocked by the CSP, and every picture described and loaded."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.harness.browser import AXE_SOURCE, assert_accessible, csp_blocked
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser

WIDTHS = {1280: 800, 390: 844}


@pytest.fixture(params=list(WIDTHS), ids=lambda width: f"{width}px")
def sized_page(
    request: pytest.FixtureRequest, browser: Browser, committed_db: None
) -> Iterator[Page]:
    width: int = request.param
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": WIDTHS[width]}, is_mobile=phone, has_touch=phone
    )
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    blocked = csp_blocked(page)
    yield page
    context.close()
    assert blocked == [], blocked


def _pictures_described_and_loaded(page: Page) -> int:
    images = page.locator("main img")
    for index in range(images.count()):
        image = images.nth(index)
        # Lazy pictures load as they come near the screen, as a reader scrolls.
        image.scroll_into_view_if_needed()
        expect(image).to_have_attribute("alt", re.compile(r"\w{3}"))
        page.wait_for_function("(img) => img.complete", arg=image.element_handle())
        assert image.evaluate("(img) => img.naturalWidth") > 0, image.get_attribute("src")
    return images.count()


@pytest.mark.parametrize(
    ("path", "heading", "pictures"),
    [
        ("/", "Conversation, not consultation", 5),
        ("/pricing/", "Plans and pricing", 0),
        ("/customers/merseyside/", "Merseyside Violence Reduction Partnership", 2),
    ],
)
def test_selling_pages_fit_the_screen_and_pass_axe(
    sized_page: Page, live_site: LiveServer, path: str, heading: str, pictures: int
) -> None:
    sized_page.goto(live_site.url(None, path))
    expect(sized_page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(sized_page)
    assert _pictures_described_and_loaded(sized_page) == pictures
    overflow = sized_page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, f"{path} scrolls sideways at {sized_page.viewport_size}"
    # The answers open without JavaScript's help, and axe still finds nothing when they do.
    for summary in sized_page.locator("details > summary").all():
        summary.click()
    assert_accessible(sized_page)


def test_a_plan_button_leads_into_sign_up_with_that_plan_chosen(
    sized_page: Page, live_site: LiveServer
) -> None:
    sized_page.goto(live_site.url(None, "/pricing/"))
    sized_page.get_by_role("link", name="Start a free trial of Partnership").click()
    expect(sized_page.get_by_label("Partnership")).to_be_checked()
    expect(sized_page.get_by_text("You chose the Partnership plan")).to_be_visible()
    assert_accessible(sized_page)
    overflow = sized_page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow
