"""The Content-Security-Policy the service sends (api/app.py) against the real pages in headless Chromium: every
page and the API docs work under it, with no violation reported, and the docs load nothing from another origin."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

pytestmark = pytest.mark.browser


def watch(page: Page, base_url: str) -> tuple[list[str], list[str]]:
    """Collects the policy violations Chromium reports and every request to another origin."""
    violations: list[str] = []
    elsewhere: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def on_request(request: Request) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
            elsewhere.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    return violations, elsewhere


@pytest.mark.parametrize(
    ("path", "shown"), [("/ui/", "#need"), ("/ui/explorer.html", "#query"), ("/ui/centre.html", "h1")]
)
def test_the_pages_run_under_the_policy(page: Page, base_url: str, path: str, shown: str) -> None:
    violations, elsewhere = watch(page, base_url)
    page.goto(path)
    expect(page.locator(shown).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not violations and not elsewhere, (violations, elsewhere)


def test_swagger_ui_renders_from_local_files_under_its_policy(page: Page, base_url: str) -> None:
    violations, elsewhere = watch(page, base_url)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("sharekg")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not violations and not elsewhere, (violations, elsewhere)
