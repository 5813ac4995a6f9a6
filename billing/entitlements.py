"""What a tenant's plan allows: one check, used wherever a tenant would go past its plan."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from billing.plans import PLANS, TRIAL, Plan, plan_get


class Feature(StrEnum):
    OPEN_DIALOGUES = "open_dialogues"
    STAFF_SEATS = "staff_seats"
    API_ACCESS = "api_access"
    CUSTOM_CSS = "custom_css"
    CUSTOM_DOMAIN = "custom_domain"
    REMOVE_BRANDING = "remove_branding"
    EXPORT_FORMAT = "export_format"


# What each feature is called in a sentence ("<name> is not included in ...").
_NAMES = {
    Feature.API_ACCESS: "The REST API",
    Feature.CUSTOM_CSS: "Custom CSS",
    Feature.CUSTOM_DOMAIN: "Using your own domain name",
    Feature.REMOVE_BRANDING: "Removing the Townsquare branding",
}
_COUNTED = {
    Feature.OPEN_DIALOGUES: ("open dialogue", "Close one first"),
    Feature.STAFF_SEATS: ("staff seat", "Remove a member of staff or withdraw an invitation first"),
}


class PlanLimitError(ValidationError):
    """Refusal that names the plan allowing it; a ValidationError, so forms show it."""

    def __init__(self, message: str, *, feature: Feature, plan: Plan, upgrade: Plan | None):
        super().__init__(message, code="plan_limit")
        self.feature = feature
        self.plan = plan
        self.upgrade = upgrade

    @property
    def upgrade_url(self) -> str:
        return billing_url()


def billing_url() -> str:
    """Where a tenant admin chooses a plan: /manage/billing/ on the tenant's own site."""
    return reverse("billing:overview")


def current_plan() -> Plan:
    """The plan of the tenant whose schema this connection is in (the trial off any tenant)."""
    tenant = getattr(connection, "tenant", None)
    key = getattr(tenant, "plan", None)
    if key is None and tenant is not None:
        # schema_context() (management commands, the shell) sets a stand-in that knows its
        # schema name only: read the plan rather than treat every such site as a trial.
        key = (
            apps.get_model(settings.TENANT_MODEL)
            .objects.filter(schema_name=tenant.schema_name)
            .values_list("plan", flat=True)
            .first()
        )
    try:
        return plan_get(key or TRIAL.key)
    except KeyError:
        return TRIAL


def limit_of(plan: Plan, feature: Feature) -> int | None:
    if feature == Feature.OPEN_DIALOGUES:
        return plan.max_open_dialogues
    if feature == Feature.STAFF_SEATS:
        return plan.max_staff_seats
    raise ValueError(f"{feature} is not a counted feature")


def allows(plan: Plan, feature: Feature, *, in_use: int = 0, value: str = "") -> bool:
    """Whether the plan allows one more (counted features, in_use already taken) or at all."""
    if feature in _COUNTED:
        limit = limit_of(plan, feature)
        return limit is None or in_use + 1 <= limit
    if feature == Feature.EXPORT_FORMAT:
        return value.lower() in plan.export_formats
    return bool(getattr(plan, feature.value))


def entitlement_check(
    feature: Feature, *, plan: Plan | None = None, in_use: int = 0, value: str = ""
) -> None:
    """Raises PlanLimitError when the plan (by default the current tenant's) does not allow
    one more of a counted feature (with in_use already taken), or the feature at all."""
    plan = plan or current_plan()
    if allows(plan, feature, in_use=in_use, value=value):
        return
    upgrade = next((p for p in PLANS if allows(p, feature, in_use=in_use, value=value)), None)
    raise PlanLimitError(
        _refusal(plan, feature, in_use=in_use, value=value, upgrade=upgrade),
        feature=feature,
        plan=plan,
        upgrade=upgrade,
    )


def _refusal(plan: Plan, feature: Feature, *, in_use: int, value: str, upgrade: Plan | None) -> str:
    if feature in _COUNTED:
        noun, first = _COUNTED[feature]
        limit = limit_of(plan, feature)
        message = (
            f"The {plan.name} plan allows {_count(limit, noun)} and this site has "
            f"{in_use} in use. {first}"
        )
        if upgrade is not None:
            more = limit_of(upgrade, feature)
            allowed = "no limit" if more is None else _count(more, noun)
            return f"{message}, or upgrade to the {upgrade.name} plan, which allows {allowed}."
        return message + "."
    if feature == Feature.EXPORT_FORMAT:
        message = f"{value.upper()} exports are not included in the {plan.name} plan."
    else:
        message = f"{_NAMES[feature]} is not included in the {plan.name} plan."
    if upgrade is not None:
        return f"{message} Upgrade to the {upgrade.name} plan to use it."
    return message


def _count(limit: int | None, noun: str) -> str:
    return f"{limit} {noun}{'s' if limit != 1 else ''}"


@dataclass(frozen=True, kw_only=True)
class Usage:
    """What a tenant uses now, for checking a change of plan against it."""

    open_dialogues: int = 0
    staff_seats: int = 0
    custom_css: bool = False
    custom_domains: int = 0
    branding_removed: bool = False


def downgrade_problems(target: Plan, usage: Usage) -> list[str]:
    """What to change before moving to target, one sentence each; empty when it fits."""
    problems = []
    for feature, used in (
        (Feature.OPEN_DIALOGUES, usage.open_dialogues),
        (Feature.STAFF_SEATS, usage.staff_seats),
    ):
        limit = limit_of(target, feature)
        if limit is not None and used > limit:
            noun, _ = _COUNTED[feature]
            verb = "Close" if feature == Feature.OPEN_DIALOGUES else "Remove"
            problems.append(
                f"{verb} {used - limit} of your {_count(used, noun)}: "
                f"the {target.name} plan allows {limit}."
            )
    if usage.custom_css and not target.custom_css:
        problems.append(
            f"Remove your custom CSS from the theme: the {target.name} plan does not include it."
        )
    if usage.custom_domains and not target.custom_domain:
        problems.append(
            f"Ask us to remove your own domain name: the {target.name} plan does not include it."
        )
    if usage.branding_removed and not target.remove_branding:
        problems.append(
            f"Show the Townsquare branding again in the theme: the {target.name} plan "
            "does not include removing it."
        )
    return problems
