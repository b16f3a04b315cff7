from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.conftest import PASSWORD, screenshot


def test_sign_up_log_out_and_log_in_again(page: Page, live_server, transactional_db):  # noqa: ANN001
    # A first visit says what Outliner does, with an example, and leads to sign-up.
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("An outline of any Word document")
    expect(page.get_by_test_id("landing-example")).to_contain_text("Working hours")
    screenshot(page, "landing")
    page.get_by_role("link", name="Create a free account").click()

    page.get_by_label("Username").fill("韩梅梅")
    # A password that breaks the rules is told so under it (it showed under the confirmation), and
    # the rules read as a list.
    page.get_by_label("Password", exact=True).fill("123")
    page.get_by_label("Password confirmation").fill("123")
    page.get_by_role("button", name="Sign up").click()
    password = page.get_by_label("Password", exact=True).locator("xpath=..")
    expect(password).to_contain_text("This password is too short")
    expect(page.get_by_label("Password confirmation").locator("xpath=..")).not_to_contain_text("too short")
    expect(password.locator("ul li").first).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Your documents")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text("韩梅梅")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    screenshot(page, "empty-documents")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_label("Username").fill("韩梅梅")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("current-user")).to_have_text("韩梅梅")
    # Signed in, the front page is the user's documents.
    page.goto(live_server.url)
    expect(page).to_have_url(f"{live_server.url}/documents/")
