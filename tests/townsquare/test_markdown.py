"""Markdown written by staff: what residents see, what can never get through, and the editor's
preview (live through htmx, or with the "Preview" button when JavaScript is off)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from django_tenants.utils import tenant_context
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import User
from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory
from themes.models import Page, ThemeDraft
from themes.selectors import theme_draft
from townsquare.lib.markdown import markdown_render
from townsquare.lib.richtext import ALLOWED_SCHEMES, ALLOWED_TAGS, MAX_LENGTH

DIALOGUE_PREVIEW = "/manage/markdown/preview/dialogues/?field=description"
THEME_PREVIEW = "/manage/markdown/preview/theme/?field=body_markdown"


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would read the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def _assert_inert(html: str) -> None:
    """Only richtext's tags, no event handlers, and links only to allowed schemes."""
    assert "<script" not in html.lower()
    for tag, attrs in _tags(html):
        assert tag in ALLOWED_TAGS, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        href = attrs.get("href", "")
        scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", href)
        if scheme:
            assert scheme.group(1).lower() in ALLOWED_SCHEMES, href


# --- What residents see ---------------------------------------------------------------------


def test_headings_start_at_h2_because_the_page_has_its_h1() -> None:
    html = markdown_render("# Why\n\n## How\n\n### When\n\n###### Small print")
    assert html == "<h2>Why</h2>\n<h2>How</h2>\n<h3>When</h3>\n<h4>Small print</h4>"


def test_emphasis_lists_quotes_and_links() -> None:
    html = markdown_render(
        "We heard **you** and _others_.\n\n"
        "- lighting\n- benches\n\n"
        "1. first\n2. second\n\n"
        "> Fridays especially\n\n"
        '[The plan](https://example.org/plan "Our plan") or <https://example.org>'
    )
    assert "<p>We heard <strong>you</strong> and <em>others</em>.</p>" in html
    assert "<ul>\n<li>lighting</li>\n<li>benches</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html
    assert "<blockquote>\n<p>Fridays especially</p>\n</blockquote>" in html
    assert (
        '<a href="https://example.org/plan" title="Our plan" rel="noopener noreferrer nofollow">'
        "The plan</a>"
    ) in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">' in html


def test_a_line_break_is_kept_and_indenting_is_not_code() -> None:
    assert markdown_render("Kirkby\nKnowsley") == "<p>Kirkby<br>\nKnowsley</p>"
    assert markdown_render("    just indented") == "<p>just indented</p>"


def test_a_picture_leaves_its_description_as_words() -> None:
    assert markdown_render("![A mural](https://example.org/m.png)") == "<p>A mural</p>"


def test_html_written_before_markdown_keeps_its_shape() -> None:
    """Stored descriptions were HTML: carried over as the Markdown source, they render alike."""
    before = "<p>We want to hear from <strong>all</strong> of you.</p>\n<ul><li>one</li></ul>"
    assert markdown_render(before) == before


# --- What can never get through ---------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Hello <script>alert(1)</script> there",
        "<img src=x onerror=alert(1)>",
        "Look: <img src=x onerror=alert(1)> here",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        "[x][evil]\n\n[evil]: javascript:alert(1)",
        "[x][evil]\n\n[evil]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "<javascript:alert(1)>",
        "<data:text/html,hi>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="  javascript:alert(1)" onclick="alert(1)">x</a>',
        "<div onclick=alert(1)>\n\n**click**\n\n</div>",
        '<iframe src="https://evil.example"></iframe>',
        "<style>body { display: none }</style>",
        '<p style="position:fixed">x</p>',
        "<svg><script>alert(1)</script></svg>",
        '<form action="https://evil.example"><input name=x></form>',
        "![x](javascript:alert(1))",
        '![x" onerror="alert(1)](https://example.org/x.png)',
    ],
)
def test_dangerous_markdown_renders_inert(source: str) -> None:
    html = markdown_render(source)
    _assert_inert(html)
    lowered = html.lower()
    # Words may remain (as text); no element or attribute that could act does.
    for forbidden in ("<iframe", "<style", "<img", "<svg", "<form", "<input", "style="):
        assert forbidden not in lowered


def test_a_dangerous_link_stays_as_visible_text_not_a_link() -> None:
    assert markdown_render("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"


_FRAGMENTS = st.sampled_from(
    [
        "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=\"", "javascript:",
        "JaVaScRiPt:", "&#106;", "&#x6A;", "data:text/html,", "[", "]", "(", ")", "<", ">",
        "\"", "'", "`", " onclick=", "onerror=", "\n", "\n\n", "# ", "- ", "1. ", "> ", "*",
        "_", "**", "\\", "<p ", "<div ", "</div>", "<!--", "-->", "<![CDATA[", "]]>", "=",
        "[r]: ", "<https://", "<svg", "<iframe", "<style>", "&", "&lt;", "\t", " ",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS | st.text(max_size=8), max_size=40).map("".join))
def test_whatever_is_written_nothing_runs(source: str) -> None:
    html = markdown_render(source)
    _assert_inert(html)
    # Inside tags only: the words "href=javascript:" may be shown as (escaped) text.
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.IGNORECASE)
    assert not re.search(r"<[a-z][^>]*\shref\s*=\s*[\"']?\s*javascript:", html, re.IGNORECASE)


