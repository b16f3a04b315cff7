"""Every page checked with axe-core (from npm, injected into the page), in both themes and both
languages: no serious or critical violation.

axe is injected as a script, which the Content Security Policy would block, so these pages open
in a context that bypasses it (the other browser tests prove the policy holds).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from documents import services
from documents.models import OutlineTask
from documents.tests.conftest import make_docx
from e2e.conftest import PASSWORD, WIDTHS, screenshot

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
OUTLINE = "# 制度\n\n## 第一章 总则\n\n- 适用于全体员工。\n\n## 第二章 考勤\n\n- 按时上下班。\n"


@pytest.fixture(params=["en", "zh-hans"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


# Each page is checked at both widths (WIDTHS): loaded once, then resized (a load per width doubled
# the run).


@pytest.fixture
def a11y_page(browser: Browser, live_server, theme: str, language: str) -> Iterator[Page]:  # noqa: ANN001
    context = browser.new_context(bypass_csp=True, color_scheme=theme, viewport=WIDTHS["desktop"])
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    yield context.new_page()
    context.close()


def _log_in_in_any_language(page: Page, base_url: str, account) -> None:  # noqa: ANN001
    """The log-in form in either language: by the fields' names, not their (translated) labels."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(account.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/documents/")


def serious_violations(page: Page, exclude: tuple[str, ...] = ()) -> list[str]:
    """axe's serious and critical findings on the page as it is now, at each width in WIDTHS, one
    line each (outside the `exclude` selectors)."""
    page.add_script_tag(path=str(AXE))
    found = []
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        results = page.evaluate(
            "async (exclude) => await axe.run({include: [document], exclude: exclude.map((s) => [s])},"
            " {resultTypes: ['violations']})",
            list(exclude),
        )
        found += [
            f"{width}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    page.set_viewport_size(WIDTHS["desktop"])
    return found


def test_every_page_has_no_serious_accessibility_violation(a11y_page: Page, live_server, account):  # noqa: ANN001
    page = a11y_page
    found: dict[str, list[str]] = {}
    for name, path in {"landing": "/", "log in": "/accounts/login/", "sign up": "/accounts/signup/"}.items():
        page.goto(live_server.url + path)
        found[name] = serious_violations(page)

    document = services.document_create(
        owner=account,
        uploaded=SimpleUploadedFile("制度.docx", make_docx([(1, "第一章 总则"), (1, "第二章 考勤")])),
    )
    task = OutlineTask.objects.create(owner=account, document=document, status="succeeded", result=OUTLINE)
    outline = services.outline_adopt(task=task, only_if_first=True)
    # The document page also shows a regenerated section waiting for Keep or Discard, and the
    # badges of a revision's diff.
    OutlineTask.objects.create(
        owner=account, document=document, status="succeeded", result="- 新的要点。\n",
        section_index=0, section_version=1,
    )  # fmt: skip
    document.revision_diff = [{"title": "第二章 考勤", "level": 1, "status": "changed"}]
    # And the notes of a file opened with repairs.
    document.warnings = [
        {"code": "metadata_unreadable", "part": "docProps/core.xml"},
        {"code": "missing_part", "part": "word/media/image1.png"},
    ]
    document.save(update_fields=["revision_diff", "warnings"])
    _log_in_in_any_language(page, live_server.url, account)
    pages = {
        "documents": "/documents/",
        "document": f"/documents/{document.pk}/",
        "editor": f"/documents/{document.pk}/outline/edit/",
        "history": f"/documents/{document.pk}/outline/history/",
        "task": f"/documents/tasks/{task.pk}/",
        "activity": "/documents/activity/",
        "delete confirmation": f"/documents/{document.pk}/delete/",
        "API tokens": "/accounts/api-tokens/",
        "API docs": "/api/v1/docs",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        # Swagger UI's own markup (ninja's bundle: low-contrast stamps, buttons inside its rows) is
        # not ours to change; the page around it is checked.
        found[name] = serious_violations(page, exclude=("#swagger-ui",) if name == "API docs" else ())

    # The conflict view: a save from a page that another tab's save has made stale.
    page.goto(f"{live_server.url}/documents/{document.pk}/outline/edit/")
    theirs = OUTLINE.replace("按时", "准时")
    services.outline_save(outline=outline, base_version=1, markdown=theirs, author=None)
    page.locator("textarea[name=markdown]").evaluate("(t) => { t.value = t.value.replace('按时', '弹性'); }")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("[data-testid=merge-question]")
    found["conflict"] = serious_violations(page)

    assert {name: v for name, v in found.items() if v} == {}


def _tab_to(page: Page, target, limit: int = 40) -> None:  # noqa: ANN001
    """Press Tab until `target` has the focus (a keyboard user's way there)."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never got the focus in {limit} tabs")


def test_keyboard_only_skip_to_content_generate_and_cancel(
    signed_in: Page,
    live_server,
    account,
    celery_worker_process,  # noqa: ANN001
):
    sections = [(1, f"第{n}章 概述") for n in "一二三四五六七八"]
    body = "本章说明项目的目标、范围和进度安排，由项目组负责落实，每月向管理层汇报一次进展。"
    upload = SimpleUploadedFile("键盘.docx", make_docx(sections, body=body))
    document = services.document_create(owner=account, uploaded=upload)
    page = signed_in
    page.goto(f"{live_server.url}/documents/{document.pk}/")

    page.keyboard.press("Tab")  # the first stop skips the navigation (8 stops before content)
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    _tab_to(page, page.get_by_role("button", name="Generate outline"))
    page.keyboard.press("Enter")

    # The button gave way to a link, and focus went to the card, not back to <body>.
    heading = page.get_by_test_id("task-card").get_by_role("heading", name="Generated outline")
    expect(heading).to_be_focused()
    _tab_to(page, page.get_by_role("button", name="Cancel"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("task-card")).to_have_attribute("data-status", "cancelled", timeout=10_000)
    expect(page.get_by_test_id("task-card").get_by_role("heading", name="Generated outline")).to_be_focused()


def test_notify_me_when_blocked_says_so(signed_in: Page):
    # The button did nothing visible when the browser blocks notifications.
    page = signed_in
    page.evaluate("() => { Notification.requestPermission = async () => 'denied'; }")  # as a blocked site

    page.get_by_role("button", name="Notify me when done").click()

    status = page.get_by_role("status").filter(has_text="Notifications are blocked for this site")
    expect(status).to_be_visible()
    expect(page.get_by_role("button", name="Notify me when done")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_on_a_phone_the_header_keeps_to_two_rows(browser: Browser, live_server, account, language):  # noqa: ANN001
    # It wrapped onto three rows at 390 x 844.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    _log_in_in_any_language(page, live_server.url, account)

    nav = page.get_by_role("navigation").first
    boxes = nav.evaluate(
        "el => [...el.querySelectorAll('a, button, select')].filter((e) => e.offsetParent !== null)"
        ".map((e) => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })"
    )
    screenshot(page, f"phone-header-{language}")
    context.close()
    rows: list[list[float]] = []  # a control starts a new row when it lies wholly below the last
    for top, bottom in sorted(boxes):
        if rows and top < rows[-1][1]:
            rows[-1][1] = max(rows[-1][1], bottom)
        else:
            rows.append([top, bottom])
    rows = len(rows)
    assert rows <= 2, f"{rows} rows"
