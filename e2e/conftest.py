"""Playwright end-to-end tests: a real Chromium against Django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

# A noisy 2-core machine runs the model, a worker and the browser at once: give UI waits room.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make
# happen outside it, so Django's async-safety guard is a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
# Not under test-results/: pytest-playwright empties that folder at the start of every run.
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
PASSWORD = "a-long-passphrase-42"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # Playwright cannot download its own browser here: use Debian's Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _no_csp_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every browser test also proves the Content Security Policy holds: Chromium reports each
    blocked script, style or eval as a console error, and any one fails the test."""
    if "context" not in request.fixturenames:
        yield
        return
    violations: list[str] = []
    context = request.getfixturevalue("context")
    context.on(
        "console",
        lambda m: (
            violations.append(f"{m.location.get('url')}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    yield
    assert violations == [], "the page broke its Content Security Policy"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def account(transactional_db) -> User:  # noqa: ANN001
    return User.objects.create_user(username="李雷", password=PASSWORD)


def log_in(page: Page, base_url: str, account: User) -> Page:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/documents/")
    return page


@pytest.fixture
def signed_in(page: Page, live_server, account: User) -> Page:  # noqa: ANN001
    return log_in(page, live_server.url, account)


@pytest.fixture
def signed_in_without_js(browser: Browser, live_server, account: User) -> Iterator[Page]:  # noqa: ANN001
    """A logged-in page in a browser with JavaScript off: the plain-HTML path."""
    context = browser.new_context(java_script_enabled=False)
    yield log_in(context.new_page(), live_server.url, account)
    context.close()


# The widths pages are checked and photographed at: a desktop and a phone (iPhone 12/13/14).
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest) -> str:
    """The colour scheme a test's browser context asks for (prefers-color-scheme)."""
    return request.param


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    """A desktop or a phone (a key of WIDTHS)."""
    return request.param


@pytest.fixture
def themed_page(browser: Browser, width: str, theme: str) -> Iterator[Page]:
    """A page at `width` in `theme`: a phone is a touch device with a mobile viewport."""
    context = browser.new_context(
        viewport=WIDTHS[width], color_scheme=theme, is_mobile=width == "phone", has_touch=width == "phone"
    )
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Keep a picture of what the user saw (var/screenshots/), for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
