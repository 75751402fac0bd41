"""The office runs itself, in a browser on a fresh demo: a building's administrator enrols a
second factor, creates an officer account, adds a company moving in with that officer, imports
a list of 200 companies (one wrong row refused by its line, then the corrected file accepted);
the officer changes the one-time password, enrols a second factor and sees exactly their
companies; a district's 专班, the city's office, another building's officer and a department's
officer see the lists their units reach, each compared with the database. Screenshots at
1440×900 and 390×844, axe-core clean.

The demo puts its two buildings in two districts (芙蓉国际金融中心 under 芙蓉区 via 五一大道街道,
麓谷企业广场 under 岳麓区): 芙蓉区's 专班 sees the first only, the city's office both.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyotp
from openpyxl import Workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kiosk.validators import uscc_check_char
from tests.e2e.conftest import STAFF_PASSWORD, LiveKiosk, watch_console
from tests.e2e.test_accessibility import AXE, RUN_AXE, TAGS

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
ADMIN = "o15-admin"
OFFICER = "o15-officer"
OFFICER_NAME = "赵联络"
OFFICER_PASSWORD = "violet lantern orchard 2749"
WRONG_LINE = 57  # the spreadsheet's line (the header is line 1) that the first file gets wrong
# Accounts made with the CLI while the administrator works in the browser: unit code by name.
OTHERS = {
    "o15-district": "furong",
    "o15-city": "city",
    "o15-lugu": "lugu-plaza",
    "o15-samr": "samr",
}


def _uscc(n: int) -> str:
    first17 = f"91430104MA7Q{n:05d}"
    return first17 + uscc_check_char(first17)


def _query(database: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, args).fetchall()


def _under(database: Path, unit: str) -> set[str]:
    """The credit codes of the active companies on the lists of `unit` and the units under it."""
    rows = _query(
        database,
        "SELECT t.uscc FROM tenant t JOIN unit u ON u.id = t.unit_id"
        " WHERE t.active AND u.path LIKE (SELECT path FROM unit WHERE code = ?) || '%'",
        unit,
    )
    return {str(code) for (code,) in rows}


class Look:
    """Screenshots of each page at 1440×900 and 390×844 (the page must fit the phone), and
    axe-core on it at both sizes; every violation kept for one assertion at the end. A page
    seen again in the other language is only photographed: its markup is the same."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []

    def __call__(self, page: Page, name: str, *, full: bool = True, axe: bool = True) -> None:
        page.wait_for_load_state("load")
        if axe:
            self._axe(page, f"{name} desk")
        page.screenshot(path=str(self.folder / f"{name}-desk.png"), full_page=full)
        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: {overflow}px wider than a phone"
        if axe:
            self._axe(page, f"{name} phone")
        page.screenshot(path=str(self.folder / f"{name}-phone.png"), full_page=full)
        page.set_viewport_size(DESK)  # type: ignore[arg-type]

    def _axe(self, page: Page, where: str) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        found = page.evaluate(RUN_AXE, TAGS)
        self.problems += [f"{where}: {v['id']} {v['nodes']}" for v in found]


def _create(live_kiosk: LiveKiosk, username: str, unit: str) -> object:
    return live_kiosk.kiosk(
        "staff", "create", username, "--name", username, "--role", "staff", "--unit", unit,
        KIOSK_NEW_STAFF_PASSWORD=STAFF_PASSWORD,
    )  # fmt: skip


def _context(browser: Browser) -> tuple[BrowserContext, Page, list[str]]:
    # The CSP is bypassed for axe's script only; the kiosk's own pages are unchanged.
    context = browser.new_context(viewport=DESK, locale="zh-CN", bypass_csp=True)  # type: ignore[arg-type]
    page = context.new_page()
    return context, page, watch_console(page)


def _password_step(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url + "/admin/sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _sign_in(page: Page, url: str, username: str) -> None:
    _password_step(page, url, username, STAFF_PASSWORD)
    expect(page.locator("[data-signed-in]")).to_have_attribute("data-signed-in", username)


def _enrol(page: Page, look: Look, name: str) -> str:
    """Enrol an authenticator on the page: read the key shown, type its code back; the key."""
    secret = page.locator("[data-secret]").inner_text().strip()
    look(page, f"{name}-enrol")
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="开启双重验证").click()
    expect(page.locator("[data-recovery-codes] code")).to_have_count(10)
    look(page, f"{name}-recovery-codes")
    page.get_by_role("link", name="我已保存").click()
    return secret


