"""An admin gives a dialogue its header image in a real browser: a refused file says why on
its field and keeps what was typed; the kept image shows on the dialogue page with its alt
text; every page accessible and nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from accounts.models import User
from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory
from tests.harness.browser import assert_accessible, csp_blocked, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser

ALT = "Young people painting a mural on the Kirkby underpass"


@pytest.fixture
def scene(committed_db: None, tenant_a: Tenant) -> Iterator[dict[str, str]]:
    stamp = time.monotonic_ns() % 10**8
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=f"ImageAdmin{stamp}", role=User.Role.ADMIN)
        dialogue = DialogueFactory.create(slug=f"underpasses-{stamp}", title="Underpasses")
    yield {"admin": admin.username, "slug": dialogue.slug}
    with tenant_context(tenant_a):
        stored = Dialogue.objects.get(pk=dialogue.pk).header_image
        if stored:
            (Path(settings.MEDIA_ROOT) / tenant_a.schema_name / stored).unlink(missing_ok=True)
        dialogue.delete()
        admin.delete()


def _png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (900, 600), "#1d4e89").save(data, format="PNG")
    return data.getvalue()


def test_an_admin_adds_a_header_image_after_a_refused_file(
    page: Page, live_site: LiveServer, scene: dict[str, str], tenant_a: Tenant
) -> None:
    blocked = csp_blocked(page)
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    page.goto(live_site.url("alpha", f"/manage/dialogues/{scene['slug']}/"))
    assert_accessible(page)

    page.get_by_label("Title").fill("Safer underpasses")
    page.get_by_label("Header image").set_input_files(
        files=[FilePayload(name="logo.svg", mimeType="image/svg+xml", buffer=b"<svg></svg>")]
    )
    page.get_by_label("Describe the image").fill(ALT)
    page.get_by_role("button", name="Save", exact=True).click()
    file_field = page.get_by_label("Header image")
    expect(file_field).to_have_attribute("aria-invalid", "true")
    # Described by its hint (sizes and formats) and by the reason it was refused.
    expect(file_field).to_have_accessible_description(
        re.compile(r"PNG, JPEG or WebP, up to 3 MB .*The header image must be a PNG, JPEG or WebP")
    )
    expect(page.get_by_label("Title")).to_have_value("Safer underpasses")
    expect(page.get_by_label("Describe the image")).to_have_value(ALT)
    assert_accessible(page)

    page.get_by_label("Header image").set_input_files(
        files=[FilePayload(name="mural.png", mimeType="image/png", buffer=_png())]
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page.get_by_label("Remove the image")).not_to_be_checked()
    assert_accessible(page)

    page.goto(live_site.url("alpha", f"/dialogues/{scene['slug']}/"))
    image = page.get_by_role("img", name=ALT)
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 900
    assert_accessible(page)
    assert blocked == []
