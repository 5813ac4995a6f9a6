"""The pricing page's comparison table, read from the plan catalogue's own fields."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from billing.plans import PAID_PLANS, PLANS, Plan

# What each entitlement is called in the table. A field added to Plan without a label here
# still gets a row (named from the field), so the table never leaves an entitlement out.
ENTITLEMENT_LABELS = {
    "max_open_dialogues": "Open dialogues at a time",
    "max_staff_seats": "Staff seats",
    "api_access": "API access",
    "custom_css": "Custom CSS",
    "custom_domain": "Your own domain name",
    "remove_branding": "No Townsquare branding",
    "export_formats": "Export formats",
}
# What names and prices a plan rather than what it allows.
NOT_ENTITLEMENTS = frozenset({"key", "name", "monthly_price_pence", "lookup_key"})


@dataclass(frozen=True)
class Cell:
    text: str
    # True or False for a yes/no entitlement (shown as a tick or a cross); None for a figure.
    included: bool | None = None


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


def plan_comparison(*, plans: tuple[Plan, ...] = PLANS) -> list[Row]:
    """One row for the price and one per entitlement; one cell per plan, in catalogue order."""
    rows = [Row(label="Price", cells=[Cell(text=plan.price_text) for plan in plans])]
    for field in dataclasses.fields(Plan):
        if field.name in NOT_ENTITLEMENTS:
            continue
        label = ENTITLEMENT_LABELS.get(field.name, field.name.replace("_", " ").capitalize())
        rows.append(Row(label=label, cells=[_cell(getattr(plan, field.name)) for plan in plans]))
    return rows


def _cell(value: object) -> Cell:
    if isinstance(value, bool):
        return Cell(text="Included" if value else "Not included", included=value)
    if value is None:
        # The catalogue's None is "no limit".
        return Cell(text="Unlimited")
    if isinstance(value, tuple):
        return Cell(text=", ".join(str(part).upper() for part in value))
    return Cell(text=str(value))


def cheapest_paid_plan() -> Plan:
    """The plan whose price the home page quotes as "from"."""
    return min(PAID_PLANS, key=lambda plan: plan.monthly_price_pence)
