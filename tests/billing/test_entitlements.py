"""Plan entitlements: each limit is refused where a site would pass it, naming the plan that
allows it with the way to upgrade, and nothing changes; the plan that includes it allows it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context
from openpyxl import load_workbook  # type: ignore[import-untyped]

from accounts.models import DemographicAnswer, DemographicQuestion, StaffInvitation, User
from billing.entitlements import (
    Feature,
    PlanLimitError,
    Usage,
    current_plan,
    downgrade_problems,
    entitlement_check,
)
from billing.plans import COMMUNITY, PARTNERSHIP, TRIAL
from dialogues.models import Dialogue
from dialogues.services import dialogues_apply_schedule
from tenants.models import Domain, Tenant
from tenants.selectors import tenant_base_url
from tenants.services import HOST_MESSAGE, domain_add
from tests.factories import DialogueFactory, UserFactory
from themes.models import ThemeDraft
from townsquare.lib.memo import TtlMemo

pytestmark = pytest.mark.django_db

UPGRADE_LINK = '<a href="/manage/billing/">See plans and upgrade</a>'
OPEN_LIMIT_ON_TRIAL = (
    "The Free trial plan allows 1 open dialogue and this site has 1 in use. Close one first, "
    "or upgrade to the Community plan, which allows 3 open dialogues."
)
SEAT_LIMIT_ON_TRIAL = (
    "The Free trial plan allows 3 staff seats and this site has 3 in use. Remove a member of "
    "staff or withdraw an invitation first, or upgrade to the Community plan, which allows 10 "
    "staff seats."
)
COLOURS = {
    "primary": "#5a1d89",
    "accent": "#6b6b76",
    "text": "#1b1b1f",
    "background": "#ffffff",
    "link": "#5a1d89",
    "font": "system",
    "logo_alt": "",
    "intro_markdown": "",
    "footer_links": "",
    "social_links": "",
}


@pytest.fixture
def on_plan(tenant_a: Tenant) -> Callable[[str], Tenant]:
    """Puts tenant A on a plan for this test (rolled back with it); returns a copy of the
    tenant that knows it, for tenant_context. The shared tenant_a object is left alone."""

    def put(plan: str) -> Tenant:
        Tenant.objects.filter(pk=tenant_a.pk).update(plan=plan)
        # The host → tenant memo would serve the old plan for a few seconds.
        TtlMemo.clear_all()
        return Tenant.objects.get(pk=tenant_a.pk)

    return put


@pytest.fixture
def admin(tenant_a: Tenant) -> User:
    with tenant_context(tenant_a):
        return UserFactory.create(username="PlanAdmin", role=User.Role.ADMIN)


@pytest.fixture
def as_admin(client_as: Callable[..., Client], tenant_a: Tenant, admin: User) -> Client:
    return client_as(tenant_a, admin)


def _text(response: Any) -> str:
    return unescape(response.content.decode())


def _tag(body: str, name: str) -> str:
    """The opening tag of the form control with this name."""
    found = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', body)
    assert found is not None, name
    return found.group(0)


def _open_dialogues(tenant: Tenant, count: int) -> list[Dialogue]:
    """Exactly this many open dialogues on the site (the seeded one closed for the test)."""
    with tenant_context(tenant):
        Dialogue.objects.filter(state=Dialogue.State.OPEN).update(state=Dialogue.State.CLOSED)
        return DialogueFactory.create_batch(count, state=Dialogue.State.OPEN)


def _states(tenant: Tenant, *dialogues: Dialogue) -> list[str]:
    with tenant_context(tenant):
        return [Dialogue.objects.get(pk=d.pk).state for d in dialogues]


# Open dialogues


def test_opening_a_dialogue_by_hand_past_the_limit_is_refused(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("trial")
    _open_dialogues(tenant_a, 1)
    with tenant_context(tenant_a):
        draft = DialogueFactory.create(state=Dialogue.State.DRAFT, slug="plan-draft")
        closed = DialogueFactory.create(state=Dialogue.State.CLOSED, slug="plan-closed")

    for dialogue in (draft, closed):
        response = as_admin.post(
            f"/manage/dialogues/{dialogue.slug}/state/", {"state": "open"}, follow=True
        )
        body = _text(response)
        assert OPEN_LIMIT_ON_TRIAL in body
        assert UPGRADE_LINK in body
    assert _states(tenant_a, draft, closed) == ["draft", "closed"]


def test_creating_an_open_dialogue_past_the_limit_is_refused_and_nothing_is_made(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("trial")
    _open_dialogues(tenant_a, 1)
    form = {"title": "Buses", "slug": "plan-buses", "question": "Which routes?", "open_now": "on"}

    response = as_admin.post("/manage/dialogues/new/", form)

    assert response.status_code == 400
    body = _text(response)
    assert OPEN_LIMIT_ON_TRIAL in body
    assert UPGRADE_LINK in body
    with tenant_context(tenant_a):
        assert not Dialogue.objects.filter(slug="plan-buses").exists()


def test_a_plan_with_room_opens_dialogues_by_hand_and_on_creation(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("community")
    _open_dialogues(tenant_a, 1)
    with tenant_context(tenant_a):
        draft = DialogueFactory.create(state=Dialogue.State.DRAFT, slug="plan-draft")

    as_admin.post(f"/manage/dialogues/{draft.slug}/state/", {"state": "open"})
    response = as_admin.post(
        "/manage/dialogues/new/",
        {"title": "Buses", "slug": "plan-buses", "question": "Which routes?", "open_now": "on"},
        follow=True,
    )

    assert "The dialogue is open." in _text(response)
    with tenant_context(tenant_a):
        assert Dialogue.objects.filter(state=Dialogue.State.OPEN).count() == 3
        assert Dialogue.objects.get(slug="plan-buses").state == Dialogue.State.OPEN
    # The third is the Community plan's last place: a fourth is refused, naming Partnership.
    refused = as_admin.post(
        "/manage/dialogues/new/",
        {"title": "Parks", "slug": "plan-parks", "question": "Which park?", "open_now": "on"},
    )
    assert "upgrade to the Partnership plan, which allows no limit" in _text(refused)


def test_the_schedule_opens_due_drafts_earliest_first_only_up_to_the_limit(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    community = on_plan("community")
    _open_dialogues(tenant_a, 2)
    now = timezone.now()
    with tenant_context(tenant_a):
        later = DialogueFactory.create(
            state=Dialogue.State.DRAFT,
            slug="plan-later",
            title="Later plans",
            opens_at=now - timedelta(minutes=5),
        )
        earlier = DialogueFactory.create(
            state=Dialogue.State.DRAFT, slug="plan-earlier", opens_at=now - timedelta(minutes=10)
        )

    with tenant_context(community):
        assert dialogues_apply_schedule(now=now) == (1, 0)
    assert _states(tenant_a, earlier, later) == ["open", "draft"]

    # Staff are told why, on the dashboard and on the dialogue's own page.
    for page in ("/manage/", "/manage/dialogues/plan-later/"):
        body = _text(as_admin.get(page))
        assert "A scheduled dialogue could not open" in body
        assert "“Later plans” was due to open" in body
        assert (
            "The Community plan allows 3 open dialogues and this site has 3 in use. Close one "
            "first, or upgrade to the Partnership plan, which allows no limit."
        ) in body
        assert UPGRADE_LINK in body
    assert "could not open" not in _text(as_admin.get("/manage/dialogues/plan-earlier/"))

    # On a plan with room, the next run opens it and the notice goes.
    partnership = on_plan("partnership")
    assert "could not open" not in _text(as_admin.get("/manage/"))
    with tenant_context(partnership):
        assert dialogues_apply_schedule(now=now) == (1, 0)
    assert _states(tenant_a, later) == ["open"]


def test_the_schedule_closes_first_so_a_dialogue_ending_makes_room_for_one_starting(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant
) -> None:
    trial = on_plan("trial")
    (ending,) = _open_dialogues(tenant_a, 1)
    now = timezone.now()
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=ending.pk).update(
            opens_at=now - timedelta(days=1), closes_at=now - timedelta(minutes=1)
        )
        starting = DialogueFactory.create(
            state=Dialogue.State.DRAFT, opens_at=now - timedelta(minutes=1)
        )
    with tenant_context(trial):
        assert dialogues_apply_schedule(now=now) == (1, 1)
    assert _states(tenant_a, ending, starting) == ["closed", "open"]


# Staff seats


@pytest.fixture
def three_seats_taken(tenant_a: Tenant, admin: User) -> User:
    """The admin, a moderator and one unexpired invitation: three seats, nobody else staff."""
    with tenant_context(tenant_a):
        User.objects.exclude(pk=admin.pk).exclude(role="").update(role="")
        StaffInvitation.objects.all().delete()
        UserFactory.create(username="PlanModerator", role=User.Role.MODERATOR)
        StaffInvitation.objects.create(
            email="pending@example.org",
            role=User.Role.ANALYST,
            token="plan-pending",
            expires_at=timezone.now() + timedelta(days=3),
        )
        # An expired invitation holds no seat.
        StaffInvitation.objects.create(
            email="lapsed@example.org",
            role=User.Role.ANALYST,
            token="plan-lapsed",
            expires_at=timezone.now() - timedelta(days=1),
        )
    return admin


@pytest.mark.usefixtures("three_seats_taken")
def test_inviting_staff_past_the_seats_is_refused_and_no_invitation_is_made(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("trial")

    response = as_admin.post("/manage/staff/", {"email": "new@example.org", "role": "moderator"})

    body = _text(response)
    assert SEAT_LIMIT_ON_TRIAL in body
    assert UPGRADE_LINK in body
    with tenant_context(tenant_a):
        assert not StaffInvitation.objects.filter(email="new@example.org").exists()
    # Inviting the pending address again replaces its invitation: no extra seat.
    again = as_admin.post(
        "/manage/staff/", {"email": "pending@example.org", "role": "moderator"}, follow=True
    )
    assert "Invitation sent to pending@example.org." in _text(again)
    with tenant_context(tenant_a):
        assert StaffInvitation.objects.get(email="pending@example.org").role == "moderator"


@pytest.mark.usefixtures("three_seats_taken")
def test_a_plan_with_seats_to_spare_lets_the_invitation_through(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("community")
    response = as_admin.post(
        "/manage/staff/", {"email": "new@example.org", "role": "moderator"}, follow=True
    )
    assert "Invitation sent to new@example.org." in _text(response)
    with tenant_context(tenant_a):
        assert StaffInvitation.objects.filter(email="new@example.org").exists()


@pytest.mark.usefixtures("three_seats_taken")
def test_accepting_an_invitation_after_a_downgrade_filled_the_seats_is_refused(
    on_plan: Callable[[str], Tenant],
    tenant_a: Tenant,
    client_as: Callable[..., Client],
) -> None:
    on_plan("trial")
    with tenant_context(tenant_a):
        # A fourth seat, taken while the site was on a bigger plan.
        UserFactory.create(username="PlanAnalyst", role=User.Role.ANALYST)
        invited = UserFactory.create(username="PlanInvited", email="pending@example.org")

    response = client_as(tenant_a, invited).post("/manage/invitations/plan-pending/")

    body = _text(response)
    assert "The Free trial plan allows 3 staff seats and this site has 3 in use." in body
    # The person accepting cannot upgrade; they are told who can.
    assert "Ask an admin to upgrade." in body
    assert UPGRADE_LINK not in body
    with tenant_context(tenant_a):
        assert User.objects.get(pk=invited.pk).role == ""
        assert StaffInvitation.objects.get(token="plan-pending").accepted_at is None


# API access


def _api_paths() -> list[str]:
    return ["/api/v1/", "/api/v1/dialogues/", "/api/v1/dialogues/alpha-parks/", "/api/schema/"]


def test_the_api_answers_403_with_the_plan_and_upgrade_address_on_a_plan_without_it(
    on_plan: Callable[[str], Tenant],
    tenant_a: Tenant,
    client_for: Callable[..., Client],
    client_as: Callable[..., Client],
    admin: User,
) -> None:
    on_plan("trial")
    expected = {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "The REST API is not included in the Free trial plan. Upgrade to the "
        "Community plan to use it.",
        "code": "plan_limit",
        "upgrade_url": "/manage/billing/",
    }
    for client in (client_for(tenant_a), client_as(tenant_a, admin)):
        for path in _api_paths():
            response = client.get(path, headers={"accept": "application/json"})
            assert (path, response.status_code, response.json()) == (path, 403, expected)
            assert response["Content-Type"] == "application/problem+json"
        assert client.post("/api/v1/dialogues/", {"title": "x"}).json() == expected


def test_the_api_answers_on_a_plan_that_includes_it(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, client_for: Callable[..., Client]
) -> None:
    on_plan("community")
    client = client_for(tenant_a)
    for path in _api_paths():
        assert client.get(path, headers={"accept": "application/json"}).status_code == 200


def _views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_endpoint_checks_the_plan(
    on_plan: Callable[[str], Tenant],
    tenant_a: Tenant,
    client_as: Callable[..., Client],
    admin: User,
) -> None:
    """A new endpoint that forgot the check would be open to every plan: each address, asked
    by a signed-in admin with every method it takes, answers the plan's 403."""
    import re

    from api import urls

    on_plan("trial")
    client = client_as(tenant_a, admin)
    for route, _view in _views(urls.urlpatterns):
        path = "/api/" + re.sub(r"<id:\w+>", "1", re.sub(r"<slug:\w+>", "alpha-parks", route))
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(
                path, content_type="application/json", headers={"accept": "application/json"}
            )
            if response.status_code == 405:
                continue
            assert (path, method, response.status_code) == (path, method, 403)
            # JSON answers in the API's problem format; the docs page is a page saying so.
            assert "is not included in the Free trial plan" in response.content.decode()


