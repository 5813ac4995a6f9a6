"""The plan catalogue: the one place that says what each plan costs and allows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Plan:
    key: str
    name: str
    monthly_price_pence: int
    max_open_dialogues: int | None
    custom_css: bool
    api_access: bool

    @property
    def price_text(self) -> str:
        if not self.monthly_price_pence:
            return "Free for 30 days"
        pounds, pence = divmod(self.monthly_price_pence, 100)
        return f"£{pounds}.{pence:02d} a month" if pence else f"£{pounds} a month"

    @property
    def features(self) -> list[str]:
        """What the pricing page lists, derived from the entitlements themselves."""
        count = self.max_open_dialogues
        if count is None:
            dialogues = "Unlimited open dialogues"
        else:
            dialogues = f"{count} open dialogue{'s' if count != 1 else ''}"
        shared = ["Your own subdomain and branding", "Moderation and safeguarding tools", dialogues]
        if self.api_access:
            shared.append("REST API")
        if self.custom_css:
            shared.append("Custom CSS")
        return shared


TRIAL = Plan(
    key="trial",
    name="Free trial",
    monthly_price_pence=0,
    max_open_dialogues=1,
    custom_css=False,
    api_access=False,
)
COMMUNITY = Plan(
    key="community",
    name="Community",
    monthly_price_pence=9900,
    max_open_dialogues=3,
    custom_css=False,
    api_access=True,
)
PARTNERSHIP = Plan(
    key="partnership",
    name="Partnership",
    monthly_price_pence=29900,
    max_open_dialogues=None,
    custom_css=True,
    api_access=True,
)

PLANS: tuple[Plan, ...] = (TRIAL, COMMUNITY, PARTNERSHIP)
PLAN_CHOICES: list[tuple[str, str]] = [(plan.key, plan.name) for plan in PLANS]


def plan_get(key: str) -> Plan:
    for plan in PLANS:
        if plan.key == key:
            return plan
    raise KeyError(key)
