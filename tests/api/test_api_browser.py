"""The API opened in a real browser keeps the Content-Security-Policy: nothing is blocked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_every_api_address_a_person_can_open_keeps_the_csp(
    page: Page, live_site: LiveServer
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (event) => "
        "console.error('Content Security Policy violation: ' + event.violatedDirective));"
    )
    for path in (
        "/api/v1/",
        "/api/v1/dialogues/",
        "/api/v1/dialogues/alpha-parks/",
        "/api/v1/dialogues/no-such-dialogue/",
        "/api/",
    ):
        response = page.goto(live_site.url("alpha", path))
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert page.locator("body").inner_text().strip(), f"{path} shows nothing"
    # The OpenAPI description is a file to save, not a page to render.
    with page.expect_download() as download:
        page.evaluate(
            "(url) => { window.location.href = url; }", live_site.url("alpha", "/api/schema/")
        )
    assert download.value.suggested_filename
    assert blocked == [], blocked