def _language(page: Page, name: str) -> None:
    page.locator(".language").get_by_role("button", name=name).click()
    page.wait_for_load_state("load")


def _sheet(path: Path, officer: str, rooms: list[tuple[int, str]], wrong: bool) -> None:
    """An office's list of 200 companies: every tenth looked after by `officer`, the first 40
    in rooms of the building; with `wrong`, one row's credit code is mistyped."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业清单")
    sheet.append(["企业名称", "统一社会信用代码", "行业门类", "规模", "成立日期", "从业人数",
                  "楼层", "房间号", "联企干部"])  # fmt: skip
    for n in range(200):
        code = _uscc(n)
        if wrong and n + 2 == WRONG_LINE:
            code = code[:17] + ("0" if code[17] != "0" else "1")
        floor, room = (str(rooms[n][0]), rooms[n][1]) if n < 40 else ("", "")
        sheet.append([f"长沙导入测试企业{n:03d}有限公司", code, "ILMR"[n % 4], "小型",
                      f"20{10 + n % 14}-0{1 + n % 9}-1{n % 10}", 5 + n, floor, room,
                      officer if n % 10 == 0 else ""])  # fmt: skip
    book.save(path)


def test_a_building_admin_runs_the_office(
    browser: Browser, live_kiosk: LiveKiosk, tmp_path: Path
) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert AXE.exists(), "axe-core is missing: run npm ci --prefix tests/e2e"
    look = Look(folder)
    database, url = live_kiosk.database, live_kiosk.url
    live_kiosk.kiosk(
        "staff", "create", ADMIN, "--name", "楼宇管理员", "--role", "admin", "--unit", "demo",
        KIOSK_NEW_STAFF_PASSWORD=STAFF_PASSWORD,
    )  # fmt: skip
    with ThreadPoolExecutor(max_workers=1) as pool:
        made: list[Future[object]] = [pool.submit(_create, live_kiosk, *o) for o in OTHERS.items()]
        admin, page, errors = _context(browser)
        _sign_in(page, url, ADMIN)
        # An administrator enrols a second factor before anything else.
        page.goto(url + "/admin/companies")
        expect(page.locator("[data-must-enrol]")).to_be_visible()
        secret = _enrol(page, look, "admin")
        assert _query(database, "SELECT totp_secret FROM staff WHERE username = ?", ADMIN) == [
            (secret,)
        ]
        officer_id, one_time = _new_officer(page, url, look, database)
        _add_company(page, url, look, database)
        _import(page, url, look, database, tmp_path)
        _admin_list(page, url, look, database)
        admin.close()
        _officer(browser, url, look, database, officer_id, one_time)
        for future in made:
            future.result()
    _others(browser, url, look, database)
    assert errors == [], errors
    assert look.problems == [], "\n" + "\n".join(look.problems)


def _new_officer(page: Page, url: str, look: Look, database: Path) -> tuple[int, str]:
    """The admin's new-account form: an officer of the building; its one-time password."""
    page.goto(url + "/admin/staff/new")
    page.locator("input[name=username]").fill(OFFICER)
    page.locator("input[name=display_name]").fill(OFFICER_NAME)
    page.locator("select[name=role]").select_option("staff")
    expect(page.locator("select[name=unit]")).to_have_value("demo")  # the admin's own unit
    look(page, "staff-new")
    page.get_by_role("button", name="创建账号").click()
    shown = page.locator("[data-one-time-password] code")
    one_time = shown.inner_text().strip()
    assert len(one_time) >= 12
    look(page, "staff-issued-password")
    page.get_by_role("link", name="完成").click()
    expect(page.locator("h1")).to_contain_text(OFFICER_NAME)
    assert one_time not in page.content()  # shown once
    look(page, "staff-show")
    ((officer_id,),) = _query(database, "SELECT id FROM staff WHERE username = ?", OFFICER)
    return int(str(officer_id)), one_time


