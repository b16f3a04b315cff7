"""A user gets an API token from their account, uses it, and revokes it (issue 21, item 12)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Playwright, expect

from e2e.conftest import screenshot


def test_create_copy_use_and_revoke_an_api_token(signed_in: Page, live_server, playwright: Playwright):  # noqa: ANN001
    page = signed_in
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(page.get_by_text("No tokens yet")).to_be_visible()

    # A name is asked for: a list of unnamed tokens says nothing about which one to revoke.
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Token name")).to_be_focused()  # the browser's own required check
    page.get_by_label("Token name").fill("报告脚本 report script")
    page.get_by_role("button", name="Create token").click()

    new = page.get_by_test_id("new-token")
    expect(new).to_contain_text("shown only this once")
    token = page.get_by_role("textbox", name="Your new token").input_value()
    assert re.fullmatch(r"otl_[A-Za-z0-9_-]{43}", token), token
    page.get_by_role("button", name="Copy").click()
    expect(new.get_by_role("status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == token
    screenshot(page, "api-tokens-new")

    api = playwright.request.new_context()  # a program: no cookies, only the token
    documents = f"{live_server.url}/api/v1/documents"
    assert api.get(documents, headers={"Authorization": f"Bearer {token}"}).status == 200

    page.reload()  # shown once: a reload neither shows it again nor makes another
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    row = page.get_by_test_id("token-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("报告脚本 report script")
    expect(row).to_contain_text(f"{token[:12]}…")
    expect(row).to_contain_text("last used")

    row.get_by_role("button", name="Revoke 报告脚本 report script").click()
    expect(page.get_by_role("status").first).to_contain_text("Revoked “报告脚本 report script”")
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    assert api.get(documents, headers={"Authorization": f"Bearer {token}"}).status == 401

    # The API docs are in the app's layout and lead back here.
    page.get_by_role("link", name="Outliner API").click()
    expect(page.get_by_role("heading", name="Outliner API", level=1)).to_be_visible()
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    screenshot(page, "api-docs-from-tokens")
    page.get_by_test_id("api-tokens-link").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    api.dispose()
