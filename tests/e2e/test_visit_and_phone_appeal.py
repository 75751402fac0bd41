"""An officer records a visit on a 390×844 phone; a tenant raises a problem from the complaint
QR's phone form, the mobile confirmed with the code the fake SMS provider received. Screens are
shot at 390×844 and 1440×900 in both languages (into $SCREENSHOT_DIR when set)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from kiosk.config import SMS_EVENTS
from tests.e2e.conftest import (
    STAFF_PASSWORD,
    LiveKiosk,
    fill_visit,
    serving_with_sms,
    watch_console,
)
from tests.support.fake_sms import FakeSms

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def sms_kiosk(tmp_path: Path, demo_instance: Path) -> Iterator[tuple[LiveKiosk, FakeSms]]:
    """`kiosk serve` on a copy of the demo, its SMS sent to a fake provider on loopback."""
    with serving_with_sms(tmp_path, demo_instance) as served:
        yield served


def _shot(page: Page, folder: Path, name: str) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the screen"
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _sign_in(page: Page, url: str) -> None:
    page.goto(url + "/admin/")
    page.get_by_label("用户名").fill("e2e-officer")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")


def _code(fake: FakeSms, mobile: str) -> str:
    """The code the fake provider received for `mobile` (the demo's other messages go too)."""
    template = f"SMS_{SMS_EVENTS.index('phone_code')}"
    deadline = time.monotonic() + 30  # the message worker looks every two seconds
    while time.monotonic() < deadline:
        for sent in fake.received:
            if sent["PhoneNumbers"] == mobile and sent["TemplateCode"] == template:
                code: str = json.loads(sent["TemplateParam"])["code"]
                return code
        time.sleep(0.2)
    raise AssertionError(f"no code reached {mobile}: {fake.refused}")


def test_an_officer_records_a_visit_and_a_tenant_raises_a_problem_by_phone(
    browser: Browser, sms_kiosk: tuple[LiveKiosk, FakeSms], shots: Path
) -> None:
    live, fake = sms_kiosk
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    page = context.new_page()
    errors = watch_console(page)
    _sign_in(page, live.url)
    page.goto(live.url + "/admin/visits/new")
    page.get_by_label("按企业名称或信用代码查找").fill("有限公司")
    page.locator("form[role=search] button[type=submit]").click()
    _shot(page, shots, "visit-choose-phone-zh")
    page.locator("[data-company]").first.click()
    problems = [
        ("labour", "招聘高校毕业生的补贴怎么申请？"),
        ("market", "想申请食品经营许可，不清楚流程。"),
    ]
    fill_visit(page, "李明（总经理）", "企业扩产用地和高校毕业生招聘。", problems, "李明")
    ticks = page.locator(".policy-offer input[type=checkbox]")
    told = ticks.count() > 0
    if told:
        ticks.first.check()
    _shot(page, shots, "visit-form-phone-zh")
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.locator("[data-visit-problems] li")).to_have_count(2)
    raised = page.locator("[data-visit-problems] li").evaluate_all(
        "items => items.map(item => item.dataset.appeal)"
    )
    _shot(page, shots, "visit-show-phone-zh")
    page.locator(".back a").click()
    expect(page.locator("[data-company-visits] [data-visit]")).to_have_count(1)
    if told:
        expect(page.locator("[data-policies-told] li")).not_to_have_count(0)
    _shot(page, shots, "company-page-phone-zh")
    page.get_by_role("link", name="企业档案").click()
    for reference in raised:
        expect(page.locator(f"[data-entry='appeal'][data-reference='{reference}']")).to_be_visible()
    expect(page.locator("[data-entry='visit']")).to_have_count(1)
    _shot(page, shots, "company-history-phone-zh")
    history_url = page.url
    page.goto(live.url + "/admin/appeals?source=visit&status=")
    for reference in raised:
        expect(
            page.locator(f"[data-reference='{reference}'] [data-source='visit']")
        ).to_be_visible()

    # the tenant, on their phone, from the complaint QR on the screen
    tenant = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = tenant.new_page()
    phone_errors = watch_console(phone)
    phone.goto(live.url + "/phone-appeal/demo")
    _shot(phone, shots, "phone-form-phone-zh")
    phone.locator("#company").select_option("other")
    phone.get_by_label("企业名称").fill("长沙小米粒文化传媒有限公司")
    phone.locator("#category").select_option("property")
    phone.get_by_label("请描述问题").fill("大楼电梯早高峰排队二十分钟。")
    phone.get_by_label("您的姓名").fill("赵六")
    phone.get_by_label("您的手机号").fill("13912345678")
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator("h1")).to_have_text("输入验证码")
    _shot(phone, shots, "phone-code-phone-zh")
    phone.get_by_label("短信验证码").fill(_code(fake, "13912345678"))
    phone.get_by_role("button", name="确认并提交问题").click()
    expect(phone.locator("[data-status='new']")).to_be_visible()
    _shot(phone, shots, "phone-status-phone-zh")
    reference = phone.locator(".status-ref").inner_text().strip()
    page.goto(live.url + "/admin/appeals?source=phone&status=")
    expect(page.locator(f"[data-reference='{reference}'] [data-source='phone']")).to_be_visible()

    # the same screens in English, and on a desktop
    phone.goto(live.url + "/phone-appeal/demo?lang=en")
    _shot(phone, shots, "phone-form-phone-en")
    for language in ("zh", "en"):
        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")  # type: ignore[arg-type]
        wide = desk.new_page()
        _sign_in(wide, live.url)
        if language == "en":
            wide.locator(".language__switch[value='en']").click()
            wide.wait_for_load_state("load")
        wide.goto(history_url)
        _shot(wide, shots, f"company-history-desktop-{language}")
        wide.goto(history_url.replace("/history", "/visits/new"))
        _shot(wide, shots, f"visit-form-desktop-{language}")
        wide.goto(live.url + f"/phone-appeal/demo?lang={'en' if language == 'en' else 'zh_CN'}")
        _shot(wide, shots, f"phone-form-desktop-{language}")
        desk.close()
    page.locator(".language__switch[value='en']").click()
    page.goto(history_url.replace("/history", "/visits/new"))
    _shot(page, shots, "visit-form-phone-en")
    page.goto(history_url)
    _shot(page, shots, "company-history-phone-en")
    context.close()
    tenant.close()
    assert errors == [] and phone_errors == []
