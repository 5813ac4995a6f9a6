"""A resident who has not confirmed their email is told so before writing an idea, and what
they write is kept until they have confirmed, then posts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from dialogues.models import Dialogue, Idea
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser

TITLE = "A late bus from the leisure centre"
BODY = "The last bus leaves at nine, before the evening sessions end."


@pytest.fixture
def unconfirmed(committed_db: None, tenant_a: Tenant, live_site: LiveServer) -> Iterator[dict]:
    stamp = str(time.monotonic_ns())[-7:]
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"draft-{stamp}", title="Getting home")
        resident = UserFactory.create(username=f"Newcomer{stamp}", verified=False)
        # As sign-up leaves it: the address is on file, its link not yet followed.
        EmailAddress.objects.create(
            user=resident, email=resident.email, verified=False, primary=True
        )
    yield {
        "user_id": resident.pk,
        "username": resident.username,
        "email": resident.email,
        "login": live_site.url("alpha", "/accounts/login/"),
        "new_idea": live_site.url("alpha", f"/dialogues/{dialogue.slug}/ideas/new/"),
    }
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).delete()


def _open_new_idea(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Share an idea")
    assert_accessible(page)


def test_an_unconfirmed_resident_is_told_first_and_their_idea_waits_for_confirmation(
    page: Page, unconfirmed: dict, tenant_a: Tenant
) -> None:
    sign_in(page, unconfirmed["login"], unconfirmed["username"])

    # Told before writing, with the way to get a new link.
    _open_new_idea(page, unconfirmed["new_idea"])
    notice = page.get_by_role("region", name="Confirm your email address to post")
    expect(notice).to_contain_text("follow the link we sent you")
    expect(notice).to_contain_text("we keep it")
    expect(notice.get_by_role("button", name="Send the link again")).to_be_visible()

    # They write anyway and press Post: nothing is published, nothing they wrote is lost.
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your idea").fill(BODY)
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_text("Your idea is not posted yet")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_label("Your idea")).to_have_value(BODY)
    assert_accessible(page)
    with tenant_context(tenant_a):
        assert not Idea.objects.filter(author_id=unconfirmed["user_id"]).exists()

    # It is still there when they come back to the form later.
    page.goto(unconfirmed["new_idea"].split("/ideas/")[0] + "/")
    _open_new_idea(page, unconfirmed["new_idea"])
    expect(page.get_by_label("Your idea")).to_have_value(BODY)

    # The link can be sent again from the notice.
    sent_before = len(mail.outbox)
    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_text("Confirmation email sent")).to_be_visible()
    assert_accessible(page)
    assert len(mail.outbox) == sent_before + 1
    assert mail.outbox[-1].to == [unconfirmed["email"]]

    # They confirm (as following the emailed link does), and the kept idea posts.
    with tenant_context(tenant_a):
        EmailAddress.objects.filter(user_id=unconfirmed["user_id"]).update(verified=True)
    _open_new_idea(page, unconfirmed["new_idea"])
    expect(page.get_by_role("region", name="Confirm your email address to post")).to_have_count(0)
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_label("Your idea")).to_have_value(BODY)
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(page)
    with tenant_context(tenant_a):
        assert Idea.objects.filter(author_id=unconfirmed["user_id"], body=BODY).count() == 1

    # Posted, the draft is gone: the next idea starts empty.
    _open_new_idea(page, unconfirmed["new_idea"])
    expect(page.get_by_label("Your idea")).to_have_value("")