def _add_company(page: Page, url: str, look: Look, database: Path) -> None:
    """A company moving in from elsewhere, into a vacant room, with the new officer."""
    ((room_id, floor, number),) = _query(
        database,
        "SELECT r.id, r.floor, r.number FROM room r JOIN building b ON b.id = r.building_id"
        " WHERE b.code = 'demo' AND r.active AND r.id NOT IN"
        " (SELECT room_id FROM tenant WHERE room_id IS NOT NULL) ORDER BY r.id DESC LIMIT 1",
    )
    page.goto(url + "/admin/companies?show=all")
    page.get_by_role("link", name="添加企业").click()
    page.locator("input[name=name]").fill("湘江星辰数据科技有限公司")
    page.locator("input[name=uscc]").fill(_uscc(99_999))
    page.locator("select[name=where]").select_option(f"room:{room_id}")
    page.locator("input[name=came_from]").fill("岳麓区麓山南路 88 号")
    page.locator("select[name=officer]").select_option(label=f"{OFFICER_NAME} (芙蓉国际金融中心)")
    page.locator("select[name=industry]").select_option("I")
    page.locator("select[name=size_band]").select_option("small")
    page.locator("input[name=founded_on]").fill("2019-03-05")
    page.locator("input[name=employees]").fill("36")
    look(page, "company-new")
    page.get_by_role("button", name="添加该企业").click()
    expect(page.locator("[data-company-profile]")).to_have_attribute(
        "data-company-profile", _uscc(99_999)
    )
    expect(page.locator("[data-officer]")).to_have_attribute("data-officer", OFFICER)
    expect(page.locator("[data-history] [data-move='in']")).to_contain_text("岳麓区麓山南路 88 号")
    look(page, "company-profile")
    assert _query(
        database,
        "SELECT t.room_id, s.username FROM tenant t JOIN staff s ON s.id = t.officer_id"
        " WHERE t.uscc = ?",
        _uscc(99_999),
    ) == [(room_id, OFFICER)], (floor, number)


def _import(page: Page, url: str, look: Look, database: Path, tmp_path: Path) -> None:
    """200 companies from XLSX: the wrong row refused by its line, then the fixed file in."""
    rooms = [
        (int(str(floor)), str(number))
        for floor, number in _query(
            database,
            "SELECT r.floor, r.number FROM room r JOIN building b ON b.id = r.building_id"
            " WHERE b.code = 'demo' AND r.active AND r.id NOT IN"
            " (SELECT room_id FROM tenant WHERE room_id IS NOT NULL) ORDER BY r.id LIMIT 40",
        )
    ]
    before = int(str(_query(database, "SELECT COUNT(*) FROM tenant")[0][0]))
    wrong, right = tmp_path / "企业清单.xlsx", tmp_path / "企业清单-改.xlsx"
    _sheet(wrong, OFFICER, rooms, wrong=True)
    _sheet(right, OFFICER, rooms, wrong=False)
    page.goto(url + "/admin/companies?show=all")
    page.get_by_role("link", name="导入企业清单").click()
    look(page, "import-upload")
    page.locator("input[type=file]").set_input_files(wrong)
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("[data-import-errors]")).to_have_attribute("data-import-errors", "1")
    refused = page.locator(f"[data-import-errors] li[data-line='{WRONG_LINE}']")
    expect(refused).to_contain_text(f"第 {WRONG_LINE} 行")
    expect(refused).to_contain_text(_uscc(WRONG_LINE - 2)[:17])
    expect(page.locator("[data-adds]")).to_have_attribute("data-adds", "199")
    expect(page.locator("[data-confirm-import]")).to_have_count(0)  # nothing can be imported
    look(page, "import-preview-wrong-zh", full=False)
    _language(page, "English")
    expect(refused).to_contain_text(f"Line {WRONG_LINE}")
    look(page, "import-preview-wrong-en", full=False, axe=False)
    _language(page, "中文")
    assert _query(database, "SELECT COUNT(*) FROM tenant") == [(before,)]
    page.get_by_role("link", name="选择其他文件").click()
    page.locator("input[type=file]").set_input_files(right)
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("[data-adds]")).to_have_attribute("data-adds", "200")
    expect(page.locator("[data-wrong]")).to_have_attribute("data-wrong", "0")
    expect(page.locator("[data-import-errors]")).to_have_count(0)
    look(page, "import-preview-ready-zh", full=False)
    _language(page, "English")
    look(page, "import-preview-ready-en", full=False, axe=False)
    _language(page, "中文")
    page.locator("[data-confirm-import]").click()
    expect(page.locator("[data-added]")).to_have_attribute("data-added", "200")
    look(page, "import-done")
    assert _query(database, "SELECT COUNT(*) FROM tenant") == [(before + 200,)]
    imported = _query(
        database,
        "SELECT COUNT(*), COUNT(room_id), COUNT(officer_id) FROM tenant"
        " WHERE name LIKE '长沙导入测试企业%' AND active AND unit_id ="
        " (SELECT id FROM unit WHERE code = 'demo')",
    )
    assert imported == [(200, 40, 20)]


