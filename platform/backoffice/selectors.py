"""Reads for the admin area's home: the site's figures, the first-run checklist, what waits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import StaffInvitation, User
from accounts.roles import Capability, user_can
from dialogues import selectors as dialogue_selectors
from dialogues.models import Dialogue, Rating
from moderation.selectors import safeguarding_open_count
from sitesettings.models import Signpost
from themes.models import ThemeVersion


@dataclass(frozen=True)
class Figure:
    label: str
    value: int


@dataclass(frozen=True)
class Step:
    title: str
    explanation: str
    url_name: str
    action: str
    done: bool
    # Whether this person may open the step's page; set by the view, which knows the request.
    linkable: bool = True


@dataclass(frozen=True)
class Attention:
    label: str
    url_name: str
    icon: str
    count: int


def site_figures() -> list[Figure]:
    """What residents have done, as they see it: public, not withdrawn."""
    ideas = dialogue_selectors.ideas_listed()
    return [
        Figure("open dialogues", Dialogue.objects.filter(state=Dialogue.State.OPEN).count()),
        Figure("ideas", ideas.count()),
        Figure("comments", dialogue_selectors.comments_visible().count()),
        Figure("ratings", Rating.objects.filter(idea__in=ideas).count()),
        Figure("residents", User.objects.filter(role=User.Role.RESIDENT, is_active=True).count()),
    ]


def setup_steps() -> list[Step]:
    """The five things a new site needs before it opens, in the order they are best done."""
    now = timezone.now()
    staff = User.objects.exclude(role=User.Role.RESIDENT).filter(is_active=True).count()
    invited = StaffInvitation.objects.filter(accepted_at__isnull=True, expires_at__gt=now).exists()
    return [
        Step(
            "Make it look like yours",
            "Your colours, logo and welcome text, published for residents.",
            "themes:editor",
            "Open the theme editor",
            ThemeVersion.objects.exists(),
        ),
        Step(
            "Write your first dialogue",
            "The question you want residents to talk about, and why it matters.",
            "backoffice:dialogue_new",
            "Start a dialogue",
            Dialogue.objects.exists(),
        ),
        Step(
            "Add helplines",
            "Where people can get help, shown beside every conversation.",
            "backoffice:signposts",
            "Add a helpline",
            Signpost.objects.exists(),
        ),
        Step(
            "Invite your team",
            "Moderators, a safeguarding lead and colleagues who will answer.",
            "backoffice:staff",
            "Invite staff",
            staff > 1 or invited,
        ),
        Step(
            "Open a dialogue",
            "Residents can post once a dialogue is open.",
            "backoffice:dialogues",
            "Choose one to open",
            Dialogue.objects.exclude(state=Dialogue.State.DRAFT).exists(),
        ),
    ]


def waiting_counts(*, user: object) -> dict[str, int]:
    """What waits for this role, counted: a moderator never learns how many concerns there
    are, an analyst nothing at all."""
    counts: dict[str, int] = {}
    if user_can(user, Capability.SAFEGUARD):
        counts["concerns"] = safeguarding_open_count()
    if user_can(user, Capability.MODERATE):
        counts["held"] = dialogue_selectors.queue_count()
    if user_can(user, Capability.RESPOND):
        counts["awaiting"] = dialogue_selectors.ideas_awaiting_response_count()
    return counts


ATTENTION = [
    ("concerns", "Safeguarding concerns to handle", "backoffice:safeguarding", "shield-alert"),
    ("held", "Posts waiting for a moderator", "backoffice:moderation", "shield"),
    ("awaiting", "Ideas awaiting a response", "backoffice:awaiting", "message-circle-reply"),
]


def attention_from(*, counts: dict[str, int]) -> list[Attention]:
    """The home page's list of what waits, from waiting_counts (the rail shows the same)."""
    return [
        Attention(label, url_name, icon, counts[key])
        for key, label, url_name, icon in ATTENTION
        if key in counts
    ]


def dialogues_closing_soon(*, days: int = 7) -> list[Dialogue]:
    """Open dialogues whose closing time falls within the next days, soonest first."""
    now = timezone.now()
    return list(
        Dialogue.objects.filter(
            state=Dialogue.State.OPEN, closes_at__gt=now, closes_at__lte=now + timedelta(days=days)
        ).order_by("closes_at")[:5]
    )


def dialogues_recent(*, limit: int = 5) -> list[Dialogue]:
    """The newest dialogues, drafts included: where an admin picks up their work."""
    return list(Dialogue.objects.order_by("-created_at")[:limit])
