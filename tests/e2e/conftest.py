"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the main thread, which makes Django refuse
# ORM calls from the test body; the live server itself is a real, separate thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium) "
            "to run the browser tests.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile of its own.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def viewport():
    """Override with @pytest.mark.parametrize("viewport", [{...}]) for other screen sizes."""
    return {"width": 1280, "height": 800}


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def axe_violations(page):
    """Run axe-core's WCAG 2.2 AA rules on the current page and return its violations.

    The app's Content-Security-Policy (script-src 'self') blocks an inline <script>, so
    add_script_tag(content=...) cannot inject axe; page.evaluate() runs through the
    DevTools protocol, which CSP does not apply to, so no bypass_csp is needed.
    """
    page.evaluate(AXE_JS.read_text())
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(results => results.violations)",
        WCAG_TAGS,
    )


def format_violations(violations, max_targets=3):
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:max_targets]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(violation['nodes'])} node(s): {', '.join(targets)}]"
        )
    return "\n".join(lines)


@pytest.fixture
def assert_no_axe_violations():
    """A fixture, so that test modules need not import conftest."""

    def check(page):
        violations = axe_violations(page)
        assert not violations, f"axe violations on {page.url}:\n{format_violations(violations)}"

    return check
