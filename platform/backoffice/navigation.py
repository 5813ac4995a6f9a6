"""The admin area's menu: built from the views' own capability checks, so a role is never
offered a page it would be refused."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest
from django.urls import NoReverseMatch, resolve, reverse

from accounts.roles import Capability, user_can
from backoffice.selectors import waiting_counts


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    # A count shown beside the label (the moderation queue, open concerns), by key.
    count_key: str = ""


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    icon: str
    current: bool
    count: int


@dataclass(frozen=True)
class NavSection:
    heading: str
    links: list[NavLink]


SECTIONS: list[tuple[str, list[NavItem]]] = [
    ("Overview", [NavItem("Home", "backoffice:dashboard", "house")]),
    (
        "Conversation",
        [
            NavItem("Dialogues", "backoffice:dialogues", "messages-square"),
            NavItem(
                "Awaiting a response", "backoffice:awaiting", "message-circle-reply", "awaiting"
            ),
            NavItem("Moderation", "backoffice:moderation", "shield", "held"),
            NavItem("Safeguarding", "backoffice:safeguarding", "shield-alert", "concerns"),
            NavItem("In-person sessions", "backoffice:gatherings", "presentation"),
        ],
    ),
    (
        "People",
        [
            NavItem("Staff", "backoffice:staff", "users"),
            NavItem("Join codes", "backoffice:codes", "ticket"),
            NavItem("Sign-up questions", "backoffice:questions", "clipboard-list"),
        ],
    ),
    (
        "Insight",
        [
            NavItem("Insights", "insights:dashboard", "chart-column"),
            NavItem("Themes", "insights:themes", "layers"),
            NavItem("Exports", "insights:exports", "file-down"),
            NavItem("Who took part", "backoffice:demographics", "user"),
        ],
    ),
    (
        "Site",
        [
            NavItem("Look and pages", "themes:editor", "palette"),
            NavItem("Helplines", "backoffice:signposts", "life-buoy"),
            NavItem("Settings", "backoffice:settings", "settings"),
            NavItem("Billing", "billing:overview", "credit-card"),
            NavItem("Addresses", "domains:list", "globe"),
            NavItem("Webhooks", "webhooks:endpoints", "link"),
            NavItem("Style guide", "backoffice:style", "brush"),
        ],
    ),
]


@cache
def _capability_of(url_name: str, urlconf: str) -> tuple[str, Capability | None]:
    """The page's path and the capability its view checks, None meaning any staff role, as
    capability_required reads it (resolved once per URLconf)."""
    path = reverse(url_name, urlconf=urlconf)
    view = resolve(path, urlconf=urlconf).func
    if not getattr(view, "staff_only", False):
        raise NoReverseMatch(f"{url_name} is not an admin page behind capability_required")
    capability: Capability | None = getattr(view, "required_capability", None)
    return path, capability


def may_open(*, user: object, capability: Capability | None) -> bool:
    """The same rule as capability_required: None lets any staff role in."""
    if capability is None:
        return bool(getattr(user, "is_tenant_staff", False))
    return user_can(user, capability)


def _urlconf(request: HttpRequest) -> str:
    return str(getattr(request, "urlconf", None) or "townsquare.urls_tenant")


def link_allowed(*, request: HttpRequest, url_name: str) -> bool:
    """Whether the signed-in person may open this admin page: links are only ever offered
    when it is so."""
    _, capability = _capability_of(url_name, _urlconf(request))
    return may_open(user=request.user, capability=capability)


def waiting_counts_of(request: HttpRequest) -> dict[str, int]:
    """Counted once per request: the rail and the home page show the same numbers."""
    counts: dict[str, int] | None = getattr(request, "_waiting_counts", None)
    if counts is None:
        counts = waiting_counts(user=request.user)
        request._waiting_counts = counts  # type: ignore[attr-defined]
    return counts


def nav_for(*, request: HttpRequest, counts: dict[str, int] | None = None) -> list[NavSection]:
    """The sections and links this person may open, the current page marked."""
    urlconf = _urlconf(request)
    user = request.user
    allowed: list[tuple[str, list[tuple[NavItem, str]]]] = []
    for heading, items in SECTIONS:
        links = []
        for item in items:
            path, capability = _capability_of(item.url_name, urlconf)
            if may_open(user=user, capability=capability):
                links.append((item, path))
        if links:
            allowed.append((heading, links))
    # The current page is the longest path that starts the request's path ("Home" only exactly).
    paths = [path for _, links in allowed for _, path in links]
    current = max(
        (
            p
            for p in paths
            if request.path == p or (p.count("/") > 2 and request.path.startswith(p))
        ),
        key=len,
        default="",
    )
    counts = counts or {}
    return [
        NavSection(
            heading,
            [
                NavLink(item.label, path, item.icon, path == current, counts.get(item.count_key, 0))
                for item, path in links
            ],
        )
        for heading, links in allowed
    ]
