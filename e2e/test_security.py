"""Journeys through the security features: a log-in rate limit a person runs into, and the pages
that load third-party code (API docs, admin) staying inside the Content Security Policy with
nothing fetched from other hosts."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from documents.tests.conftest import make_docx
from e2e.conftest import PASSWORD, log_in, screenshot


def test_too_many_wrong_passwords_make_the_user_wait_even_with_the_right_one(
    page: Page,
    live_server,
    account,
    settings,  # noqa: ANN001
):
    settings.LOGIN_RATE_PER_USERNAME = "3/h"
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(3):
        page.get_by_label("Username").fill(account.username)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_test_id("rate-limited")).to_contain_text("Too many log-in attempts")
    expect(page.get_by_label("Username")).to_have_value(account.username)
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    screenshot(page, "login-rate-limited")


def test_uploading_too_fast_says_to_wait_and_keeps_what_was_uploaded(
    signed_in: Page,
    settings,
    tmp_path,  # noqa: ANN001
):
    settings.UPLOAD_RATE_PER_USER = "2/h"
    page = signed_in
    for name in ("第一份.docx", "第二份.docx", "第三份.docx"):
        path = tmp_path / name
        path.write_bytes(make_docx())
        page.get_by_label("Word documents (.docx)").set_input_files(str(path))
        page.get_by_role("button", name="Upload").click()
        if name != "第三份.docx":
            expect(page.get_by_test_id("upload-results")).to_contain_text(f"Uploaded {name}")

    expect(page.get_by_test_id("upload-error")).to_contain_text("You are uploading too fast")
    expect(page.locator("#document-list li")).to_have_count(2)
    screenshot(page, "upload-rate-limited")


def test_api_docs_and_admin_render_with_only_same_origin_resources(
    page: Page,
    live_server,
    account: User,  # noqa: ANN001
):
    account.is_staff = account.is_superuser = True
    account.save()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if urlsplit(r.url).netloc != urlsplit(live_server.url).netloc and not r.url.startswith("data:")
            else None
        ),
    )
    log_in(page, live_server.url, account)

    page.get_by_role("link", name="API").click()  # the API tokens page, which links to the docs
    page.get_by_role("link", name="Outliner API").click()
    expect(page.locator(".swagger-ui .title")).to_contain_text("Outliner API")
    expect(page.get_by_text("/api/v1/documents", exact=True).first).to_be_visible()
    screenshot(page, "api-docs")

    page.goto(f"{live_server.url}/admin/documents/outlinetask/")
    expect(page.get_by_role("heading", name="Select outline task to view")).to_be_visible()
    page.goto(f"{live_server.url}/admin/documents/document/")
    expect(page.locator("#changelist")).to_be_visible()

    assert elsewhere == [], "nothing is loaded from another host"
