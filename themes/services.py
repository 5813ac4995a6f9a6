"""Writes for the theme (draft, publish, restore) and for pages and the menu."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.models import User
from accounts.roles import Capability, user_can
from billing.entitlements import Feature, entitlement_check
from themes.contrast import TEXT_RATIO, UI_RATIO, contrast_ratio, nearest_passing
from themes.models import MenuItem, Page, PageRevision, ThemeDraft, ThemeVersion
from themes.selectors import theme_draft, theme_memos_clear
from townsquare.errors import NotAllowed
from townsquare.lib.markdown import markdown_render

# (foreground field, background field, ratio, what it is), checked on every save.
CONTRAST_PAIRS = [
    ("text", "background", TEXT_RATIO, "Text"),
    ("link", "background", TEXT_RATIO, "Links"),
    ("accent", "background", UI_RATIO, "The accent (borders and controls)"),
    ("primary", "background", TEXT_RATIO, "The main colour (also the text of secondary buttons)"),
]


def contrast_problems(values: dict[str, Any]) -> dict[str, str]:
    """Field → message with the nearest passing shade, for each pair below WCAG 2.2 AA."""
    problems: dict[str, str] = {}
    for field, against, ratio, what in CONTRAST_PAIRS:
        found = contrast_ratio(values[field], values[against])
        if found < ratio:
            better = nearest_passing(values[field], against=values[against], ratio=ratio)
            hint = f" The nearest shade that passes is {better}." if better else ""
            problems[field] = (
                f"{what} on the background has a contrast of {found:.2f}:1; "
                f"it needs at least {ratio:g}:1.{hint}"
            )
    return problems


def contrast_problems_raise(*, values: dict[str, Any]) -> None:
    problems = contrast_problems(values)
    if problems:
        raise ValidationError(problems)


def _require(by: User) -> None:
    if not user_can(by, Capability.MANAGE_THEME):
        raise NotAllowed("Only admins can change the site's look.")


@transaction.atomic
def theme_draft_update(*, by: User, values: dict[str, Any]) -> ThemeDraft:
    """Saves the draft; residents see nothing until it is published. Custom CSS and hiding
    the Townsquare branding are refused (PlanLimitError) on plans without them. The intro is
    given as intro_markdown; its HTML is made from it here, never taken as given."""
    _require(by)
    if values.get("custom_css"):
        entitlement_check(Feature.CUSTOM_CSS)
    if values.get("hide_branding"):
        entitlement_check(Feature.REMOVE_BRANDING)
    draft = ThemeDraft.objects.select_for_update().get(pk=theme_draft().pk)
    for name, value in values.items():
        if name not in ThemeDraft.FIELDS or name == "intro":
            raise ValueError(name)
        setattr(draft, name, value)
    draft.intro = markdown_render(draft.intro_markdown)
    contrast_problems_raise(values=draft.values())
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def theme_publish(*, by: User, restored_from: int | None = None) -> ThemeVersion:
    """Makes the draft live as a new, numbered version; earlier versions are kept."""
    _require(by)
    draft = ThemeDraft.objects.select_for_update().get(pk=theme_draft().pk)
    if contrast_problems(draft.values()):
        raise ValidationError("The draft has colours below the contrast minimum; fix them first.")
    number = (ThemeVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    return ThemeVersion.objects.create(
        number=number, published_by=by, restored_from=restored_from, **draft.values()
    )


@transaction.atomic
def theme_restore(*, by: User, version: ThemeVersion) -> ThemeVersion:
    """Publishes an earlier version again (as the newest) and makes it the draft."""
    _require(by)
    draft = ThemeDraft.objects.select_for_update().get(pk=theme_draft().pk)
    for name, value in version.values().items():
        setattr(draft, name, value)
    draft.save()
    return theme_publish(by=by, restored_from=version.number)


@transaction.atomic
def page_save(*, by: User, page: Page) -> Page:
    """Saves the page (its HTML made from body_markdown) and keeps this version of it among
    its revisions."""
    _require(by)
    page.body = markdown_render(page.body_markdown)
    page.full_clean()
    page.save()
    PageRevision.objects.create(
        page=page,
        title=page.title,
        body_markdown=page.body_markdown,
        body=page.body,
        video_url=page.video_url,
        published=page.published,
        saved_by=by,
    )
    return page


@transaction.atomic
def page_restore(*, by: User, revision: PageRevision) -> Page:
    page = revision.page
    page.title, page.body_markdown = revision.title, revision.body_markdown
    page.video_url, page.published = revision.video_url, revision.published
    return page_save(by=by, page=page)


@transaction.atomic
def menu_replace(*, by: User, items: list[MenuItem]) -> list[MenuItem]:
    """Replaces the whole menu with these entries, in this order."""
    _require(by)
    for position, item in enumerate(items):
        item.position = position
        item.full_clean()
    MenuItem.objects.all().delete()
    created = MenuItem.objects.bulk_create(items)
    # bulk_create sends no signals: forget the memoised menu explicitly.
    transaction.on_commit(theme_memos_clear)
    return created