# --- Stored content ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_stored_html_is_carried_over_as_the_markdown_source(tenant_a: Tenant) -> None:
    """The data migrations: what residents see is unchanged, and staff edit what was there."""
    dialogue_migration = importlib.import_module("dialogues.migrations.0004_markdown_sources")
    theme_migration = importlib.import_module("themes.migrations.0003_markdown_sources")
    html = "<p>Old <strong>words</strong>.</p>"
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(description=html, outcome_summary="<p>Done.</p>")
        page = Page.objects.create(title="Old", slug="old-page", body=html)
        ThemeDraft.objects.filter(pk=theme_draft().pk).update(intro=html, intro_markdown="")
        dialogue_migration.html_as_markdown(apps, None)
        theme_migration.html_as_markdown(apps, None)
        dialogue.refresh_from_db()
        page.refresh_from_db()
        assert (dialogue.description, dialogue.description_markdown) == (html, html)
        assert (dialogue.outcome_summary, dialogue.outcome_markdown) == ("<p>Done.</p>",) * 2
        assert (page.body, page.body_markdown) == (html, html)
        draft = ThemeDraft.objects.get(pk=theme_draft().pk)
        assert (draft.intro, draft.intro_markdown) == (html, html)


# --- The editor and its preview ---------------------------------------------------------------


@pytest.fixture
def as_role(client_for: Callable[..., Client], tenant_a: Tenant) -> Callable[..., Client]:
    def sign_in(role: str, **kwargs: bool) -> Client:
        client = client_for(tenant_a, **kwargs)
        with tenant_context(tenant_a):
            client.force_login(UserFactory.create(role=role))
        return client

    return sign_in


@pytest.mark.django_db
def test_the_preview_renders_sanitised_html_for_staff_who_may_edit(
    as_role: Callable[..., Client],
) -> None:
    response = as_role(User.Role.ADMIN).post(
        DIALOGUE_PREVIEW, {"description": "# Hi **there**\n\n<script>alert(1)</script>"}
    )
    assert response.status_code == 200
    assert response.content.decode() == "<h2>Hi <strong>there</strong></h2>"
    assert response["Cache-Control"] == "no-store"
    empty = as_role(User.Role.ADMIN).post(THEME_PREVIEW, {"body_markdown": "   "})
    assert "Nothing to preview yet." in empty.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [DIALOGUE_PREVIEW, THEME_PREVIEW])
def test_the_preview_sends_visitors_to_sign_in(
    client_for: Callable[..., Client], tenant_a: Tenant, url: str
) -> None:
    response = client_for(tenant_a).post(url, {"description": "x", "body_markdown": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        (User.Role.RESIDENT, DIALOGUE_PREVIEW),
        (User.Role.RESIDENT, THEME_PREVIEW),
        (User.Role.ANALYST, DIALOGUE_PREVIEW),
        (User.Role.MODERATOR, THEME_PREVIEW),
    ],
)
def test_the_preview_refuses_those_whose_role_cannot_edit_the_text(
    as_role: Callable[..., Client], role: str, url: str
) -> None:
    response = as_role(role).post(url, {"description": "**x**", "body_markdown": "**x**"})
    assert response.status_code == 403
    assert "<strong>x</strong>" not in response.content.decode()


@pytest.mark.django_db
def test_the_preview_takes_only_posts_with_a_csrf_token_and_text_within_the_limit(
    as_role: Callable[..., Client],
) -> None:
    admin = as_role(User.Role.ADMIN)
    assert admin.get(f"{DIALOGUE_PREVIEW}&description=x").status_code == 405
    too_long = admin.post(DIALOGUE_PREVIEW, {"description": "x" * (MAX_LENGTH + 1)})
    assert too_long.status_code == 413
    assert "x" * 100 not in too_long.content.decode()
    strict = as_role(User.Role.ADMIN, enforce_csrf_checks=True)
    assert strict.post(DIALOGUE_PREVIEW, {"description": "**x**"}).status_code == 403


@pytest.mark.django_db
def test_the_editor_page_has_the_toolbar_help_preview_and_live_preview_wiring(
    as_role: Callable[..., Client],
) -> None:
    page = as_role(User.Role.ADMIN).get("/manage/dialogues/new/").content.decode()
    assert 'role="toolbar"' in page
    assert page.count("data-markdown-action=") == 7
    assert "<summary>Formatting help</summary>" in page
    assert 'id="id_description-preview"' in page
    assert 'aria-live="polite"' in page
    assert f'hx-post="{DIALOGUE_PREVIEW}"' in page
    assert 'hx-params="csrfmiddlewaretoken,description"' in page
    assert 'name="markdown_preview" value="description"' in page
    assert 'maxlength="20000"' in page


def _dialogue_form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Safer parks",
        "slug": "preview-parks",
        "question": "What would make parks feel safer?",
        "description": "## Why we ask\n\nTell us **anything**.",
        "video_url": "",
        "tags": "",
        "listed": "on",
        "opens_at": "",
        "closes_at": "",
    } | overrides


