"""In-person input in a real browser: a moderator records a session, adds an idea, checks an
upload, and prints join-code cards, with the axe check on every page, at phone width too."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import FilePayload, Page, expect

from accounts.models import InviteCode, User
from accounts.services import invite_code_create
from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def setting(committed_db: None, tenant_a: Tenant) -> Iterator[dict[str, str]]:
    stamp = str(time.monotonic_ns())[-7:]
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"in-person-{stamp}", title=f"Evenings out {stamp}")
        IdeaFactory.create(dialogue=dialogue, title="A later last bus")
        moderator = UserFactory.create(username=f"Mod{stamp}", role=User.Role.MODERATOR)
        code = invite_code_create(by=moderator, label="Kirkby club", valid_hours=4, max_uses=20)
    yield {
        "slug": dialogue.slug,
        "title": dialogue.title,
        "moderator": moderator.username,
        "code": code.code,
    }
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).delete()
        InviteCode.objects.filter(pk=code.pk).delete()


def _fits_phone_width(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_moderator_records_a_session_and_its_idea_appears_as_gathered(
    page: Page, live_site: LiveServer, setting: dict[str, str]
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), setting["moderator"])
    page.get_by_role("link", name="Manage").click()
    nav = page.get_by_role("navigation", name="Admin area")
    nav.get_by_role("link", name="In-person sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("In-person sessions")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(setting["title"])).click()
    assert_accessible(page)

    # A date in the future is refused, with the reason next to the field.
    page.get_by_label("Where it was held").fill("Kirkby youth club")
    page.get_by_label("Date of the session").fill("2999-01-01")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("cannot be in the future").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Date of the session").fill("2026-03-03")
    page.get_by_label("Who took part (optional)").fill("12 young people aged 13–17")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session at Kirkby youth club")
    assert_accessible(page)
    _fits_phone_width(page)

    page.get_by_label("Title").fill("Somewhere warm to meet")
    page.get_by_label("The idea, in the group's words").fill("A youth café open till 10pm.")
    page.get_by_role("button", name="Add the idea").click()
    expect(page.get_by_text("The idea is published")).to_be_visible()
    assert_accessible(page)

    choice = page.get_by_label("The idea it is about")
    bus = choice.locator("option", has_text="A later last bus").get_attribute("value")
    choice.select_option(value=bus)
    page.get_by_label("The comment, in the group's words").fill("Yes, the 11pm bus.")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_text("The comment is published")).to_be_visible()

    # An upload with a problem: every row is shown, and import stays off.
    out = io.StringIO()
    csv.writer(out).writerows([["title", "body"], ["", "No title"], ["Benches", "Near the shops"]])
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(
        files=FilePayload(name="session.csv", mimeType="text/csv", buffer=out.getvalue().encode())
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check “session.csv”")
    expect(page.get_by_text("The title is missing.")).to_be_visible()
    expect(page.get_by_role("button", name="Import 2 contributions")).to_be_disabled()
    assert_accessible(page)
    _fits_phone_width(page)
    page.get_by_role("button", name="Discard this upload").click()
    expect(page.get_by_text("The upload is discarded")).to_be_visible()

    # The public sees the session, never the moderator.
    page.goto(live_site.url("alpha", f"/dialogues/{setting['slug']}/"))
    card = page.get_by_role("listitem").filter(has_text="Somewhere warm to meet")
    expect(card).to_contain_text("Gathered at a session — Kirkby youth club, 3 March 2026")
    expect(card).not_to_contain_text(setting["moderator"])
    assert_accessible(page)
    page.get_by_role("link", name="A later last bus").click()
    expect(page.locator("#comments")).to_contain_text("Gathered at a session — Kirkby youth club")
    assert_accessible(page)


def test_join_code_cards_print_on_accessible_a4_sheets(
    page: Page, live_site: LiveServer, setting: dict[str, str]
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), setting["moderator"])
    page.goto(live_site.url("alpha", "/manage/codes/"))
    page.get_by_role("link", name=f"Print cards for code {setting['code']}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cards for code {setting['code']}")
    qr_codes = page.get_by_role("img", name="QR code that opens")
    expect(qr_codes).to_have_count(8)
    assert_accessible(page)
    _fits_phone_width(page)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_hidden()
    expect(page.locator(".join-card").first).to_be_visible()
    assert_accessible(page)
    # At A4's width, every card's text and QR code fit inside the card.
    page.set_viewport_size({"width": 794, "height": 1123})
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('.join-card')]"
        ".filter((card) => card.scrollHeight > card.clientHeight + 1).length"
    )
    assert overflowing == 0
    # Two cards a row, four rows: the sheet fits one A4 page (PDF is Chromium's print path).
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