def _admin_list(page: Page, url: str, look: Look, database: Path) -> None:
    """The building's list, in both languages: as many as the database holds."""
    page.goto(url + "/admin/companies?show=all")
    expect(page.locator("[data-total]")).to_have_attribute(
        "data-total", str(len(_under(database, "demo")))
    )
    look(page, "companies-admin-zh")
    _language(page, "English")
    expect(page.locator("h1")).to_have_text("Companies")
    look(page, "companies-admin-en", axe=False)
    _language(page, "中文")


def _officer(
    browser: Browser, url: str, look: Look, database: Path, officer_id: int, one_time: str
) -> None:
    """The new officer: the one-time password changed, a second factor enrolled and used at
    the next sign-in, and exactly their companies under 我的企业."""
    context, page, errors = _context(browser)
    _password_step(page, url, OFFICER, one_time)
    expect(page.locator("[data-must-change]")).to_be_visible()
    look(page, "officer-change-password")
    page.get_by_label("当前密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill(OFFICER_PASSWORD)
    page.get_by_label("再次输入新密码").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("[data-must-change]")).to_have_count(0)
    page.locator("[data-signed-in] a").click()  # their account page
    page.get_by_role("link", name="设置双重验证（验证器应用）").click()
    secret = _enrol(page, look, "officer")
    page.get_by_role("button", name="退出登录").click()
    _password_step(page, url, OFFICER, OFFICER_PASSWORD)
    expect(page.get_by_label("验证码")).to_be_visible()  # the password alone is not enough
    look(page, "officer-sign-in-code")
    # The next time step's code: the enrolment's own code is never accepted twice.
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="登录").click()
    expect(page.locator("[data-signed-in]")).to_have_attribute("data-signed-in", OFFICER)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="企业").click()
    expect(page.locator("h1")).to_have_text("我的企业")
    mine = {
        str(code)
        for (code,) in _query(
            database, "SELECT uscc FROM tenant WHERE officer_id = ? AND active", officer_id
        )
    }
    assert len(mine) == 21  # the company added with the form and every tenth imported
    expect(page.locator("[data-total]")).to_have_attribute("data-total", str(len(mine)))
    shown = page.locator("tr[data-company]")
    expect(shown).to_have_count(len(mine))
    assert {shown.nth(i).get_attribute("data-company") for i in range(len(mine))} == mine
    look(page, "officer-my-companies")
    context.close()
    assert errors == [], errors


def _listed(page: Page) -> set[str]:
    """The credit codes of the list as shown (every filter as on the page), downloaded as CSV."""
    with page.expect_download() as download:
        page.locator("[data-export='csv']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("统一社会信用代码")
    return {row[column] for row in rows[1:]}


def _others(browser: Browser, url: str, look: Look, database: Path) -> None:
    """芙蓉区's 专班 sees 芙蓉国际金融中心's list, the city's office both buildings', 麓谷企业
    广场's officer only theirs, and a department's officer no company list."""
    furong, lugu = _under(database, "demo"), _under(database, "lugu-plaza")
    assert furong and lugu and not furong & lugu
    seen = {"o15-district": furong, "o15-city": _under(database, "city"), "o15-lugu": lugu}
    assert seen["o15-city"] >= furong | lugu
    assert _under(database, "furong") == furong  # the demo's 芙蓉区 has this one building
    for username, expected in seen.items():
        context, page, errors = _context(browser)
        _sign_in(page, url, username)
        page.goto(url + "/admin/companies?show=all")
        expect(page.locator("[data-total]")).to_have_attribute("data-total", str(len(expected)))
        assert _listed(page) == expected, username
        look(page, f"companies-{username}")
        context.close()
        assert errors == [], errors
    context, page, errors = _context(browser)
    _sign_in(page, url, "o15-samr")
    page.goto(url + "/admin/companies")
    expect(page.locator("[data-no-company-list]")).to_contain_text("市场监管局")
    expect(page.locator("[data-company-list]")).to_have_count(0)
    look(page, "companies-department")
    context.close()
    assert errors == [], errors
