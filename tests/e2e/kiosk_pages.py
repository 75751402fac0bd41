"""Steps a person takes at the touchscreen, in words the page shows (both languages)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import STAFF_PASSWORD

WORDS = {
    "zh_CN": {
        "home": "您要办理什么业务？",
        "tile": "我要反映诉求",
        "search": "按企业名称或统一社会信用代码搜索",
        "search_button": "搜索",
        "not_listed": "自行填写企业名称",
        "company_name": "企业名称",
        "continue": "下一步",
        "description": "遇到了什么问题？",
        "name": "您的姓名",
        "mobile": "手机号码",
        "check": "提交前请核对以下信息",
        "submit": "提交诉求",
        "printed": "回执已打印",
        "finish": "完成",
        "still_there": "您还在吗？",
        "keep": "我还在，继续办理",
    },
    "en": {
        "home": "What would you like to do?",
        "tile": "Raise a problem",
        "search": "Search by company name or unified social credit code",
        "search_button": "Search",
        "not_listed": "Enter the company name myself",
        "company_name": "Company name",
        "continue": "Continue",
        "description": "What is the problem?",
        "name": "Your name",
        "mobile": "Mobile number",
        "check": "Check your answers before submitting",
        "submit": "Submit appeal",
        "printed": "Your slip has been printed",
        "finish": "Finish",
        "still_there": "Are you still there?",
        "keep": "I am still here",
    },
}


# The kiosk's own building (the demo has a second one, in another district).
HERE = "building_id = (SELECT id FROM building WHERE code = 'demo')"


def first_tenant(database: Path) -> tuple[str, str]:
    """Name and floor/room of the first company on the building's list."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            f"SELECT name, floor_room FROM tenant WHERE {HERE}"
            " ORDER BY length(floor_room), floor_room, name LIMIT 1"
        ).fetchone()
    return str(row[0]), str(row[1])


def tenant_with_code(database: Path, skip: int = 0) -> tuple[str, str]:
    """Name and unified social credit code of a company of the building (the `skip`-th)."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            f"SELECT name, uscc FROM tenant WHERE active AND {HERE} ORDER BY id LIMIT 1 OFFSET ?",
            (skip,),
        ).fetchone()
    return str(row[0]), str(row[1])


def staff_sign_in(page: Page, url: str) -> None:
    """Sign in at /admin as the officer the demo instance was given (see conftest)."""
    page.goto(url + "/admin/sign-in")
    page.get_by_label("用户名").fill("e2e-officer")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def tap(page: Page, role: str, name: str) -> None:
    """Tap a button or link by its visible name."""
    page.get_by_role(role, name=re.compile(re.escape(name))).first.click()  # type: ignore[arg-type]


def put_keyboard_away(page: Page) -> None:
    """Leave the field being typed in, so the on-screen keyboard closes."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def pick_application_company(
    page: Page,
    uscc: str,
    shot: Callable[[str], None] | None = None,
    name: str = "周少敏",
    mobile: str = "13807310000",
) -> None:
    """An application's first steps: find the company by its code and tap it, confirm its
    name, say who is applying; `shot` is called on the confirmation and applicant pages."""
    page.locator("#q").fill(uscc)
    put_keyboard_away(page)
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    with page.expect_navigation():
        page.locator(".choices .choice").first.click()
    expect(page.locator("[data-confirm-company]")).to_contain_text(uscc)
    if shot:
        shot("confirm")
    with page.expect_navigation():
        page.locator("#company_confirmed").click()
    expect(page.locator("#applicant_name")).to_be_visible()
    if shot:
        shot("applicant")
    page.locator("#applicant_name").fill(name)
    page.locator("#applicant_mobile").fill(mobile)
    put_keyboard_away(page)
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()


def start_appeal(page: Page, url: str, locale: str) -> None:
    """From the home screen to the first question."""
    words = WORDS[locale]
    page.goto(url + "/")
    if locale == "en":
        page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text(words["home"])
    tap(page, "link", words["tile"])


def pick_company(page: Page, locale: str, search: str, name: str) -> None:
    """Search the building's list and tap the company."""
    words = WORDS[locale]
    page.get_by_label(words["search"]).fill(search)
    tap(page, "button", words["search_button"])
    page.get_by_role("button", name=re.compile(re.escape(name))).click()


def choose(page: Page, locale: str, label: str) -> None:
    """Tap a radio option and continue."""
    page.get_by_label(label, exact=True).check()
    tap(page, "button", WORDS[locale]["continue"])


def describe(page: Page, locale: str, text: str) -> None:
    """Type the problem and continue."""
    page.get_by_label(WORDS[locale]["description"]).fill(text)
    tap(page, "button", WORDS[locale]["continue"])


def contact(page: Page, locale: str, name: str, mobile: str) -> None:
    """Type the contact details and continue."""
    page.get_by_label(WORDS[locale]["name"]).fill(name)
    page.get_by_label(WORDS[locale]["mobile"]).fill(mobile)
    tap(page, "button", WORDS[locale]["continue"])


def check_layout(page: Page, folder: Path | None, name: str) -> None:
    """Check the page fits the screen's width and every touch target is at least 48 px tall;
    save a full-page screenshot as `name`.png in `folder`, if one is given."""
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the screen"
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                'button, a, textarea, label.radio, input:not([type=radio]):not([type=checkbox])')]
            .filter(e => e.offsetParent !== null && !e.classList.contains('skip-link'))
            .filter(e => {
                const r = e.getBoundingClientRect();
                return r.height < 48 && r.width > 0;
            })
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == [], f"{name}: touch targets under 48 px: {small}"
    if folder is not None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
