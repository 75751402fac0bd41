"""Continue on your phone, in two browsers: the kiosk shows a QR, a phone fills the field."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveKiosk, watch_console
from tests.e2e.kiosk_pages import (
    WORDS,
    choose,
    contact,
    first_tenant,
    pick_company,
    start_appeal,
    tap,
)


def test_phone_fills_the_description(
    page: Page, phone: Page, live_kiosk: LiveKiosk, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    words = WORDS["zh_CN"]
    errors = watch_console(page) + watch_console(phone)
    company, _ = first_tenant(live_kiosk.database)
    start_appeal(page, live_kiosk.url, "zh_CN")
    pick_company(page, "zh_CN", company[2:5], company)
    choose(page, "zh_CN", "交通出行")
    field = page.get_by_label(words["description"])
    field.fill("园区到地铁站")

    page.get_by_role("button", name="在手机上填写").click()
    dialog = page.get_by_role("dialog", name="在手机上填写")
    expect(dialog).to_be_visible()
    code = page.locator("[data-hand-off-code]")
    expect(code.locator("svg")).to_be_visible()
    page.screenshot(path=str(shots / "hand-off-kiosk-portrait-zh.png"))
    url = code.get_attribute("data-url")
    assert url and url.startswith(live_kiosk.url + "/fill/")

    phone.goto(url)
    box = phone.get_by_role("textbox")
    expect(box).to_have_value("园区到地铁站")  # carry on from what was typed at the kiosk
    phone.screenshot(path=str(shots / "hand-off-phone.png"), full_page=True)
    text = "园区到地铁站没有接驳公交，员工通勤要一个多小时。希望开通定制通勤专线。🚌"
    box.fill(text)
    sent_at = time.monotonic()
    phone.get_by_role("button", name="发送到自助终端").click()
    expect(phone.get_by_role("heading", name="已发送")).to_be_visible()

    expect(dialog).to_be_hidden(timeout=3_000)  # within two seconds of Send (one poll a second)
    expect(field).to_have_value(text)
    assert time.monotonic() - sent_at < 3
    expect(page.locator("[data-count-for]")).to_contain_text(f"{len(list(text))} / 1000")

    tap(page, "button", words["continue"])
    contact(page, "zh_CN", "韦国兵", "13807315678")
    tap(page, "button", words["submit"])
    expect(page.locator("[data-reference]")).to_be_visible()
    with sqlite3.connect(live_kiosk.database) as connection:
        stored = connection.execute(
            "SELECT description FROM appeal ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        left = connection.execute("SELECT count(*) FROM hand_off").fetchone()[0]
    assert stored == text
    assert left == 0  # nothing of the hand-off is kept

    phone.goto(url)  # one use
    expect(phone.get_by_text("这个链接已经失效")).to_be_visible()
    assert errors == []
