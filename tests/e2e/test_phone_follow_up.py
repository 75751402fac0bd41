"""On a phone: the status page speaks the language of the submission and switches with one tap;
a 不满意 rating still lets the tenant say "not resolved", and staff find it in the follow-up queue.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveKiosk, watch_console
from tests.e2e.kiosk_pages import staff_sign_in


def _token(kiosk: LiveKiosk, where: str) -> tuple[str, str]:
    with sqlite3.connect(kiosk.database) as connection:
        reference, token = connection.execute(
            f"SELECT reference, token FROM appeal WHERE {where} ORDER BY id LIMIT 1"
        ).fetchone()
    return str(reference), str(token)


def test_the_phone_speaks_the_submission_s_language_and_switches(
    phone: Page, live_kiosk: LiveKiosk, shots: Path
) -> None:
    errors = watch_console(phone)
    _, english = _token(live_kiosk, "locale = 'en'")
    _, chinese = _token(live_kiosk, "locale = 'zh_CN'")
    # The phone asks for Chinese, but the tenant wrote in English at the kiosk.
    phone.goto(f"{live_kiosk.url}/status/{english}")
    expect(phone.locator("h1")).to_have_text("Your appeal")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator(".lang-switch [aria-current=true]")).to_have_text("English")
    phone.screenshot(path=str(shots / "phone-status-en.png"), full_page=True)
    phone.get_by_role("link", name="中文").click()
    expect(phone.locator("h1")).to_have_text("您的诉求")
    phone.screenshot(path=str(shots / "phone-status-zh.png"), full_page=True)
    # The choice sticks: the same page without the parameter, and another appeal's.
    phone.goto(f"{live_kiosk.url}/status/{english}")
    expect(phone.locator("h1")).to_have_text("您的诉求")
    phone.get_by_role("link", name="English").click()
    phone.goto(f"{live_kiosk.url}/status/{chinese}")
    expect(phone.locator("h1")).to_have_text("Your appeal")
    assert errors == []


def test_not_satisfied_then_not_resolved_reaches_the_follow_up_queue(
    phone: Page, staff_page: Page, live_kiosk: LiveKiosk, shots: Path
) -> None:
    errors = watch_console(phone)
    reference, token = _token(live_kiosk, "status = 'resolved'")
    phone.goto(f"{live_kiosk.url}/status/{token}")
    phone.get_by_label("不满意").check()
    phone.locator("#reason").fill("电梯还是每天停运两次")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("[data-status]")).to_have_attribute("data-status", "closed")
    window = phone.locator("[data-reopen-window]")
    expect(window).to_be_visible()
    expect(window).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} 之前"))
    phone.screenshot(path=str(shots / "phone-dissatisfied-zh.png"), full_page=True)
    phone.get_by_role("link", name="English").click()
    expect(window).to_contain_text("take your appeal up again")
    phone.screenshot(path=str(shots / "phone-dissatisfied-en.png"), full_page=True)
    phone.get_by_role("link", name="中文").click()

    staff_sign_in(staff_page, live_kiosk.url)
    staff_page.goto(live_kiosk.url + "/admin/appeals")
    follow_up = staff_page.locator("[data-count=follow-up]")
    before = int(follow_up.locator(".to-do__figure").inner_text().replace(",", ""))
    follow_up.click()
    marked = staff_page.locator(f"[data-reference='{reference}'] [data-dissatisfied]")
    expect(marked).to_be_visible()

    phone.locator("#reopen-reason").fill("物业说要等配件，没有给日期")
    phone.get_by_role("button", name="问题没有解决").click()
    expect(phone.locator("[data-status]")).to_have_attribute("data-status", "reopened")
    expect(phone.locator("[data-reopen-window]")).to_have_count(0)

    staff_page.goto(live_kiosk.url + "/admin/appeals")
    follow_up = staff_page.locator("[data-count=follow-up] .to-do__figure")
    expect(follow_up).to_have_text(str(before))  # the same appeal, now reopened, still counted
    staff_page.screenshot(path=str(shots / "admin-ledger-zh.png"), full_page=True)
    staff_page.locator("[data-count=follow-up]").click()
    row = staff_page.locator(f"[data-reference='{reference}']")
    expect(row).to_contain_text("重新办理")
    staff_page.screenshot(path=str(shots / "admin-follow-up-zh.png"), full_page=True)
    staff_page.get_by_role("button", name="English").click()
    expect(staff_page.locator("[data-count=overdue]")).to_contain_text("Overdue")
    staff_page.goto(live_kiosk.url + "/admin/appeals")
    staff_page.screenshot(path=str(shots / "admin-ledger-en.png"), full_page=True)
    assert errors == []
