"""The whole appeal, as people do it: the tenant at the screen, the slip, staff, the phone."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LANDSCAPE, STAFF_PASSWORD, LiveKiosk, watch_console
from tests.e2e.kiosk_pages import (
    WORDS,
    choose,
    contact,
    describe,
    first_tenant,
    pick_company,
    start_appeal,
    tap,
)
from tests.support.escpos_decoder import decode


def _wait_for_printer_state(kiosk: LiveKiosk, wanted: str, seconds: float = 15) -> None:
    """Wait until the kiosk's print worker has polled the printer and recorded `wanted`."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(kiosk.database) as connection:
            row = connection.execute("SELECT state FROM printer_state").fetchone()
        if row and row[0] == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"the printer state never became {wanted}")


def _count_appeals(kiosk: LiveKiosk) -> int:
    with sqlite3.connect(kiosk.database) as connection:
        return int(connection.execute("SELECT count(*) FROM appeal").fetchone()[0])


def _staff_answers(page: Page, url: str, reference: str, reply: str, answer: str) -> None:
    """A staff member signs in, replies and resolves the appeal."""
    page.goto(url + "/admin/sign-in")
    page.get_by_label("用户名").fill("e2e-officer")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/dashboard$"))  # the figures come first
    page.goto(url + "/admin/appeals")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_contain_text(reference)
    page.locator("form[action$='/reply'] textarea").fill(reply)
    page.locator("form[action$='/reply'] button[type=submit]").click()
    expect(page.get_by_text(reply).first).to_be_visible()
    page.locator("form[action$='/resolve'] textarea").fill(answer)
    page.locator("form[action$='/resolve'] button[type=submit]").click()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "resolved")


def test_appeal_in_chinese_from_touchscreen_to_rating(
    page: Page, live_kiosk: LiveKiosk, staff_page: Page, phone: Page
) -> None:
    errors = watch_console(page)
    words = WORDS["zh_CN"]
    company, _ = first_tenant(live_kiosk.database)
    start_appeal(page, live_kiosk.url, "zh_CN")
    pick_company(page, "zh_CN", company[2:5], company)
    choose(page, "zh_CN", "交通出行")
    describe(page, "zh_CN", "园区到地铁站没有接驳公交，员工通勤时间长，希望开通定制专线。")
    contact(page, "zh_CN", "韦国兵", "138 0731 5678")

    expect(page.locator("h1")).to_have_text(words["check"])
    for shown in (company, "交通出行", "希望开通定制专线", "韦国兵", "13807315678"):
        expect(page.locator("dl.summary")).to_contain_text(shown)
    tap(page, "button", words["submit"])

    reference = page.locator("[data-reference]").inner_text().strip()
    assert re.fullmatch(r"SQ-\d{8}-\d{4}", reference)
    (job,) = live_kiosk.printer.wait_for_jobs(1, timeout=15)
    slip = decode(job)
    assert reference in slip.text
    assert "诉求类别：交通出行" in slip.text and "联系电话：138****5678" in slip.text
    assert len(slip.cuts) == 1
    (status_url,) = slip.qr_payloads
    assert (
        status_url.startswith(live_kiosk.url + "/status/")
        and len(status_url.rsplit("/", 1)[1]) >= 32
    )
    expect(page.locator("[data-when=printed]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-when=failed]")).to_be_hidden()

    _staff_answers(
        staff_page,
        live_kiosk.url,
        reference,
        "已联系公交公司勘查线路。",
        "已开通定制通勤专线，共设8个站点。",
    )

    phone.goto(status_url)
    expect(phone.locator(".status-ref")).to_have_text(reference)
    expect(phone.get_by_text("已联系公交公司勘查线路。")).to_be_visible()
    expect(phone.locator("[data-answer]")).to_have_text("已开通定制通勤专线，共设8个站点。")
    expect(phone.locator("body")).not_to_contain_text("韦国兵")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_text("感谢您的评价。")).to_be_visible()
    expect(phone.locator("[data-status]")).to_have_attribute("data-status", "closed")

    tap(page, "button", words["finish"])
    expect(page.locator("h1")).to_have_text(words["home"])
    assert errors == []


