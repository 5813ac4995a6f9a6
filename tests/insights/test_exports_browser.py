"""The exports page in a browser: accessible at desktop and phone width, and a download works
with JavaScript on and off."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from dialogues.models import Dialogue
from moderation.models import AuditEntry
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst_and_dialogue(committed_db: None, tenant_a: Tenant) -> Iterator[tuple[str, str]]:
    """A committed analyst and a dialogue with one idea whose title is Welsh and starts like a
    formula; removed afterwards (the audit entries stay: the log refuses deletes)."""
    stamp = time.monotonic_ns() % 10**7
    name, slug = f"Analyst{stamp}", f"browser-export-{stamp}"
    with tenant_context(tenant_a):
        analyst = UserFactory.create(username=name, role=User.Role.ANALYST)
        dialogue = DialogueFactory.create(slug=slug, title=f"Exported {stamp}")
        IdeaFactory.create(dialogue=dialogue, title="=Gŵyl y parc", body="Body")
    yield name, slug
    with tenant_context(tenant_a):
        Dialogue.objects.filter(slug=slug).delete()
        analyst.delete()


def _download_ideas(page: Page, slug: str, title: str) -> list[list[str]]:
    page.get_by_label("Dialogue", exact=True).select_option(label=title)
    page.get_by_label("Ideas", exact=True).check()
    page.get_by_label("CSV (opens in any spreadsheet)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.startswith(f"{slug}-ideas-")
    path = download.value.path()
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


def test_an_analyst_downloads_a_csv_from_an_accessible_page(
    page: Page, live_site: LiveServer, analyst_and_dialogue: tuple[str, str], tenant_a: Tenant
) -> None:
    name, slug = analyst_and_dialogue
    sign_in(page, live_site.url("alpha", "/accounts/login/"), name)
    page.goto(live_site.url("alpha", "/manage/"))
    page.get_by_role("navigation", name="Admin area").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    assert_accessible(page)

    rows = _download_ideas(page, slug, f"Exported {slug.rsplit('-', 1)[1]}")

    assert rows[1][3] == "'=Gŵyl y parc"
    page.reload()
    expect(page.get_by_role("table")).to_contain_text("Ideas")
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    with tenant_context(tenant_a):
        assert AuditEntry.objects.filter(action="export", actor_name=name).count() == 1


def test_the_download_works_without_javascript(
    browser: Browser, live_site: LiveServer, analyst_and_dialogue: tuple[str, str]
) -> None:
    name, slug = analyst_and_dialogue
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, live_site.url("alpha", "/accounts/login/"), name)
        page.goto(live_site.url("alpha", "/manage/insights/exports/"))
        rows = _download_ideas(page, slug, f"Exported {slug.rsplit('-', 1)[1]}")
        assert rows[0][:4] == ["id", "dialogue", "created_at", "title"]
        assert rows[1][3] == "'=Gŵyl y parc"
    finally:
        context.close()
