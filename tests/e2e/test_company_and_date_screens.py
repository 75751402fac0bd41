"""An application's company, applicant and date screens, in both languages and orientations.

The company is picked from the list and confirmed by name, the applicant named, the date tapped
on the kiosk's calendar (no browser date input, no keyboard). Saved to $SCREENSHOT_DIR.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveKiosk, touch_screen, watch_console
from tests.e2e.kiosk_pages import (
    check_layout,
    pick_application_company,
    put_keyboard_away,
    staff_sign_in,
    tenant_with_code,
)

PHONE = {"width": 390, "height": 844}

ZONE = ZoneInfo("Asia/Shanghai")


def _submit_step(page: Page) -> None:
    put_keyboard_away(page)
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()


def _say(day: date, locale: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if locale == "zh_CN" else f"{day:%B} {day.day}"


def _walk(page: Page, live_kiosk: LiveKiosk, shots: Path, locale: str, tag: str) -> None:
    """From the home screen to the check page of a move out; each screen checked and saved."""
    name, uscc = tenant_with_code(live_kiosk.database, skip=2)
    page.goto(live_kiosk.url + "/")
    page.get_by_role("button", name="中文" if locale == "zh_CN" else "English").click()
    page.locator('ul.tiles a.tile[href="/address/"]').click()
    expect(page.locator("[data-not-listed]")).to_be_visible()  # no typed company
    expect(page.locator('button[value="other"]')).to_have_count(0)
    check_layout(page, shots, f"address-company-{tag}")

    def shot(step: str) -> None:
        put_keyboard_away(page)
        check_layout(page, shots, f"address-{step}-{tag}")

    pick_application_company(page, uscc, shot)
    page.locator("[name=destination][value=moving_out]").check()
    _submit_step(page)
    page.locator("#new_address").fill("湖南省长沙市岳麓区麓谷大道1号")
    _submit_step(page)

    today = datetime.now(ZONE).date()
    expect(page.locator("input[type=date]")).to_have_count(0)
    expect(page.locator(f'[data-day="{today}"]')).to_be_visible()
    check_layout(page, shots, f"address-calendar-{tag}")
    for button in page.locator("[data-day]").all()[:3]:
        box = button.bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 48
    rest = page.locator('[data-day][data-workday="false"]')
    if rest.count():  # weekends and holidays look different
        expect(rest.first).to_have_class(re.compile(r"calendar__day--rest"))
    with page.expect_navigation():
        page.locator('[data-month-turn="next"]').click()
    check_layout(page, shots, f"address-calendar-next-{tag}")
    first_workday = page.locator('[data-workday="true"]').first.get_attribute("data-day")
    chosen = date.fromisoformat(first_workday or "")
    assert today < chosen <= today + timedelta(days=89)
    with page.expect_navigation():
        page.locator(f'[data-day="{chosen}"]').click()
    expect(page.locator("dl.summary")).to_contain_text(_say(chosen, locale))
    expect(page.locator("dl.summary")).to_contain_text(name)
    check_layout(page, shots, f"address-check-{tag}")


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_company_applicant_and_calendar_screens(
    browser: Browser, live_kiosk: LiveKiosk, shots: Path, orientation: str
) -> None:
    for locale in ("zh_CN", "en"):
        context, page = touch_screen(browser, orientation)
        errors = watch_console(page)
        _walk(
            page, live_kiosk, shots, locale, f"{orientation}-{'zh' if locale == 'zh_CN' else 'en'}"
        )
        assert errors == []
        context.close()


def test_staff_see_whether_the_applicant_is_on_record(
    browser: Browser, live_kiosk: LiveKiosk, shots: Path
) -> None:
    context, page = touch_screen(browser, "portrait")
    _walk(page, live_kiosk, shots, "zh_CN", "for-staff")
    with page.expect_navigation():
        page.locator("form[data-once] button[type=submit]").last.click()
    context.close()
    with sqlite3.connect(live_kiosk.database) as connection:
        (application_id,) = connection.execute(
            "SELECT id FROM application WHERE task = 'address' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    for size, viewport in (("desktop", {"width": 1440, "height": 900}), ("phone", PHONE)):
        staff = browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
        page = staff.new_page()
        staff_sign_in(page, live_kiosk.url)
        page.goto(f"{live_kiosk.url}/admin/applications/{application_id}")
        check = page.locator("[data-applicant]")
        expect(check).to_contain_text("周少敏 · 13807310000")
        verdict = check.get_attribute("data-applicant")
        assert verdict in ("unknown", "none_on_record"), verdict  # nobody knows 周少敏
        check.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"admin-applicant-{size}-zh.png"))
        page.get_by_role("button", name="English").first.click()
        expect(page.locator("[data-applicant]")).to_contain_text("Call the company")
        page.locator("[data-applicant]").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"admin-applicant-{size}-en.png"))
        staff.close()
