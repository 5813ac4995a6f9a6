"""What each staff role may do on its tenant's site; every staff view checks one capability."""

from __future__ import annotations

from enum import StrEnum

from accounts.models import User


class Capability(StrEnum):
    MANAGE_DIALOGUES = "manage_dialogues"
    RESPOND = "respond"
    INVITE_STAFF = "invite_staff"
    MODERATE = "moderate"
    SAFEGUARD = "safeguard"
    VIEW_INSIGHTS = "view_insights"
    ISSUE_CODES = "issue_codes"
    MANAGE_THEME = "manage_theme"
    MANAGE_BILLING = "manage_billing"
    # Entering what a group said at an in-person session, on its behalf.
    RECORD_GATHERINGS = "record_gatherings"
    # Outgoing webhooks to the organisation's own systems.
    MANAGE_INTEGRATIONS = "manage_integrations"
    # The site's addresses: the organisation's own domain.
    MANAGE_DOMAINS = "manage_domains"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    User.Role.ADMIN: frozenset(
        {
            Capability.MANAGE_DIALOGUES,
            Capability.RESPOND,
            Capability.INVITE_STAFF,
            Capability.MODERATE,
            Capability.VIEW_INSIGHTS,
            Capability.ISSUE_CODES,
            Capability.MANAGE_THEME,
            Capability.MANAGE_BILLING,
            Capability.RECORD_GATHERINGS,
            Capability.MANAGE_INTEGRATIONS,
            Capability.MANAGE_DOMAINS,
        }
    ),
    User.Role.MODERATOR: frozenset(
        {Capability.MODERATE, Capability.ISSUE_CODES, Capability.RECORD_GATHERINGS}
    ),
    # Safeguarding concerns are seen by leads only, not by admins.
    User.Role.SAFEGUARDING: frozenset({Capability.SAFEGUARD, Capability.MODERATE}),
    User.Role.ANALYST: frozenset({Capability.VIEW_INSIGHTS}),
    # A youth worker an admin authorises: issues join codes for their sessions, nothing else.
    User.Role.YOUTH_WORKER: frozenset({Capability.ISSUE_CODES}),
    User.Role.RESIDENT: frozenset(),
}


def user_can(user: object, capability: Capability) -> bool:
    if not isinstance(user, User) or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())
