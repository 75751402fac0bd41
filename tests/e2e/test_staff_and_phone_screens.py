"""The staff pages on a desktop and on a phone: they fit, and the console stays clean."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import STAFF_PASSWORD, LiveKiosk, watch_console


def _fits(page: Page, folder: Path, name: str) -> None:
    # Not wait_for_function with a string: Playwright evaluates it with eval(), which the
    # page's Content-Security-Policy forbids whenever the first check is not already true.
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the screen"
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("device", "viewport"),
    [("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 375, "height": 812})],
)
def test_staff_pages(
    browser: Browser, live_kiosk: LiveKiosk, tmp_path: Path, device: str, viewport: dict[str, int]
) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    errors = watch_console(page)
    page.goto(live_kiosk.url + "/admin/")
    _fits(page, folder, f"admin-sign-in-{device}")
    page.get_by_label("用户名").fill("e2e-officer")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("诉求台账")
    _fits(page, folder, f"admin-appeals-{device}")
    with sqlite3.connect(live_kiosk.database) as connection:
        (reference,) = connection.execute(
            "SELECT reference FROM appeal WHERE status = 'reopened' ORDER BY id LIMIT 1"
        ).fetchone()
    page.goto(f"{live_kiosk.url}/admin/appeals/{reference}")
    expect(page.locator("h1")).to_have_text(reference)
    _fits(page, folder, f"admin-appeal-{device}")
    page.goto(live_kiosk.url + "/admin/audit")
    _fits(page, folder, f"admin-audit-{device}")
    page.goto(live_kiosk.url + "/admin/printers")
    expect(page.locator("[data-printer='kiosk-1:receipt']")).to_be_visible()
    page.locator("details.preview summary").first.click()
    preview = page.locator("img.preview__img").first
    expect(preview).to_be_visible()
    expect(preview).to_have_js_property("complete", True)
    assert preview.evaluate("img => img.naturalWidth") == 576  # the 80 mm paper, in dots
    _fits(page, folder, f"admin-printers-{device}")
    context.close()
    assert errors == []


def test_status_page_on_a_phone(phone: Page, live_kiosk: LiveKiosk, tmp_path: Path) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    errors = watch_console(phone)
    with sqlite3.connect(live_kiosk.database) as connection:
        tokens = dict(
            connection.execute(
                "SELECT status, token FROM appeal"
                " WHERE status IN ('resolved', 'closed') ORDER BY id"
            ).fetchall()
        )
    for status, token in tokens.items():
        phone.goto(f"{live_kiosk.url}/status/{token}")
        expect(phone.locator("[data-status]")).to_have_attribute("data-status", status)
        _fits(phone, folder, f"status-{status}-phone")
    assert errors == []
