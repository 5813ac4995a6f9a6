"""The tenant admin area: each role sees what it may do, and nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import StaffInvitation, User
from accounts.tasks import staff_invitation_send
from dialogues.models import Dialogue
from sitesettings.selectors import site_settings_get
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory

pytestmark = pytest.mark.django_db


def _dialogue_form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Safer parks",
        "slug": "safer-parks",
        "question": "What would make parks feel safer?",
        "description": "Tell us **anything**.\n\n<script>alert(1)</script>",
        "video_url": "https://youtu.be/dQw4w9WgXcQ",
        "tags": "Parks, Lighting",
        "listed": "on",
        "opens_at": "",
        "closes_at": "",
    } | overrides


def _settings_form(**overrides: str) -> dict[str, str]:
    """Every field of the settings form, as a browser sends it (an unticked box is absent)."""
    return {
        "idea_edit_window_minutes": "30",
        "report_threshold": "3",
        "retention_days": "365",
        "blocked_words": "",
        "quick_exit_url": "https://www.bbc.co.uk/weather",
    } | overrides


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("", "/manage/", 403),
        ("analyst", "/manage/", 200),
        ("analyst", "/manage/dialogues/new/", 403),
        ("analyst", "/manage/responses/", 403),
        ("moderator", "/manage/staff/", 403),
        ("moderator", "/manage/settings/", 403),
        ("safeguarding", "/manage/dialogues/new/", 403),
        ("admin", "/manage/", 200),
        ("admin", "/manage/dialogues/new/", 200),
        ("admin", "/manage/responses/", 200),
        ("admin", "/manage/staff/", 200),
        ("admin", "/manage/settings/", 200),
    ],
)
def test_each_role_reaches_only_its_pages(
    as_role: Callable[[str], Client], role: str, path: str, status: int
) -> None:
    response = as_role(role).get(path)
    assert response.status_code == status
    if status == 403:
        assert "You cannot see this page" in response.content.decode()


def test_visitors_are_sent_to_sign_in(client_for: Callable[..., Client], tenant_a: Tenant) -> None:
    response = client_for(tenant_a).get("/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/manage/")


def test_an_admin_creates_opens_closes_and_publishes_an_outcome(
    as_role: Callable[[str], Client], client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = as_role("admin")
    response = admin.post("/manage/dialogues/new/", _dialogue_form())
    assert response.status_code == 302
    with tenant_context(tenant_a):
        dialogue = Dialogue.objects.get(slug="safer-parks")
        assert dialogue.state == Dialogue.State.DRAFT
        assert "<script>" not in dialogue.description
        assert dialogue.description == "<p>Tell us <strong>anything</strong>.</p>"
        assert sorted(t.name for t in dialogue.tags.all()) == ["Lighting", "Parks"]
    visitor = client_for(tenant_a)
    assert visitor.get("/dialogues/safer-parks/").status_code == 404  # drafts are private

    admin.post("/manage/dialogues/safer-parks/state/", {"state": "open"})
    page = visitor.get("/dialogues/safer-parks/").content.decode()
    assert "What would make parks feel safer?" in page
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in page

    admin.post("/manage/dialogues/safer-parks/state/", {"state": "closed"})
    admin.post(
        "/manage/dialogues/safer-parks/outcome/",
        {"summary": "We will light _three_ paths.\n\n<img src=x onerror=alert(1)>"},
    )
    page = visitor.get("/dialogues/safer-parks/").content.decode()
    assert "What happened next" in page
    assert "We will light <em>three</em> paths." in page
    assert "onerror" not in page
    assert "This dialogue is closed" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "alpha-parks"}, "Another dialogue already uses this address"),
        ({"slug": "Not a slug!"}, "Enter a valid"),
        ({"title": ""}, "This field is required"),
        ({"video_url": "https://evil.example/video"}, "YouTube or Vimeo only"),
        (
            {"opens_at": "2030-05-02T10:00", "closes_at": "2030-05-01T10:00"},
            "must close after it opens",
        ),
    ],
)
def test_bad_dialogue_input_is_refused_with_a_clear_message(
    as_role: Callable[[str], Client], tenant_a: Tenant, overrides: dict[str, str], message: str
) -> None:
    with tenant_context(tenant_a):
        before = Dialogue.objects.count()
    response = as_role("admin").post("/manage/dialogues/new/", _dialogue_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(tenant_a):
        assert Dialogue.objects.count() == before


def test_impossible_state_changes_are_refused(
    as_role: Callable[[str], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="drafty", state=Dialogue.State.DRAFT)
    response = as_role("admin").post(
        "/manage/dialogues/drafty/state/", {"state": "archived"}, follow=True
    )
    assert "That change is not possible" in response.content.decode()
    with tenant_context(tenant_a):
        assert Dialogue.objects.get(slug="drafty").state == Dialogue.State.DRAFT


def test_staff_are_invited_by_email_and_accept_with_the_matching_account(
    as_role: Callable[[str], Client], client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = as_role("admin")
    response = admin.post("/manage/staff/", {"email": "Mod@Example.org", "role": "moderator"})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        invitation = StaffInvitation.objects.get(email="mod@example.org")
        assert staff_invitation_send(invitation_id=invitation.pk)
    body = str(mail.outbox[-1].body)
    assert "as Moderator" in body
    link = re.search(r"http://alpha\.localhost(?::\d+)?(/manage/invitations/\S+/)", body)
    assert link, body

    with tenant_context(tenant_a):
        stranger = UserFactory.create(email="someone-else@example.org")
        invitee = UserFactory.create(email="mod@example.org")
    wrong = client_for(tenant_a)
    with tenant_context(tenant_a):
        wrong.force_login(stranger)
    refused = wrong.post(link.group(1), follow=True).content.decode()
    assert "sent to a different email address" in refused

    right = client_for(tenant_a)
    with tenant_context(tenant_a):
        right.force_login(invitee)
    accepted = right.post(link.group(1), follow=True).content.decode()
    assert "you are now Moderator" in accepted
    again = right.post(link.group(1), follow=True).content.decode()
    assert "has been used" in again
    with tenant_context(tenant_a):
        invitee.refresh_from_db()
        stranger.refresh_from_db()
    assert (invitee.role, stranger.role) == ("moderator", "")


def test_expired_invitations_and_bad_invites_change_nothing(
    as_role: Callable[[str], Client], client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = as_role("admin")
    for form, message in (
        ({"email": "not-an-email", "role": "moderator"}, "Enter a valid email address"),
        ({"email": "x@example.org", "role": "overlord"}, "Select a valid choice"),
        ({"email": "x@example.org", "role": ""}, "This field is required"),
    ):
        assert message in admin.post("/manage/staff/", form).content.decode()
    with tenant_context(tenant_a):
        assert not StaffInvitation.objects.exists()
        invitee = UserFactory.create(email="late@example.org")
        StaffInvitation.objects.create(
            email="late@example.org",
            role="admin",
            token="expired-token",
            expires_at=timezone.now() - timedelta(minutes=1),
        )
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(invitee)
    page = client.post("/manage/invitations/expired-token/", follow=True).content.decode()
    assert "has expired" in page
    with tenant_context(tenant_a):
        invitee.refresh_from_db()
    assert invitee.role == ""


def test_admins_remove_roles_but_not_their_own(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        admin_user = UserFactory.create(role=User.Role.ADMIN)
        analyst = UserFactory.create(role=User.Role.ANALYST)
        client = client_for(tenant_a)
        client.force_login(admin_user)
    client.post(f"/manage/staff/{analyst.pk}/remove/")
    page = client.post(f"/manage/staff/{admin_user.pk}/remove/", follow=True).content.decode()
    assert "cannot remove your own role" in page
    with tenant_context(tenant_a):
        analyst.refresh_from_db()
        admin_user.refresh_from_db()
    assert (analyst.role, admin_user.role) == ("", "admin")


def test_settings_turn_email_verification_off_and_refuse_bad_values(
    as_role: Callable[[str], Client], tenant_a: Tenant
) -> None:
    admin = as_role("admin")
    bad = admin.post("/manage/settings/", {"idea_edit_window_minutes": "-5"})
    assert "greater than or equal to 0" in bad.content.decode()
    saved = admin.post(
        "/manage/settings/",
        _settings_form(
            idea_edit_window_minutes="60", quick_exit_url="https://www.bbc.co.uk/weather"
        ),
    )
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        settings = site_settings_get()
    assert (settings.require_verified_email, settings.idea_edit_window_minutes) == (False, 60)


def test_admins_manage_helplines_and_the_exit_address(
    as_role: Callable[[str], Client], client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = as_role("admin")
    bad = admin.post(
        "/manage/helplines/", {"name": "Evil", "url": "javascript:alert(1)", "position": "0"}
    )
    assert "Enter a valid URL" in bad.content.decode()
    insecure = admin.post(
        "/manage/helplines/", {"name": "Plain", "url": "http://x.org", "position": "0"}
    )
    assert "Use an https:// address" in insecure.content.decode()
    admin.post(
        "/manage/helplines/",
        {
            "name": "Samaritans",
            "phone": "116 123",
            "url": "https://www.samaritans.org/",
            "position": "1",
        },
    )
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="with-help")
    assert "Samaritans" in client_for(tenant_a).get("/dialogues/with-help/").content.decode()
    refused = admin.post(
        "/manage/settings/",
        {"idea_edit_window_minutes": "30", "quick_exit_url": "http://insecure.example"},
    )
    assert "Use an https:// address" in refused.content.decode()
    saved = admin.post(
        "/manage/settings/",
        _settings_form(require_verified_email="on", quick_exit_url="https://www.gov.uk/"),
    )
    assert saved.status_code == 302
    page = client_for(tenant_a).get(dialogue.get_absolute_url()).content.decode()
    assert 'href="/exit/" class="exit-this-page__button"' in page
    assert client_for(tenant_a).get("/exit/")["Location"] == "https://www.gov.uk/"