@pytest.mark.django_db
def test_without_javascript_preview_shows_the_text_rendered_and_saves_nothing(
    as_role: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = as_role(User.Role.ADMIN)
    # An unfinished form (no title yet) previews without being judged.
    response = admin.post(
        "/manage/dialogues/new/", _dialogue_form(title="", markdown_preview="description")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "## Why we ask\n\nTell us **anything**.</textarea>" in page
    assert "<h2>Why we ask</h2>\n<p>Tell us <strong>anything</strong>.</p>" in page
    assert "There is a problem" not in page
    with tenant_context(tenant_a):
        assert not Dialogue.objects.filter(slug="preview-parks").exists()

    saved = admin.post("/manage/dialogues/new/", _dialogue_form())
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        dialogue = Dialogue.objects.get(slug="preview-parks")
        assert dialogue.description_markdown == "## Why we ask\n\nTell us **anything**."
        assert dialogue.description == (
            "<h2>Why we ask</h2>\n<p>Tell us <strong>anything</strong>.</p>"
        )
    edit = admin.get("/manage/dialogues/preview-parks/").content.decode()
    assert "## Why we ask\n\nTell us **anything**.</textarea>" in edit

    admin.post(
        "/manage/dialogues/preview-parks/",
        _dialogue_form(description="Changed _words_", markdown_preview="description"),
    )
    with tenant_context(tenant_a):
        dialogue.refresh_from_db()
        assert dialogue.description_markdown == "## Why we ask\n\nTell us **anything**."


@pytest.mark.django_db
def test_the_outcome_previews_without_being_published(
    as_role: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(
            slug="outcome-preview", description="<p>Saved words.</p>", state="closed"
        )
    admin = as_role(User.Role.ADMIN)
    response = admin.post(
        "/manage/dialogues/outcome-preview/outcome/",
        {"summary": "We will light **three** paths.", "markdown_preview": "summary"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "We will light **three** paths.</textarea>" in page
    assert "<p>We will light <strong>three</strong> paths.</p>" in page
    # The dialogue's own form is shown as saved, and still saves to its own address.
    assert 'action="/manage/dialogues/outcome-preview/"' in page
    assert "There is a problem" not in page
    with tenant_context(tenant_a):
        dialogue.refresh_from_db()
        assert dialogue.outcome_summary == ""
        assert dialogue.outcome_published_at is None

    admin.post(
        "/manage/dialogues/outcome-preview/outcome/", {"summary": "We will light **three** paths."}
    )
    with tenant_context(tenant_a):
        dialogue.refresh_from_db()
        assert dialogue.outcome_markdown == "We will light **three** paths."
        assert dialogue.outcome_summary == "<p>We will light <strong>three</strong> paths.</p>"


@pytest.mark.django_db
def test_an_outcome_that_renders_to_nothing_is_refused(
    as_role: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="empty-outcome", state="closed")
    as_role(User.Role.ADMIN).post(
        "/manage/dialogues/empty-outcome/outcome/", {"summary": "<script>alert(1)</script>"}
    )
    with tenant_context(tenant_a):
        dialogue.refresh_from_db()
        assert dialogue.outcome_published_at is None


@pytest.mark.django_db
def test_page_and_intro_previews_save_nothing(
    as_role: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = as_role(User.Role.ADMIN)
    response = admin.post(
        "/manage/theme/pages/new/",
        {
            "title": "Help",
            "slug": "preview-help",
            "body_markdown": "# Help\n\n- ask",
            "markdown_preview": "body_markdown",
        },
    )
    assert response.status_code == 200
    assert "<h2>Help</h2>\n<ul>\n<li>ask</li>\n</ul>" in response.content.decode()
    with tenant_context(tenant_a):
        assert not Page.objects.filter(slug="preview-help").exists()
        before = theme_draft().intro_markdown

    editor = admin.get("/manage/theme/").content.decode()
    assert 'name="markdown_preview" value="intro_markdown"' in editor
    colours = {"primary": "#1d4e89", "accent": "#6b6b76", "text": "#1b1b1f"}
    response = admin.post(
        "/manage/theme/",
        {
            **colours,
            "background": "#ffffff",
            "link": "#1d4e89",
            "font": "system",
            "intro_markdown": "Welcome, **everyone**",
            "markdown_preview": "intro_markdown",
        },
    )
    assert response.status_code == 200
    assert "<p>Welcome, <strong>everyone</strong></p>" in response.content.decode()
    with tenant_context(tenant_a):
        assert theme_draft().intro_markdown == before


@pytest.mark.django_db
def test_residents_see_the_rendered_text(
    as_role: Callable[..., Client], client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = as_role(User.Role.ADMIN)
    admin.post(
        "/manage/dialogues/new/",
        _dialogue_form(
            slug="rendered-parks",
            description="# The question\n\n[Read more](https://example.org) [no](javascript:x)",
            open_now="on",
        ),
    )
    page = client_for(tenant_a).get("/dialogues/rendered-parks/").content.decode()
    assert "<h2>The question</h2>" in page
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">Read more</a>' in page
    assert 'href="javascript' not in page
