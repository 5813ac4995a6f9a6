"""The theme editor, pages and menu in /manage/, and the public stylesheet and pages."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.roles import Capability, user_can
from backoffice.access import capability_required
from billing.entitlements import Feature, PlanLimitError, allows, entitlement_check
from billing.plans import TRIAL, Plan, plan_get
from themes import services
from themes.css import theme_stylesheet
from themes.forms import COLOUR_FIELDS, MenuForm, PageForm, ThemeForm, links_text
from themes.images import image_store
from themes.models import FONTS, MenuItem, Page, PageRevision, ThemeVersion
from themes.selectors import theme_draft
from townsquare.lib.markdown_editor import form_previewed, markdown_preview_requested
from townsquare.lib.video import video_embed_url

_PAGE_PATH = re.compile(r"^/pages/([-a-z0-9_]+)/$")


def stylesheet_hash(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()[:10]


def _css_response(css: str, *, immutable: bool) -> HttpResponse:
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if immutable else "private, no-store"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def entitled_values(values: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """A theme's values as the tenant's plan allows them: custom CSS only where included."""
    if values.get("custom_css") and not _custom_css_allowed(request):
        return {**values, "custom_css": ""}
    return values


def theme_css(request: HttpRequest, number: int, digest: str) -> HttpResponse:
    """A published version's stylesheet; its URL changes with each publish: cached for good."""
    version = get_object_or_404(ThemeVersion, number=number)
    css = theme_stylesheet(entitled_values(version.values(), request))
    if stylesheet_hash(css) != digest:
        raise Http404
    return _css_response(css, immutable=True)


def theme_draft_css(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, Capability.MANAGE_THEME):
        raise Http404
    values = entitled_values(theme_draft().values(), request)
    return _css_response(theme_stylesheet(values), immutable=False)


@capability_required(Capability.MANAGE_THEME)
def preview_css(request: HttpRequest) -> HttpResponse:
    """The draft restyled with unsaved colours and font, for the editor's live preview."""
    values = theme_draft().values()
    for name in COLOUR_FIELDS:
        candidate = request.GET.get(name, "").lower()
        if re.fullmatch(r"#[0-9a-f]{6}", candidate):
            values[name] = candidate
    if request.GET.get("font") in FONTS:
        values["font"] = request.GET["font"]
    return _css_response(theme_stylesheet(entitled_values(values, request)), immutable=False)


def _plan(request: HttpRequest) -> Plan:
    try:
        return plan_get(str(getattr(getattr(request, "tenant", None), "plan", TRIAL.key)))
    except KeyError:
        return TRIAL


def _custom_css_allowed(request: HttpRequest) -> bool:
    return allows(_plan(request), Feature.CUSTOM_CSS)


def branding_hidden(values: dict[str, Any], request: HttpRequest) -> bool:
    """Whether "Powered by Townsquare" is left out: the theme asks and the plan includes it
    (checked as the page is drawn, so a downgrade brings the line back)."""
    return bool(values.get("hide_branding")) and allows(_plan(request), Feature.REMOVE_BRANDING)


# Theme editor fields that need the plan to include something.
_PLAN_FIELDS = {"custom_css": Feature.CUSTOM_CSS, "hide_branding": Feature.REMOVE_BRANDING}


def _plan_refusals() -> dict[str, PlanLimitError]:
    refusals = {}
    for name, feature in _PLAN_FIELDS.items():
        try:
            entitlement_check(feature)
        except PlanLimitError as refusal:
            refusals[name] = refusal
    return refusals