# Custom CSS


def _draft(tenant: Tenant) -> ThemeDraft:
    with tenant_context(tenant):
        draft, _ = ThemeDraft.objects.get_or_create(singleton=True)
        return draft


def test_custom_css_is_shown_switched_off_and_refused_on_a_plan_without_it(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("community")
    with tenant_context(tenant_a):
        ThemeDraft.objects.update_or_create(singleton=True, defaults={"primary": "#1d4e89"})
    message = (
        "Custom CSS is not included in the Community plan. Upgrade to the Partnership plan "
        "to use it."
    )

    editor = _text(as_admin.get("/manage/theme/"))
    assert f"{message} {UPGRADE_LINK}" in editor
    assert " disabled" in _tag(editor, "custom_css")

    response = as_admin.post(
        "/manage/theme/", {**COLOURS, "custom_css": "h2 { color: #333333 }"}, follow=True
    )
    assert response.status_code == 400
    body = _text(response)
    assert message in body
    assert UPGRADE_LINK in body
    after = _draft(tenant_a)
    assert (after.custom_css, after.primary) == ("", "#1d4e89")


def test_custom_css_saved_on_a_bigger_plan_is_kept_not_wiped_when_a_downgraded_site_saves(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("partnership")
    as_admin.post("/manage/theme/", {**COLOURS, "custom_css": "h2 { color: #333333 }"})
    assert _draft(tenant_a).custom_css == "#main :is(h2) { color: #333333; }"

    on_plan("community")
    # The switched-off field is not sent by the browser; the rest of the theme saves.
    response = as_admin.post("/manage/theme/", {**COLOURS, "primary": "#1d4e89"}, follow=True)
    assert "Draft saved." in _text(response)
    draft = _draft(tenant_a)
    assert (draft.primary, draft.custom_css) == ("#1d4e89", "#main :is(h2) { color: #333333; }")


# Removing the platform branding

BRANDING_MESSAGE = (
    "Removing the Townsquare branding is not included in the Community plan. Upgrade to the "
    "Partnership plan to use it."
)


def test_hiding_the_branding_is_refused_on_a_plan_without_it(
    on_plan: Callable[[str], Tenant],
    tenant_a: Tenant,
    as_admin: Client,
    client_for: Callable[..., Client],
) -> None:
    on_plan("community")
    editor = _text(as_admin.get("/manage/theme/"))
    assert f"{BRANDING_MESSAGE} {UPGRADE_LINK}" in editor
    assert " disabled" in _tag(editor, "hide_branding")

    response = as_admin.post("/manage/theme/", {**COLOURS, "hide_branding": "on"})

    assert response.status_code == 400
    body = _text(response)
    assert BRANDING_MESSAGE in body
    assert UPGRADE_LINK in body
    assert _draft(tenant_a).hide_branding is False
    assert "Powered by Townsquare" in _text(client_for(tenant_a).get("/"))


def test_the_branding_is_hidden_when_published_and_back_after_a_downgrade(
    on_plan: Callable[[str], Tenant],
    tenant_a: Tenant,
    as_admin: Client,
    client_for: Callable[..., Client],
) -> None:
    on_plan("partnership")
    visitor = client_for(tenant_a)
    as_admin.post("/manage/theme/", {**COLOURS, "hide_branding": "on"})
    # A draft: residents still see the line until it is published.
    assert "Powered by Townsquare" in _text(visitor.get("/"))

    as_admin.post("/manage/theme/publish/")
    footer = _text(visitor.get("/"))
    assert "Powered by Townsquare" not in footer
    assert f"<p>{tenant_a.name}</p>" in footer

    # Checked as the page is drawn: a plan without it shows the line again.
    on_plan("community")
    assert "Powered by Townsquare" in _text(visitor.get("/"))


# Custom domain (staff console)


def _console_change(tenant: Tenant, *, plan: str, domain: str) -> dict[str, str]:
    return {
        "name": tenant.name,
        "plan": plan,
        "domains-TOTAL_FORMS": "1",
        "domains-INITIAL_FORMS": "0",
        "domains-0-domain": domain,
        "exports-TOTAL_FORMS": "0",
        "exports-INITIAL_FORMS": "0",
    }


def test_staff_cannot_add_a_domain_for_a_site_whose_plan_lacks_it(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, platform_staff: Client
) -> None:
    on_plan("community")

    response = platform_staff.post(
        f"/staff/tenants/tenant/{tenant_a.pk}/change/",
        _console_change(tenant_a, plan="community", domain="voices.example.org"),
    )

    assert response.status_code == 200
    body = _text(response)
    assert (
        "Using your own domain name is not included in the Community plan. Upgrade to the "
        "Partnership plan to use it."
    ) in body
    # The console is on the central site: the link goes to the tenant's own billing page.
    upgrade = f"{tenant_base_url(tenant=tenant_a)}/manage/billing/"
    assert f'<a href="{upgrade}">{upgrade}</a>' in body
    assert not Domain.objects.filter(domain="voices.example.org").exists()


def test_staff_add_a_domain_for_a_site_on_a_plan_with_it_in_the_form_hosts_are_matched_in(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, platform_staff: Client
) -> None:
    on_plan("partnership")

    response = platform_staff.post(
        f"/staff/tenants/tenant/{tenant_a.pk}/change/",
        _console_change(tenant_a, plan="partnership", domain="WWW.Voices.Example.org."),
    )

    assert response.status_code == 302
    domain = Domain.objects.get(domain="voices.example.org")
    assert (domain.tenant_id, domain.is_primary) == (tenant_a.pk, False)


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("https://voices.example.org/x", HOST_MESSAGE),
        ("voices", HOST_MESSAGE),
        ("-bad-.example.org", HOST_MESSAGE),
        ("a..example.org", HOST_MESSAGE),
        ("192.0.2.10", "Enter a host name, not an IP address."),
        ("beta.{root}", "Addresses under {root} are Townsquare's own"),
    ],
)
def test_a_domain_that_cannot_be_an_organisations_own_is_refused(
    on_plan: Callable[[str], Tenant], host: str, problem: str, settings: Any
) -> None:
    partnership = on_plan("partnership")
    root = settings.ROOT_DOMAIN
    with pytest.raises(ValidationError) as refused:
        domain_add(tenant=partnership, domain=host.format(root=root))
    assert not isinstance(refused.value, PlanLimitError)
    assert refused.value.messages[0].startswith(problem.format(root=root))
    assert Domain.objects.filter(tenant=partnership).count() == 1


