"""The admin area as an application: each role's menu holds only pages it may open, the home
page says what to do next, and staff land there when they sign in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue, Idea
from moderation.models import SafeguardingConcern, Visibility
from sitesettings.models import Signpost
from tenants.models import Tenant
from tests.factories import PASSWORD, DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_ROLES = [role for role in User.Role.values if role]


class _Links(HTMLParser):
    """The hrefs inside one element (found by a class), in page order."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class, self.depth = css_class, 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or self.css_class in classes:
            self.depth += 1
        if self.depth and tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1


class _Checklist(HTMLParser):
    """Each item of the home page's getting-started list: done or not, its words, its link."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.items = False, []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "ol" and "checklist" in (found.get("class") or "").split():
            self.inside = True
        elif self.inside and tag == "li":
            done = "is-done" in (found.get("class") or "").split()
            self.items.append({"done": done, "text": "", "links": []})
        elif self.inside and tag == "a" and self.items:
            self.items[-1]["links"].append(found.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "ol":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.items:
            self.items[-1]["text"] += data


def checklist(html: str) -> dict[str, dict[str, Any]]:
    """The steps by title (the words before their explanation)."""
    parser = _Checklist()
    parser.feed(html)
    return {" ".join(item["text"].split()).split(" (")[0]: item for item in parser.items}


def links_in(html: str, css_class: str) -> list[str]:
    parser = _Links(css_class)
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_link_a_role_is_offered_opens(role: str, as_role: Callable[[str], Client]) -> None:
    """Every page the rail and header offer, and every admin link on those pages (the home
    page's checklist and attention list, tabs, the audit log...), opens for that role."""
    client = as_role(role)
    home = client.get("/manage/")
    assert home.status_code == 200
    page = home.content.decode()
    offered = links_in(page, "manage-rail") + links_in(page, "site-header")
    assert "/manage/" in offered
    seen: set[str] = set()
    for href in offered:
        if not href.startswith("/") or href in seen:
            continue
        seen.add(href)
        answer = client.get(href)
        assert answer.status_code == 200, f"{role} is offered {href}: {answer.status_code}"
        for inner in links_in(answer.content.decode(), "manage-main"):
            path = inner.split("#")[0]
            if not path.startswith("/manage/") or path in seen:
                continue
            seen.add(path)
            status = client.get(path).status_code
            assert status in (200, 302), f"{role} finds {path} on {href}: {status}"
    assert len(seen) > 3


def test_each_role_sees_only_its_own_part_of_the_menu(as_role: Callable[[str], Client]) -> None:
    def rail(role: str) -> set[str]:
        return set(links_in(as_role(role).get("/manage/").content.decode(), "manage-rail"))

    admin, moderator, lead, analyst, youth = (
        rail(r) for r in ("admin", "moderator", "safeguarding", "analyst", "youth_worker")
    )
    assert {"/manage/billing/", "/manage/theme/", "/manage/staff/"} <= admin
    assert "/manage/safeguarding/" not in admin  # concerns are for leads alone
    assert "/manage/safeguarding/" in lead
    assert "/manage/moderation/" in lead
    assert "/manage/billing/" not in moderator
    assert "/manage/moderation/" in moderator
    assert "/manage/insights/" in analyst
    assert "/manage/moderation/" not in analyst
    assert youth == {"/manage/", "/manage/codes/", "/manage/style/"}


def test_the_current_page_is_marked_in_the_menu(as_role: Callable[[str], Client]) -> None:
    page = as_role("admin").get("/manage/moderation/audit/").content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page"', page)
    assert current == ["/manage/moderation/"]


def test_counts_in_the_menu_follow_the_role(
    as_role: Callable[[str], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        held = IdeaFactory.create(dialogue=dialogue, visibility=Visibility.HELD)
        Idea.objects.filter(pk=held.pk).update(held_at=timezone.now())
        concern = SafeguardingConcern.objects.create(
            idea=held, category=SafeguardingConcern.Category.values[0], message="Worried"
        )
    try:
        moderator = as_role("moderator").get("/manage/").content.decode()
        lead = as_role("safeguarding").get("/manage/").content.decode()
        assert "Safeguarding concerns to handle" not in moderator
        assert re.search(
            r"Posts waiting for a moderator</span><span class=\"count-badge\">\d+", moderator
        )
        assert re.search(
            r"Safeguarding concerns to handle</span><span class=\"count-badge\">[1-9]", lead
        )
    finally:
        with tenant_context(tenant_a):
            concern.delete()
            held.delete()
            dialogue.delete()


def test_the_getting_started_checklist_follows_what_is_done(
    client_for: Callable[..., Client], tenant_b: Tenant
) -> None:
    with tenant_context(tenant_b):
        admin = UserFactory.create(role="admin")
        saved = list(Dialogue.objects.values_list("pk", "state"))
        Dialogue.objects.update(state=Dialogue.State.DRAFT)
        Signpost.objects.all().delete()
    client = client_for(tenant_b)
    with tenant_context(tenant_b):
        client.force_login(admin)
    try:
        before = checklist(client.get("/manage/").content.decode())
        assert before["Add helplines"]["done"] is False
        assert before["Add helplines"]["links"] == ["/manage/helplines/"]
        assert before["Open a dialogue"]["done"] is False
        assert before["Open a dialogue"]["links"] == ["/manage/dialogues/"]
        assert before["Write your first dialogue"]["done"] is True
        assert before["Write your first dialogue"]["links"] == []
        with tenant_context(tenant_b):
            Signpost.objects.create(name="Childline", description="Help", phone="0800 1111")
            Dialogue.objects.filter(pk=saved[0][0]).update(state=Dialogue.State.OPEN)
        after = checklist(client.get("/manage/").content.decode())
        assert after["Add helplines"]["done"] is True
        assert after["Open a dialogue"]["done"] is True
        assert after["Add helplines"]["links"] == []
    finally:
        with tenant_context(tenant_b):
            Signpost.objects.all().delete()
            for pk, state in saved:
                Dialogue.objects.filter(pk=pk).update(state=state)


def test_roles_that_do_not_set_the_site_up_get_no_checklist(
    as_role: Callable[[str], Client],
) -> None:
    for role in ("moderator", "safeguarding", "analyst", "youth_worker"):
        page = as_role(role).get("/manage/").content.decode()
        assert checklist(page) == {}
        assert "Getting started" not in page


def test_the_moderation_page_says_durations_in_words(
    as_role: Callable[[str], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        idea = IdeaFactory.create(dialogue=dialogue)
        now = timezone.now()
        Idea.objects.filter(pk=idea.pk).update(
            held_at=now - timedelta(minutes=3, seconds=19), reviewed_at=now
        )
    try:
        page = as_role("moderator").get("/manage/moderation/").content.decode()
        median = re.search(r"Median time to first review over 30 days: ([^.<]+)\.", page)
        assert median is not None
        assert re.fullmatch(
            r"(under a minute|\d+ (minute|hour|day)s?( \d+ (minute|hour)s?)?)", median.group(1)
        )
    finally:
        with tenant_context(tenant_a):
            dialogue.delete()


def test_the_dialogue_list_sorts_by_any_column(
    as_role: Callable[[str], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        first = DialogueFactory.create(title="Aardvark crossing")
        last = DialogueFactory.create(title="Zebra crossing")
    try:
        client = as_role("admin")
        ascending = client.get("/manage/dialogues/?sort=title").content.decode()
        descending = client.get("/manage/dialogues/?sort=-title").content.decode()
        assert ascending.index("Aardvark crossing") < ascending.index("Zebra crossing")
        assert descending.index("Zebra crossing") < descending.index("Aardvark crossing")
        assert 'aria-sort="ascending"' in ascending
        assert 'aria-sort="descending"' in descending
        # An unknown column is ignored, not an error.
        assert client.get("/manage/dialogues/?sort=password").status_code == 200
    finally:
        with tenant_context(tenant_a):
            first.delete()
            last.delete()


def test_staff_land_in_the_admin_area_and_residents_on_the_home_page(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        moderator = UserFactory.create(role="moderator", verified=True)
        resident = UserFactory.create(verified=True)
    for user, landing in ((moderator, "/manage/"), (resident, "/")):
        client = client_for(tenant_a)
        answer = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
        assert answer.status_code == 302
        assert answer["Location"] == landing
    asked = client_for(tenant_a).post(
        "/accounts/login/?next=/notifications/",
        {"login": moderator.username, "password": PASSWORD},
    )
    assert asked["Location"] == "/notifications/"


def test_the_style_page_shows_every_component(as_role: Callable[[str], Client]) -> None:
    page = as_role("youth_worker").get("/manage/style/").content.decode()
    classes = set()
    for value in re.findall(r'class="([^"]+)"', page):
        classes.update(value.split())
    for component in (
        "button", "button--secondary", "button--danger", "field__hint", "field__error",
        "card", "card--media", "badge", "state", "status", "tabs", "table--sortable",
        "pagination", "notice--warning", "empty-state", "star-input", "star-rating",
        "avatar", "timeline", "icon--star", "swatch--primary", "space-sample",
    ):  # fmt: skip
        assert component in classes, component
    # Every vendored icon is drawn, so a broken one shows here first.
    assert page.count('class="icon icon--') >= 80
