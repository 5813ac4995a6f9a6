"""The whole conversation in a real browser, with the axe check on every page visited."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import PASSWORD, DialogueFactory, UserFactory
from tests.harness.browser import assert_accessible
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def journey(committed_db: None, tenant_a: Tenant) -> Iterator[dict[str, str]]:
    stamp = str(time.monotonic_ns())[-7:]
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(
            slug=f"journey-{stamp}",
            title="Safer evenings",
            question="What would make evenings feel safer?",
        )
        second = UserFactory.create(username=f"Second{stamp}")
        staff = UserFactory.create(username=f"Staff{stamp}", role=User.Role.ADMIN)
    yield {"slug": dialogue.slug, "second": second.username, "staff": staff.username}
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).delete()


def _visit(page: Page, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def _sign_in(page: Page, site: LiveServer, username: str) -> None:
    _visit(page, site.url("alpha", "/accounts/login/"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}", exact=True)).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_resident_proposes_others_discuss_and_the_organisation_answers(
    page: Page, live_site: LiveServer, journey: dict[str, str]
) -> None:
    dialogue_url = live_site.url("alpha", f"/dialogues/{journey['slug']}/")

    # A visitor reads without signing in.
    _visit(page, live_site.url("alpha"))
    page.get_by_role("link", name="Safer evenings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safer evenings")
    assert_accessible(page)

    # They join with a generated handle, picked with one click.
    page.get_by_role("link", name="Join").click()
    assert_accessible(page)
    suggestion = page.locator("a[data-handle]").first
    handle = suggestion.inner_text()
    suggestion.click()
    expect(page.get_by_label("Username", exact=True)).to_have_value(handle)
    page.get_by_label("Email address").fill(f"{handle.lower()}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    assert_accessible(page)

    # They confirm their email from the link in the message they were sent.
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", str(mail.outbox[-1].body))
    assert link
    _visit(page, link.group(0))
    page.get_by_role("button", name="Confirm").click()
    assert_accessible(page)

    # They post an idea.
    _visit(page, dialogue_url)
    page.get_by_role("link", name="Share an idea").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Street lights stay on until midnight")
    page.get_by_label("Your idea").fill("The park path goes dark at ten.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Street lights stay on until midnight"
    )
    assert_accessible(page)
    idea_url = page.url
    _sign_out(page)

    # A second resident comments and rates it.
    _sign_in(page, live_site, journey["second"])
    _visit(page, idea_url)
    page.get_by_label("Your comment").fill("Yes, and by the bus stop too.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Yes, and by the bus stop too.")).to_be_visible()
    page.get_by_label("4 stars").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("img", name="Rated 4.0 out of 5 from 1 rating")).to_be_visible()
    assert_accessible(page)
    _sign_out(page)

    # Staff respond as the organisation and change the status.
    _sign_in(page, live_site, journey["staff"])
    _visit(page, idea_url)
    page.get_by_label("Official response").fill("We will trial this in two parks from March.")
    page.get_by_role("button", name="Publish response").click()
    expect(page.locator(".comment--official")).to_contain_text("We will trial this")
    page.get_by_label("Status").select_option("under_consideration")
    page.get_by_label("Explanation").fill("We are costing the trial with the council.")
    page.get_by_role("button", name="Set status").click()
    expect(page.get_by_role("heading", name="Status: Under consideration")).to_be_visible()
    assert_accessible(page)
    _sign_out(page)

    # The first resident sees what happened in their notifications.
    _sign_in(page, live_site, handle)
    expect(page.get_by_role("link", name=re.compile(r"Notifications \(\d+ new\)"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Notifications")).click()
    assert_accessible(page)
    expect(page.get_by_text("The organisation responded to")).to_be_visible()
    expect(page.get_by_text("is now: Under consideration")).to_be_visible()
    expect(page.get_by_text(f"{journey['second']} commented on")).to_be_visible()
    page.get_by_role("link", name=re.compile("The organisation responded")).click()
    expect(page.locator(".badge", has_text="Official response")).to_be_visible()