def test_appeal_in_english_for_a_company_not_in_the_building(
    landscape: Page, live_kiosk: LiveKiosk
) -> None:
    page = landscape
    errors = watch_console(page)
    words = WORDS["en"]
    start_appeal(page, live_kiosk.url, "en")
    tap(page, "button", words["not_listed"])
    page.get_by_label(words["company_name"]).fill("Hunan 𠮷祥 Trading Co., Ltd.")
    tap(page, "button", words["continue"])
    choose(page, "en", "Financing")
    describe(page, "en", "We need a working-capital loan; which bank programmes can we apply for?")
    contact(page, "en", "Li Na", "+86 139 0000 1234")
    expect(page.locator("dl.summary")).to_contain_text("Hunan 𠮷祥 Trading Co., Ltd.")
    appeals_before = _count_appeals(live_kiosk)
    # An impatient double tap on Submit: one appeal, one slip.
    page.get_by_role("button", name=words["submit"]).dblclick()
    reference = page.locator("[data-reference]").inner_text().strip()
    slip = decode(live_kiosk.printer.wait_for_jobs(1, timeout=15)[0])
    assert _count_appeals(live_kiosk) == appeals_before + 1
    assert len(live_kiosk.printer.jobs) == 1
    assert (
        reference in slip.text and "Category: Financing" in slip.text and "139****1234" in slip.text
    )
    expect(page.locator("[data-when=printed]")).to_be_visible(timeout=10_000)
    assert page.viewport_size == LANDSCAPE
    assert errors == []


def test_idle_screen_wipes_everything_and_back_shows_nothing(
    page: Page, live_kiosk: LiveKiosk
) -> None:
    words = WORDS["zh_CN"]
    secret = "机密：这是上一位用户的描述"
    page.clock.install()
    company, _ = first_tenant(live_kiosk.database)
    start_appeal(page, live_kiosk.url, "zh_CN")
    pick_company(page, "zh_CN", company[2:5], company)
    choose(page, "zh_CN", "融资")
    describe(page, "zh_CN", secret)
    contact(page, "zh_CN", "上一位", "13900001111")
    expect(page.locator("dl.summary")).to_contain_text(secret)

    # From here the page's clock moves only when the test moves it.
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # seconds since the epoch
    page.mouse.click(10, 900)  # a touch: the minute starts again

    # A touch within the minute keeps everything.
    page.clock.run_for(50_000)
    page.mouse.click(10, 900)
    page.clock.run_for(59_000)
    expect(page.locator("#idle-dialog")).to_be_hidden()

    # A minute untouched: "still there?" with a 20-second countdown; one tap continues.
    page.clock.run_for(2_000)
    expect(page.locator("#idle-dialog")).to_be_visible()
    expect(page.get_by_text(words["still_there"])).to_be_visible()
    expect(page.locator("[data-idle-count]")).to_have_text("19")
    page.clock.run_for(4_000)
    expect(page.locator("[data-idle-count]")).to_have_text("15")
    tap(page, "button", words["keep"])
    expect(page.locator("#idle-dialog")).to_be_hidden()
    expect(page.locator("dl.summary")).to_contain_text(secret)

    # Untouched again: the countdown runs out, the session is wiped and the screen goes home.
    page.clock.run_for(61_000)
    expect(page.locator("#idle-dialog")).to_be_visible()
    page.clock.run_for(21_000)
    expect(page.locator("h1")).to_have_text(words["home"], timeout=10_000)
    expect(page.locator("body")).to_have_attribute("data-session", "empty")

    # Back shows nothing of the last person, and the server kept nothing of them.
    page.go_back()
    expect(page.locator("body")).not_to_contain_text(secret)
    expect(page.locator("body")).not_to_contain_text("13900001111")
    with sqlite3.connect(live_kiosk.database) as connection:
        stored = [row[0] for row in connection.execute("SELECT data FROM web_session")]
    assert not any(secret in data or "13900001111" in data for data in stored)


def test_printer_out_of_paper_then_refilled(page: Page, live_kiosk: LiveKiosk) -> None:
    words = WORDS["zh_CN"]
    live_kiosk.printer.state = "paper_out"
    _wait_for_printer_state(live_kiosk, "paper_out")
    page.goto(live_kiosk.url + "/")
    expect(page.locator("[data-printer-notice]")).to_contain_text("回执打印机暂时无法使用")
    company, _ = first_tenant(live_kiosk.database)
    start_appeal(page, live_kiosk.url, "zh_CN")
    pick_company(page, "zh_CN", company[2:5], company)
    choose(page, "zh_CN", "用工")
    describe(page, "zh_CN", "招聘难，希望对接人才招引活动。")
    contact(page, "zh_CN", "刘建明", "13700001111")
    tap(page, "button", words["submit"])
    reference = page.locator("[data-reference]").inner_text().strip()
    # The tenant is told at once, and still has the reference and the QR code.
    expect(page.locator("[data-printer-down]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-printer-down]")).to_contain_text("回执打印机暂时无法使用")
    expect(page.locator("[data-can-retry]")).to_be_hidden()
    assert live_kiosk.printer.jobs == []
    # Staff put paper in: the held slip prints, and the screen says so without a reload.
    live_kiosk.printer.state = "ready"
    expect(page.locator("[data-when=printed]")).to_be_visible(timeout=30_000)
    (job,) = live_kiosk.printer.wait_for_jobs(1, timeout=5)
    assert reference in decode(job).text