def test_an_international_domain_is_kept_in_its_ascii_form(
    on_plan: Callable[[str], Tenant],
) -> None:
    domain = domain_add(tenant=on_plan("partnership"), domain="Bücher.Example")
    assert domain.domain == "xn--bcher-kva.example"


def test_domain_add_refuses_a_plan_without_custom_domains(
    on_plan: Callable[[str], Tenant],
) -> None:
    trial = on_plan("trial")
    with pytest.raises(PlanLimitError) as refused:
        domain_add(tenant=trial, domain="voices.example.org")
    assert refused.value.upgrade is PARTNERSHIP
    assert not Domain.objects.filter(domain="voices.example.org").exists()


# Export formats


@pytest.fixture
def answered_question(tenant_a: Tenant) -> DemographicQuestion:
    """A question whose text and one answer start like spreadsheet formulas."""
    with tenant_context(tenant_a):
        DemographicQuestion.objects.all().delete()
        question = DemographicQuestion.objects.create(
            text="=1+1 Which borough?", choices="Knowsley\n@Sefton"
        )
        for n in range(5):
            DemographicAnswer.objects.create(
                user=UserFactory.create(username=f"PlanKnowsley{n}"),
                question=question,
                answer="Knowsley",
            )
        DemographicAnswer.objects.create(
            user=UserFactory.create(username="PlanSefton"), question=question, answer="@Sefton"
        )
    return question


