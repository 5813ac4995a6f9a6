"""The interactive API documentation in a real browser: it shows every operation of
/api/schema/, keeps the CSP, passes axe and opens an operation by keyboard."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.harness.browser import assert_accessible, csp_blocked
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# securitypolicyviolation events reach the console too: a blocked inline style attribute
# set by markup (not by script) is reported there and nowhere else.
REPORT_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', (event) => console.error("
    "'Content Security Policy violation: ' + event.violatedDirective + ' ' + event.blockedURI));"
)


def _open_docs(page: Page, live_site: LiveServer) -> tuple[list[str], list[str], int]:
    """Opens /api/docs/ on alpha; returns the CSP refusals, the addresses the page asked
    for off its own host, and how many operations the schema it loaded describes."""
    blocked = csp_blocked(page)
    page.add_init_script(REPORT_VIOLATIONS)
    own_host = urlsplit(live_site.url("alpha")).netloc
    elsewhere: list[str] = []

    def seen(request: Request) -> None:
        if urlsplit(request.url).netloc not in {own_host, ""}:
            elsewhere.append(request.url)

    page.on("request", seen)
    with page.expect_response(
        lambda response: urlsplit(response.url).path == "/api/schema/"
    ) as loaded:
        response = page.goto(live_site.url("alpha", "/api/docs/"))
    assert response is not None
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    schema = loaded.value
    assert schema.ok
    operations = sum(
        1 for item in schema.json()["paths"].values() for method in item if method in HTTP_METHODS
    )
    expect(page.locator(".opblock").first).to_be_visible()
    return blocked, elsewhere, operations


def test_the_docs_show_every_operation_from_the_schema_and_keep_the_csp(
    page: Page, live_site: LiveServer
) -> None:
    blocked, elsewhere, operations = _open_docs(page, live_site)
    assert operations > 20
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.get_by_role("heading", name="Townsquare API")).to_be_visible()
    expect(page.get_by_text("/api/v1/dialogues/{slug}/ideas/").first).to_be_visible()
    # Every picture Swagger UI shows loaded (its icons are data: and inline SVG).
    page.wait_for_load_state("networkidle")
    assert elsewhere == [], f"the page asked another host for {elsewhere}"
    assert blocked == [], blocked


def test_the_docs_pass_axe_closed_and_with_an_operation_open(
    page: Page, live_site: LiveServer
) -> None:
    blocked, _, _ = _open_docs(page, live_site)
    assert_accessible(page)
    operation = page.locator(".opblock").filter(has_text="/api/v1/dialogues/{slug}/ideas/").first
    operation.locator(".opblock-summary-control").click()
    expect(operation.get_by_role("button", name="Try it out")).to_be_visible()
    expect(operation.locator(".responses-wrapper")).to_be_visible()
    assert_accessible(page)
    operation.get_by_role("button", name="Try it out").click()
    expect(operation.get_by_role("button", name="Execute")).to_be_visible()
    assert_accessible(page)
    assert blocked == [], blocked


def test_an_operation_opens_by_keyboard_and_tries_a_request(
    page: Page, live_site: LiveServer
) -> None:
    blocked, _, _ = _open_docs(page, live_site)
    # Tab from the top of the page to the first operation's summary, as a keyboard user would.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(
            "() => document.activeElement.classList.contains('opblock-summary-control')"
        ):
            break
    else:
        pytest.fail("Tab never reached an operation")
    block_id = page.evaluate("() => document.activeElement.closest('.opblock').id")
    operation = page.locator(f"[id='{block_id}']")
    summary = operation.locator(".opblock-summary-control")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(operation).to_have_class(re.compile(r"\bis-open\b"))
    expect(summary).to_have_attribute("aria-expanded", "true")
    # Try it out and Execute by keyboard too: the answer of the live API is shown.
    try_it = operation.get_by_role("button", name="Try it out")
    try_it.focus()
    page.keyboard.press("Enter")
    execute = operation.get_by_role("button", name="Execute")
    execute.focus()
    with page.expect_response(lambda response: "/api/v1/" in response.url) as answered:
        page.keyboard.press("Enter")
    assert answered.value.status == 200
    status = operation.locator(".live-responses-table tr.response .response-col_status")
    expect(status.first).to_have_text("200")
    assert_accessible(page)
    assert blocked == [], blocked
