"""The plan catalogue: the one place that says what each plan costs and allows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Plan:
    key: str
    name: str
    monthly_price_pence: int
    # None means no limit.
    max_open_dialogues: int | None
    max_staff_seats: int | None
    api_access: bool
    custom_css: bool
    custom_domain: bool
    remove_branding: bool
    export_formats: tuple[str, ...] = field(default=("csv",))
    # Stripe finds the plan's price by this lookup key unless STRIPE_PRICE_<KEY> names one.
    lookup_key: str = ""

    @property
    def paid(self) -> bool:
        return self.monthly_price_pence > 0

    @property
    def price_text(self) -> str:
        if not self.monthly_price_pence:
            return "Free for 30 days"
        return f"{money_text(self.monthly_price_pence)} a month"

    @property
    def features(self) -> list[str]:
        """What the pricing page lists, derived from the entitlements themselves."""
        shared = [
            "Your own subdomain and branding",
            "Moderation and safeguarding tools",
            _counted(self.max_open_dialogues, "open dialogue"),
            _counted(self.max_staff_seats, "staff seat"),
            "Exports: " + ", ".join(f.upper() for f in self.export_formats),
        ]
        if self.api_access:
            shared.append("REST API")
        if self.custom_css:
            shared.append("Custom CSS")
        if self.custom_domain:
            shared.append("Your own domain name")
        if self.remove_branding:
            shared.append("No Townsquare branding")
        return shared


def money_text(pence: int) -> str:
    """£99 or £99.50: pounds, with pence only when there are some."""
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}.{rest:02d}" if rest else f"£{pounds:,}"


def _counted(limit: int | None, noun: str) -> str:
    if limit is None:
        return f"Unlimited {noun}s"
    return f"{limit} {noun}{'s' if limit != 1 else ''}"


TRIAL = Plan(
    key="trial",
    name="Free trial",
    monthly_price_pence=0,
    max_open_dialogues=1,
    max_staff_seats=3,
    api_access=False,
    custom_css=False,
    custom_domain=False,
    remove_branding=False,
)
COMMUNITY = Plan(
    key="community",
    name="Community",
    monthly_price_pence=9900,
    max_open_dialogues=3,
    max_staff_seats=10,
    api_access=True,
    custom_css=False,
    custom_domain=False,
    remove_branding=False,
    export_formats=("csv", "xlsx"),
    lookup_key="townsquare_community_monthly",
)
PARTNERSHIP = Plan(
    key="partnership",
    name="Partnership",
    monthly_price_pence=29900,
    max_open_dialogues=None,
    max_staff_seats=None,
    api_access=True,
    custom_css=True,
    custom_domain=True,
    remove_branding=True,
    export_formats=("csv", "xlsx"),
    lookup_key="townsquare_partnership_monthly",
)

# Cheapest first: "the plan that allows it" is the first one here that does.
PLANS: tuple[Plan, ...] = (TRIAL, COMMUNITY, PARTNERSHIP)
PAID_PLANS: tuple[Plan, ...] = tuple(plan for plan in PLANS if plan.paid)
PLAN_CHOICES: list[tuple[str, str]] = [(plan.key, plan.name) for plan in PLANS]


def plan_get(key: str) -> Plan:
    for plan in PLANS:
        if plan.key == key:
            return plan
    raise KeyError(key)