@capability_required(Capability.MANAGE_THEME)
def editor(request: HttpRequest) -> HttpResponse:
    draft = theme_draft()
    user = signed_in_user(request)
    initial = {
        **draft.values(),
        "footer_links": links_text(draft.footer_links),
        "social_links": links_text(draft.social_links),
    }
    form = ThemeForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        refusals=_plan_refusals(),
    )
    previewing = markdown_preview_requested(request)
    if request.method == "POST" and not previewing and form.is_valid():
        data = form.cleaned_data
        fields = (*COLOUR_FIELDS, "font", "logo_alt", "intro_markdown")
        values = {name: data[name] for name in fields}
        values["footer_links"] = data["footer_links"]
        values["social_links"] = data["social_links"]
        # What the plan leaves out is left as it is (kept for a later upgrade; never drawn).
        for name in _PLAN_FIELDS:
            if name not in form.refusals:
                values[name] = data[name]
        try:
            # Files are stored only once everything else is known to be acceptable.
            services.contrast_problems_raise(values={**draft.values(), **values})
            stored = {
                kind: image_store(data=content, extension=ext)
                for kind, (content, ext) in form.images.items()
            }
            if data.get("remove_logo"):
                stored["logo"] = ""
            if data.get("remove_header_image"):
                stored["header_image"] = ""
            services.theme_draft_update(by=user, values={**values, **stored})
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                # Kept whole, so a refusal by the plan keeps its code (and its upgrade link).
                form.add_error(None, error)
        else:
            messages.success(request, "Draft saved. Check the preview, then publish it.")
            for reason in form.css_removed:
                messages.warning(request, f"Removed from your CSS: {reason}")
            return redirect("themes:editor")
    if previewing:
        form_previewed(form)
    status = 400 if request.method == "POST" and not previewing else 200
    context = {
        "form": form,
        "draft": draft,
        "live": ThemeVersion.objects.order_by("-number").first(),
    }
    return render(request, "themes/editor.html", context, status=status)


@capability_required(Capability.MANAGE_THEME)
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    try:
        version = services.theme_publish(by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Published: version {version.number} is now live.")
    return redirect("themes:editor")


@capability_required(Capability.MANAGE_THEME)
def versions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "themes/versions.html",
        {"versions": ThemeVersion.objects.select_related("published_by")},
    )


@capability_required(Capability.MANAGE_THEME)
@require_POST
def restore(request: HttpRequest, number: int) -> HttpResponse:
    version = get_object_or_404(ThemeVersion, number=number)
    restored = services.theme_restore(by=signed_in_user(request), version=version)
    messages.success(request, f"Version {number} is live again (as version {restored.number}).")
    return redirect("themes:versions")


@capability_required(Capability.MANAGE_THEME)
def pages(request: HttpRequest) -> HttpResponse:
    menu = MenuItem.objects.select_related("page")
    initial = "\n".join(
        f"{item.label} | {f'/pages/{item.page.slug}/' if item.page else item.url}" for item in menu
    )
    form = MenuForm(request.POST if request.method == "POST" else None, initial={"items": initial})
    if request.method == "POST" and form.is_valid():
        entries = []
        for link in form.cleaned_data["items"]:
            match = _PAGE_PATH.match(link["url"])
            page = Page.objects.filter(slug=match.group(1)).first() if match else None
            entries.append(
                MenuItem(label=link["label"], page=page, url="" if page else link["url"])
            )
        services.menu_replace(by=signed_in_user(request), items=entries)
        messages.success(request, "Menu saved.")
        return redirect("themes:pages")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "themes/pages.html",
        {"pages": Page.objects.all(), "form": form},
        status=status,
    )


@capability_required(Capability.MANAGE_THEME)
def page_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = get_object_or_404(Page, slug=slug) if slug else Page()
    form = PageForm(request.POST if request.method == "POST" else None, instance=page)
    previewing = markdown_preview_requested(request)
    if request.method == "POST" and not previewing and form.is_valid():
        saved = services.page_save(by=signed_in_user(request), page=form.save(commit=False))
        messages.success(request, f"“{saved.title}” saved.")
        return redirect("themes:page_edit", slug=saved.slug)
    if previewing:
        form_previewed(form)
    status = 400 if request.method == "POST" and not previewing else 200
    revisions = page.revisions.select_related("saved_by")[:20] if page.pk else []
    context = {"form": form, "page": page, "revisions": revisions}
    return render(request, "themes/page_form.html", context, status=status)


@capability_required(Capability.MANAGE_THEME)
@require_POST
def page_revision_restore(request: HttpRequest, slug: str, revision_id: int) -> HttpResponse:
    revision = get_object_or_404(PageRevision, pk=revision_id, page__slug=slug)
    services.page_restore(by=signed_in_user(request), revision=revision)
    messages.success(request, f"The version saved {revision.saved_at:%d %b %Y %H:%M} is back.")
    return redirect("themes:page_edit", slug=slug)


def page_show(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page, slug=slug)
    if not page.published and not user_can(request.user, Capability.MANAGE_THEME):
        raise Http404
    embed = video_embed_url(page.video_url) if page.video_url else ""
    return render(request, "themes/page.html", {"page": page, "embed": embed})
