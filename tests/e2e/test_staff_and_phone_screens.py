"""The staff pages on a desktop and on a phone: they fit, and the console stays clean."""

from __future__ import annotations

import os
import re
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
    expect(page.locator("h1")).to_have_text(re.compile(r" 数据$"))  # the figures come first
    _fits(page, folder, f"admin-dashboard-{device}")
    page.goto(live_kiosk.url + "/admin/appeals")
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
    _seed_fleet(live_kiosk.database)
    page.goto(live_kiosk.url + "/admin/fleet?refresh=off")
    expect(page.locator("h1")).to_have_text("终端管理")
    for state in ("online", "stale", "offline", "closed"):
        expect(page.locator(f"[data-kiosk][data-state='{state}']").first).to_be_visible()
    expect(page.locator("[data-alert='lobby-c-1:down']")).to_be_visible()
    _fits(page, folder, f"admin-fleet-{device}")
    page.locator("[data-kiosk='lobby-c-1'] a").click()
    expect(page.locator("[data-state='offline']").first).to_be_visible()
    expect(page.locator("[data-send='test-print']")).to_be_visible()  # a supervisor commands
    _fits(page, folder, f"admin-fleet-kiosk-{device}")
    context.close()
    assert errors == []


def _seed_fleet(database: Path) -> None:
    """Three more kiosks beside the live one: one stale, one offline (alerted), one closed."""
    from datetime import timedelta

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from kiosk.db import utcnow
    from kiosk.services.fleet import kiosks

    engine = create_engine(f"sqlite:///{database}", connect_args={"timeout": 10})
    now = utcnow()
    seeds = [
        ("lobby-b-1", "tower-b", "B座大堂 1号机", 120, ""),
        ("lobby-c-1", "tower-c", "C座大堂 1号机", 900, ""),
        ("lobby-c-2", "tower-c", "C座二楼 2号机", 900, "00:00-23:59"),
    ]
    with Session(engine) as db:
        for kiosk_id, building, name, silent, closed in seeds:
            beat = kiosks.Beat(
                kiosk_id=kiosk_id, building_code=building, name=name, version="0.1.0",
                last_page="/policies", last_page_at=now - timedelta(seconds=silent + 300),
                screen_seen_at=now - timedelta(seconds=silent),
                printers={"receipt": "paper_out" if silent == 120 else "ready"},
                closed_hours=closed,
            )  # fmt: skip
            kiosks.heartbeat(db, beat, now - timedelta(seconds=silent))
        kiosks.sweep(db, kiosks.Limits(90, 180), now)
    engine.dispose()


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