@pytest.mark.usefixtures("answered_question")
def test_an_xlsx_download_is_refused_on_a_plan_with_csv_only(
    on_plan: Callable[[str], Tenant],
    tenant_a: Tenant,
    as_admin: Client,
    client_as: Callable[..., Client],
) -> None:
    on_plan("trial")
    message = "XLSX exports are not included in the Free trial plan. Upgrade to the Community "
    message += "plan to use it."

    response = as_admin.get("/manage/insights/demographics/?format=xlsx")

    assert response.status_code == 403
    assert "Content-Disposition" not in response
    assert response["Content-Type"].startswith("text/html")
    body = _text(response)
    assert message in body
    assert UPGRADE_LINK in body
    # An analyst sees the same, told to ask an admin.
    with tenant_context(tenant_a):
        analyst = UserFactory.create(username="PlanAnalyst", role=User.Role.ANALYST)
    analyst_body = _text(
        client_as(tenant_a, analyst).get("/manage/insights/demographics/?format=xlsx")
    )
    assert f"{message} Ask an admin to upgrade." in analyst_body


@pytest.mark.usefixtures("answered_question")
def test_csv_downloads_on_every_plan_with_the_pages_groups_only_and_formulas_defused(
    on_plan: Callable[[str], Tenant], as_admin: Client
) -> None:
    on_plan("trial")
    response = as_admin.get("/manage/insights/demographics/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="who-took-part-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Question", "Answer", "Residents"]
    assert ["'=1+1 Which borough?", "Knowsley", "5"] in rows
    # A group smaller than five is never counted, in the file as on the page.
    assert ["'=1+1 Which borough?", "'@Sefton", "fewer than 5"] in rows


@pytest.mark.usefixtures("answered_question")
def test_xlsx_downloads_on_a_plan_that_includes_it(
    on_plan: Callable[[str], Tenant], as_admin: Client
) -> None:
    on_plan("community")
    page = _text(as_admin.get("/manage/insights/demographics/"))
    assert '<a href="?format=xlsx" download>' in page

    response = as_admin.get("/manage/insights/demographics/?format=xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Question", "Answer", "Residents"]
    assert ["'=1+1 Which borough?", "Knowsley", 5] in rows
    assert ["'=1+1 Which borough?", "'@Sefton", "fewer than 5"] in rows
    # The formula-like text is a plain string cell, not a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_unknown_format_is_not_found(as_admin: Client) -> None:
    assert as_admin.get("/manage/insights/demographics/?format=pdf").status_code == 404


# The check itself


@pytest.mark.parametrize(
    ("feature", "kwargs", "message"),
    [
        (Feature.OPEN_DIALOGUES, {"in_use": 1}, OPEN_LIMIT_ON_TRIAL),
        (Feature.STAFF_SEATS, {"in_use": 3}, SEAT_LIMIT_ON_TRIAL),
        (
            Feature.API_ACCESS,
            {},
            "The REST API is not included in the Free trial plan. Upgrade to the Community "
            "plan to use it.",
        ),
        (
            Feature.CUSTOM_CSS,
            {},
            "Custom CSS is not included in the Free trial plan. Upgrade to the Partnership "
            "plan to use it.",
        ),
        (
            Feature.CUSTOM_DOMAIN,
            {},
            "Using your own domain name is not included in the Free trial plan. Upgrade to the "
            "Partnership plan to use it.",
        ),
        (
            Feature.REMOVE_BRANDING,
            {},
            "Removing the Townsquare branding is not included in the Free trial plan. Upgrade "
            "to the Partnership plan to use it.",
        ),
        (
            Feature.EXPORT_FORMAT,
            {"value": "xlsx"},
            "XLSX exports are not included in the Free trial plan. Upgrade to the Community "
            "plan to use it.",
        ),
    ],
)
def test_each_refusal_on_the_trial_names_the_cheapest_plan_that_allows_it(
    feature: Feature, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(PlanLimitError) as refused:
        entitlement_check(feature, plan=TRIAL, **kwargs)
    assert refused.value.message == message
    assert refused.value.code == "plan_limit"
    assert refused.value.upgrade_url == "/manage/billing/"


def test_below_the_limit_or_on_a_plan_with_the_feature_nothing_is_refused() -> None:
    entitlement_check(Feature.OPEN_DIALOGUES, plan=TRIAL, in_use=0)
    entitlement_check(Feature.STAFF_SEATS, plan=COMMUNITY, in_use=9)
    entitlement_check(Feature.OPEN_DIALOGUES, plan=PARTNERSHIP, in_use=10_000)
    entitlement_check(Feature.EXPORT_FORMAT, plan=COMMUNITY, value="XLSX")
    entitlement_check(Feature.CUSTOM_DOMAIN, plan=PARTNERSHIP)


def test_a_format_no_plan_offers_is_refused_without_an_upgrade() -> None:
    with pytest.raises(PlanLimitError) as refused:
        entitlement_check(Feature.EXPORT_FORMAT, plan=PARTNERSHIP, value="pdf")
    assert refused.value.upgrade is None
    assert refused.value.message == "PDF exports are not included in the Partnership plan."


def test_the_current_plan_is_read_for_a_schema_set_without_its_tenant(
    on_plan: Callable[[str], Tenant],
) -> None:
    """Management commands and the shell use schema_context, which knows a schema name only."""
    on_plan("community")
    with schema_context("alpha"):
        assert current_plan() is COMMUNITY


def test_a_downgrade_lists_what_to_change_first() -> None:
    usage = Usage(
        open_dialogues=5,
        staff_seats=12,
        custom_css=True,
        custom_domains=1,
        branding_removed=True,
    )
    assert downgrade_problems(TRIAL, usage) == [
        "Close 4 of your 5 open dialogues: the Free trial plan allows 1.",
        "Remove 9 of your 12 staff seats: the Free trial plan allows 3.",
        "Remove your custom CSS from the theme: the Free trial plan does not include it.",
        "Ask us to remove your own domain name: the Free trial plan does not include it.",
        "Show the Townsquare branding again in the theme: the Free trial plan does not "
        "include removing it.",
    ]
    assert downgrade_problems(COMMUNITY, Usage(open_dialogues=3, staff_seats=10)) == []
    assert downgrade_problems(PARTNERSHIP, usage) == []


@pytest.mark.usefixtures("three_seats_taken")
def test_withdrawing_a_pending_invitation_frees_its_seat(
    on_plan: Callable[[str], Tenant], tenant_a: Tenant, as_admin: Client
) -> None:
    on_plan("trial")
    with tenant_context(tenant_a):
        pending = StaffInvitation.objects.get(email="pending@example.org")
    staff_page = _text(as_admin.get("/manage/staff/"))
    assert "Withdraw" in staff_page
    withdrawn = as_admin.post(f"/manage/invitations/{pending.pk}/withdraw/", follow=True)
    assert "The invitation to pending@example.org was withdrawn." in _text(withdrawn)
    response = as_admin.post(
        "/manage/staff/", {"email": "new@example.org", "role": "moderator"}, follow=True
    )
    assert "Invitation sent to new@example.org." in _text(response)
    with tenant_context(tenant_a):
        assert not StaffInvitation.objects.filter(email="pending@example.org").exists()
