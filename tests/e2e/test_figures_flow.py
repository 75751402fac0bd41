"""三组数字 in a browser: the dashboard of a building's, a district's and the city's officer on a
fresh demo, each figure checked against a count made directly in the database, a figure followed
to its list, both reports downloaded and read back, axe-core clean."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import STAFF_PASSWORD, LiveKiosk, watch_console
from tests.e2e.test_accessibility import AXE, RUN_AXE, TAGS

ZONE = ZoneInfo("Asia/Shanghai")
DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _year_bounds() -> tuple[str, str]:
    """This year in Beijing time, as the UTC text SQLite stores."""
    year = datetime.now(ZONE).year
    start = datetime.combine(datetime(year, 1, 1), time(), tzinfo=ZONE).astimezone(ZoneInfo("UTC"))
    end = datetime.combine(datetime(year + 1, 1, 1), time(), tzinfo=ZONE).astimezone(
        ZoneInfo("UTC")
    )
    return start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S")


def _expected(database: Path, unit: str) -> tuple[int, int]:
    """Problems raised and solved this year under `unit`, counted with plain SQL."""
    start, end = _year_bounds()
    with sqlite3.connect(database) as db:
        path, parent = db.execute(
            "SELECT path, parent_id FROM unit WHERE code = ?", (unit,)
        ).fetchone()
        where = "1 = 1"
        args: list[str] = []
        if parent is not None:
            codes = [c for (c,) in db.execute(
                "SELECT code FROM unit WHERE kind = 'building' AND path LIKE ?", (path + "%",)
            )]  # fmt: skip
            where = f"building_code IN ({','.join('?' * len(codes))})" if codes else "0 = 1"
            args = codes
        (raised,) = db.execute(
            f"SELECT COUNT(*) FROM appeal WHERE {where} AND created_at >= ? AND created_at < ?",
            (*args, start, end),
        ).fetchone()
        (solved,) = db.execute(
            f"SELECT COUNT(*) FROM appeal WHERE {where} AND status IN ('resolved', 'closed')"
            " AND resolved_at >= ? AND resolved_at < ?",
            (*args, start, end),
        ).fetchone()
    return raised, solved


def _figure(page: Page, name: str) -> int:
    text = page.locator(f"[data-figure='{name}'] .figure__value").inner_text()
    return int(text.replace(",", ""))


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/admin/sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text(re.compile(r" 数据$"))


def _axe(page: Page, axe: Path) -> list[str]:
    assert axe.exists(), "axe-core is missing: run npm ci --prefix tests/e2e"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    return [f"{v['id']}: {v['nodes']}" for v in page.evaluate(RUN_AXE, TAGS)]


def test_three_officers_see_their_figures_and_the_reports(
    browser: Browser, live_kiosk: LiveKiosk, tmp_path: Path
) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(live_kiosk.database) as db:
        (building,) = db.execute(
            "SELECT u.code FROM unit u JOIN unit p ON p.id = u.parent_id"
            " WHERE u.kind = 'building' AND p.code = 'wuyi-street'"
        ).fetchone()
        (city,) = db.execute("SELECT code FROM unit WHERE parent_id IS NULL").fetchone()
    officers = {"fig-building": building, "fig-district": "furong", "fig-city": city}
    for username, unit in officers.items():
        live_kiosk.kiosk(
            "staff", "create", username, "--name", username, "--role", "staff", "--unit", unit,
            KIOSK_NEW_STAFF_PASSWORD=STAFF_PASSWORD,
        )  # fmt: skip
    seen: dict[str, tuple[int, int]] = {}
    problems: list[str] = []
    for username, unit in officers.items():
        context = browser.new_context(viewport=DESK, locale="zh-CN", bypass_csp=True)  # axe only
        page = context.new_page()
        errors = watch_console(page)
        _sign_in(page, live_kiosk.url, username)
        page.goto(live_kiosk.url + "/admin/dashboard?period=year")
        seen[username] = (_figure(page, "raised"), _figure(page, "solved"))
        assert seen[username] == _expected(live_kiosk.database, unit), username
        problems += [f"{username}: {p}" for p in _axe(page, AXE)]
        page.screenshot(path=str(folder / f"dashboard-{username}-desk.png"), full_page=True)
        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        page.reload()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{username}: {overflow}px wider than a phone"
        page.screenshot(path=str(folder / f"dashboard-{username}-phone.png"), full_page=True)
        page.set_viewport_size(DESK)  # type: ignore[arg-type]
        # A figure opens the list it counts.
        page.locator("[data-figure='solved']").click()
        expect(page.locator("[data-figure]").first).to_be_visible()
        total = int(page.locator("[data-total]").get_attribute("data-total") or "-1")
        assert total == seen[username][1], username
        if username == "fig-district":
            page.goto(live_kiosk.url + "/admin/dashboard?period=year")
            _reports(page, tmp_path, seen[username])
        context.close()
        assert errors == [], errors
    city_raised, building_raised = seen["fig-city"][0], seen["fig-building"][0]
    assert city_raised >= seen["fig-district"][0] >= building_raised > 0
    assert problems == [], "\n" + "\n".join(problems)


def _reports(page: Page, tmp_path: Path, figures: tuple[int, int]) -> None:
    """Download this period's XLSX and PDF and read them back."""
    links = page.locator(".reports li").first
    with page.expect_download() as sheet_download:
        links.get_by_role("link", name="XLSX").click()
    sheet = sheet_download.value.path()
    book = load_workbook(io.BytesIO(Path(sheet).read_bytes()), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    figure = {r[0]: r[1] for r in rows if r and r[0] in ("收集问题", "解决问题")}
    assert figure == {"收集问题": f"{figures[0]:,}", "解决问题": f"{figures[1]:,}"}
    with page.expect_download() as pdf_download:
        links.get_by_role("link", name="PDF").click()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(Path(pdf_download.value.path()).read_bytes())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    assert "芙蓉区专班" in text and "解决问题" in text and "期末超期未办结的问题" in text
