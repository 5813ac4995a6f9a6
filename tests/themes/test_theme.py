"""The theme editor: drafts unseen until published, versions kept and restorable, contrast
and upload guards that store nothing on bad input, pages and menu, CSP and isolation."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import User
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory
from themes.models import MenuItem, Page, ThemeDraft, ThemeVersion
from townsquare.lib.memo import TtlMemo

pytestmark = pytest.mark.django_db

COLOURS = {
    "primary": "#5a1d89",
    "accent": "#6b6b76",
    "text": "#1b1b1f",
    "background": "#ffffff",
    "link": "#5a1d89",
    "font": "atkinson-hyperlegible",
    "logo_alt": "",
    "intro_markdown": "",
    "footer_links": "",
    "social_links": "",
}


@pytest.fixture
def admin(client_for: Callable[..., Client], tenant_a: Tenant) -> Client:
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        user = UserFactory.create(username="ThemeAdmin", role=User.Role.ADMIN)
        client.force_login(user)
    return client


def _png(width: int = 120, height: int = 40, mode: str = "RGB") -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new(mode, (width, height), "navy" if mode == "RGB" else 0).save(data, format="PNG")
    return SimpleUploadedFile("logo.png", data.getvalue(), content_type="image/png")


def _theme_files(tenant: Tenant) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / tenant.schema_name / "theme"
    return sorted(folder.glob("*")) if folder.exists() else []


def _stylesheet_url(page: str) -> str:
    found = re.search(r'href="(/theme/v\d+-[0-9a-f]+\.css)"', page)
    return found.group(1) if found else ""


def test_a_draft_is_seen_only_in_preview_until_it_is_published(
    admin: Client, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    resident = client_for(tenant_a)
    response = admin.post(
        "/manage/theme/",
        {**COLOURS, "logo_alt": "Alpha Youth Voice", "logo_upload": _png(),
         "intro_markdown": "Welcome <script>alert(1)</script>to **our** site",
         "footer_links": "Accessibility | /pages/accessibility/\nContact | https://alpha.example.org/contact"},
    )  # fmt: skip
    assert response.status_code == 302
    assert _stylesheet_url(resident.get("/").content.decode()) == ""
    preview = admin.get("/?theme=draft").content.decode()
    assert "/theme/draft.css" in preview
    assert "You are looking at your draft theme" in preview
    assert resident.get("/?theme=draft").content.decode().count("/theme/draft.css") == 0
    assert resident.get("/theme/draft.css").status_code == 404

    admin.post("/manage/theme/publish/")
    page = resident.get("/").content.decode()
    url = _stylesheet_url(page)
    assert url.startswith("/theme/v1-")
    assert 'alt="Alpha Youth Voice"' in page
    assert "<strong>our</strong>" in page
    assert "<script>alert" not in page
    assert 'href="https://alpha.example.org/contact"' in page
    css = resident.get(url)
    assert css["Cache-Control"] == "public, max-age=31536000, immutable"
    body = css.content.decode()
    assert "--ts-primary: #5a1d89" in body
    assert "atkinson-hyperlegible-latin-400-normal" in body

    admin.post("/manage/theme/", {**COLOURS, "primary": "#0b5d3b", "link": "#0b5d3b"})
    admin.post("/manage/theme/publish/")
    newer = _stylesheet_url(resident.get("/").content.decode())
    assert newer.startswith("/theme/v2-")
    assert newer != url
    assert resident.get(url).status_code == 200  # old URLs keep working


def test_an_earlier_version_can_be_restored(admin: Client, tenant_a: Tenant) -> None:
    admin.post("/manage/theme/", COLOURS)
    admin.post("/manage/theme/publish/")
    admin.post("/manage/theme/", {**COLOURS, "primary": "#0b5d3b", "link": "#0b5d3b"})
    admin.post("/manage/theme/publish/")
    assert "Restore version 1" in admin.get("/manage/theme/versions/").content.decode()
    admin.post("/manage/theme/versions/1/restore/")
    with tenant_context(tenant_a):
        live = ThemeVersion.objects.order_by("-number").first()
        assert live is not None
        assert (live.number, live.primary, live.restored_from) == (3, "#5a1d89", 1)
        assert ThemeDraft.objects.get().primary == "#5a1d89"


def test_colours_below_aa_contrast_are_refused_with_the_nearest_passing_shade(
    admin: Client, tenant_a: Tenant
) -> None:
    response = admin.post("/manage/theme/", {**COLOURS, "text": "#999999", "accent": "#eeeeee"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "needs at least 4.5:1" in body
    assert "The nearest shade that passes is #" in body
    assert "needs at least 3:1" in body
    with tenant_context(tenant_a):
        assert ThemeDraft.objects.get().text == "#1b1b1f"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary", "red;}body{display:none", "Enter a colour as # followed by six hex digits"),
        ("background", "#fff;background:url(x)", "Enter a colour as # followed by six hex digits"),
        ("footer_links", "Click | javascript:alert(1)", "Line 1: Use a link starting https://"),
        ("social_links", "Evil | data:text/html,hi", "Line 1: Use a link starting https://"),
        ("footer_links", "no bar here", "write a label, a | and the address"),
    ],
)
def test_injection_through_colours_or_links_is_refused_and_nothing_changes(
    admin: Client, tenant_a: Tenant, field: str, value: str, message: str
) -> None:
    response = admin.post("/manage/theme/", {**COLOURS, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(tenant_a):
        draft = ThemeDraft.objects.get()
        assert (draft.primary, draft.footer_links) == ("#1d4e89", [])


def _bomb() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("1", (12_000, 12_000), 0).save(data, format="PNG", optimize=True)
    return SimpleUploadedFile("bomb.png", data.getvalue(), content_type="image/png")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
UNSAFE_LOGOS = [
    (SVG + b"><script>alert(1)</script></svg>", "&lt;script&gt; is not allowed"),
    (SVG + b' onload="alert(1)"><rect/></svg>', "may not contain scripts"),
    (
        SVG + b'><image xlink:href="https://evil.example/t.png"/></svg>',
        "&lt;image&gt; is not allowed",
    ),
    (
        SVG + b'><use xlink:href="https://evil.example/s.svg#a"/></svg>',
        "may not refer to other files",
    ),
    (SVG + b'><rect style="fill: url(https://evil.example/p)"/></svg>', "may not refer to other"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]>' + SVG + b"/>", "DOCTYPE or entities"),
    (b"MZ this is really a program", "is not a PNG, JPEG, WebP or SVG image"),
    (b"\x89PNG" + b"0" * 1_100_000, "larger than 1 MB"),
]


@pytest.mark.parametrize(
    ("upload", "message"),
    [(SimpleUploadedFile("logo.png", data), message) for data, message in UNSAFE_LOGOS]
    + [(_bomb(), "the most we take is 2000 pixels")],
)
def test_unsafe_or_oversized_logos_are_refused_and_nothing_is_stored(
    admin: Client, tenant_a: Tenant, upload: SimpleUploadedFile, message: str
) -> None:
    before = _theme_files(tenant_a)
    response = admin.post("/manage/theme/", {**COLOURS, "logo_alt": "Logo", "logo_upload": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _theme_files(tenant_a) == before
    with tenant_context(tenant_a):
        assert ThemeDraft.objects.get().logo == ""


def test_a_clean_svg_logo_is_kept_and_served_unable_to_run_anything(
    admin: Client, tenant_a: Tenant, client_for: Callable[..., Client]
) -> None:
    svg = SVG + b' viewBox="0 0 10 10"><title>A</title><rect width="10" height="10"/></svg>'
    admin.post(
        "/manage/theme/",
        {**COLOURS, "logo_alt": "Alpha", "logo_upload": SimpleUploadedFile("l.svg", svg)},
    )
    with tenant_context(tenant_a):
        logo = ThemeDraft.objects.get().logo
    assert logo.endswith(".svg")
    served = client_for(tenant_a).get(f"/media/{logo}")
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_photo_loses_its_metadata(admin: Client, tenant_a: Tenant) -> None:
    data = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    Image.new("RGB", (100, 60), "white").save(data, format="JPEG", exif=exif.tobytes())
    admin.post(
        "/manage/theme/",
        {**COLOURS, "header_image_upload": SimpleUploadedFile("h.jpg", data.getvalue())},
    )
    with tenant_context(tenant_a):
        stored = ThemeDraft.objects.get().header_image
    raw = (Path(settings.MEDIA_ROOT) / tenant_a.schema_name / stored).read_bytes()
    assert b"SecretCamera" not in raw
    assert Image.open(io.BytesIO(raw)).size == (100, 60)


def test_custom_css_needs_a_plan_that_includes_it_and_is_filtered_with_reasons(
    admin: Client, tenant_a: Tenant
) -> None:
    Tenant.objects.filter(pk=tenant_a.pk).update(plan="community")
    TtlMemo.clear_all()
    assert (
        "Custom CSS is not included in the Community plan"
        in admin.get("/manage/theme/").content.decode()
    )
    Tenant.objects.filter(pk=tenant_a.pk).update(plan="partnership")
    TtlMemo.clear_all()
    css = (
        "@import url(https://evil.example/x.css);\n"
        "h2 { color: #333333; background: url(https://evil.example/t.png) }\n"
        ".exit-this-page { display: none }\n"
        "p { position: fixed; top: 0 }"
    )
    response = admin.post("/manage/theme/", {**COLOURS, "custom_css": css}, follow=True)
    body = response.content.decode()
    assert "Removed from your CSS: Line 1: @import is not allowed." in body
    assert "url() may only point at this site" in body
    assert "styles a safety feature" in body
    assert "position is not allowed" in body
    with tenant_context(tenant_a):
        # Confined to the content area, where it cannot reach the quick exit.
        assert ThemeDraft.objects.get().custom_css == (
            "#main :is(h2) { color: #333333; }\n#main :is(p) { top: 0; }"
        )
    admin.post("/manage/theme/publish/")
    url = _stylesheet_url(admin.get("/").content.decode())
    assert "#main :is(h2)" in admin.get(url).content.decode()
    # On a plan without custom CSS the stylesheet leaves it out, at a new address.
    Tenant.objects.filter(pk=tenant_a.pk).update(plan="community")
    TtlMemo.clear_all()
    downgraded = _stylesheet_url(admin.get("/").content.decode())
    assert downgraded != url
    assert "#main :is(h2)" not in admin.get(downgraded).content.decode()
    assert admin.get(url).status_code == 404


def test_pages_and_the_menu(
    admin: Client, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    resident = client_for(tenant_a)
    admin.post(
        "/manage/theme/pages/new/",
        {
            "title": "How to use this site",
            "slug": "how-to",
            "body_markdown": "Pick a name.\n\n<img src=x onerror=alert(1)>",
            "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        },
    )
    assert resident.get("/pages/how-to/").status_code == 404  # a draft
    refused = admin.post(
        "/manage/theme/pages/", {"items": "How to | /pages/how-to/\nBad | javascript:alert(1)"}
    )
    assert "Line 2: Use a link starting https://" in refused.content.decode()
    with tenant_context(tenant_a):
        assert not MenuItem.objects.exists()
    admin.post(
        "/manage/theme/pages/how-to/",
        {"title": "How to use this site", "slug": "how-to", "body_markdown": "Pick a name.",
         "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "published": "on"},
    )  # fmt: skip
    admin.post(
        "/manage/theme/pages/",
        {"items": "How to | /pages/how-to/\nCouncil | https://council.example.org/"},
    )
    page = resident.get("/pages/how-to/")
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in page.content.decode()
    assert "https://www.youtube-nocookie.com" in page["Content-Security-Policy"]
    home = resident.get("/").content.decode()
    assert 'href="/pages/how-to/">How to</a>' in home
    assert 'href="https://council.example.org/">Council</a>' in home
    with tenant_context(tenant_a):
        assert "onerror" not in Page.objects.get().body


def test_the_csp_forbids_inline_code_and_frames_only_providers_in_use(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    for client in (client_for(None), client_for(tenant_a), client_for(tenant_b)):
        policy = client.get("/")["Content-Security-Policy"]
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
    assert "frame-src 'none'" in client_for(tenant_b).get("/")["Content-Security-Policy"]
    with tenant_context(tenant_b):
        DialogueFactory.create(video_url="https://vimeo.com/123456789")
    policy = client_for(tenant_b).get("/")["Content-Security-Policy"]
    assert "frame-src https://player.vimeo.com;" in policy
    assert "youtube" not in policy


def test_one_tenants_theme_never_appears_on_another(
    admin: Client, client_for: Callable[..., Client], tenant_b: Tenant
) -> None:
    admin.post("/manage/theme/", {**COLOURS, "logo_alt": "Alpha logo", "logo_upload": _png()})
    admin.post("/manage/theme/publish/")
    alpha_home = admin.get("/").content.decode()
    url = _stylesheet_url(alpha_home)
    logo = re.search(r'src="(/media/theme/[^"]+)"', alpha_home)
    assert url
    assert logo is not None
    beta = client_for(tenant_b)
    home = beta.get("/").content.decode()
    assert _stylesheet_url(home) == ""
    assert "Alpha logo" not in home
    assert beta.get(url).status_code == 404
    assert beta.get(logo.group(1)).status_code == 404


def test_the_live_preview_stylesheet_takes_only_colours_and_only_for_admins(
    admin: Client, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    url = "/manage/theme/preview.css?primary=%23123456&text=red;}body{x&font=lexend"
    css = admin.get(url)
    body = css.content.decode()
    assert css["Cache-Control"] == "private, no-store"
    assert "--ts-primary: #123456" in body
    assert "--ts-text: #1b1b1f" in body
    assert "lexend-latin-400" in body
    assert "body{x" not in body
    assert client_for(tenant_a).get(url).status_code == 302


def test_every_saved_page_is_kept_and_an_earlier_one_restored(
    admin: Client, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    base = {"title": "Help", "slug": "help", "video_url": "", "published": "on"}
    admin.post("/manage/theme/pages/new/", {**base, "body_markdown": "First words."})
    admin.post("/manage/theme/pages/help/", {**base, "body_markdown": "Second words."})
    resident = client_for(tenant_a)
    assert "Second words." in resident.get("/pages/help/").content.decode()
    with tenant_context(tenant_a):
        first = Page.objects.get().revisions.order_by("saved_at", "id").first()
        assert first is not None
        assert first.body_markdown == "First words."
        assert first.body == "<p>First words.</p>"
    editor = admin.get("/manage/theme/pages/help/").content.decode()
    assert editor.count("Restore this version") == 1
    admin.post(f"/manage/theme/pages/help/revisions/{first.pk}/restore/")
    assert "First words." in resident.get("/pages/help/").content.decode()
    with tenant_context(tenant_a):
        assert Page.objects.get().revisions.count() == 3
