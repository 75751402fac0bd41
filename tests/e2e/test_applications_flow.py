"""Applications (办事) as people make them: the tenant at the screen, the slip, staff, the phone.

Each kind of application in its own test (they run in parallel), each on its own kiosk.
Screenshots of every screen go to $SCREENSHOT_DIR when it is set (to look at them).
"""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import ImageOps
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from kiosk.validators import uscc_check_char
from tests.e2e.conftest import LiveKiosk, touch_screen, watch_console
from tests.e2e.kiosk_pages import (
    WORDS,
    check_layout,
    pick_application_company,
    staff_sign_in,
    tap,
    tenant_with_code,
)
from tests.support.escpos_decoder import decode

ZH, EN = WORDS["zh_CN"], WORDS["en"]
RESIDENT_ID = "11010519491231002X"
RESIDENT_ID_MASKED = "110***********002X"
COMPANY = "长沙星辰云测软件科技有限公司"
ISSUED_USCC = "91430102MA4E2E0A1" + uscc_check_char("91430102MA4E2E0A1")
ZONE = ZoneInfo("Asia/Shanghai")  # the kiosk's default time zone: its "today"


# ---- at the touchscreen ----------------------------------------------------------------------


def _next(page: Page, words: dict[str, str] = ZH) -> None:
    """Tap Continue and wait for the answer's page (a form post always loads a new one)."""
    with page.expect_navigation():
        tap(page, "button", words["continue"])


def _start(page: Page, url: str, tile: str) -> None:
    page.goto(url + "/")
    expect(page.locator("h1")).to_have_text(ZH["home"])
    tap(page, "link", tile)


def _company(
    page: Page, uscc: str, words: dict[str, str] = ZH, shots: Path | None = None, name: str = ""
) -> None:
    """The first steps of an application for a company of the building: the company picked
    by its code, its name confirmed, the applicant (screens saved as `name`-… in `shots`)."""

    def shot(step: str) -> None:
        if shots is not None and name:
            _shot(page, shots, f"{name}-{step}")

    pick_application_company(page, uscc, shot)


def _shot(page: Page, shots: Path, name: str) -> None:
    """Check the page's layout and save it whole, with the on-screen keyboard put away."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    expect(page.locator("#keyboard")).to_be_hidden()
    check_layout(page, shots, name)


def _typing(page: Page, shots: Path, name: str) -> None:
    """The field being typed in is in view above the on-screen keyboard; save the screen."""
    board = page.locator("#keyboard")
    expect(board).to_be_visible()
    field = page.evaluate("() => document.activeElement.getBoundingClientRect().toJSON()")
    keyboard = board.bounding_box()
    assert keyboard is not None
    assert field["top"] >= 0 and field["bottom"] <= keyboard["y"], f"{name}: {field} {keyboard}"
    page.screenshot(path=str(shots / f"{name}.png"))


def _landscape(browser: Browser, page: Page, shots: Path, name: str) -> None:
    """The page `page` shows, on a landscape screen in the same session; checked and saved."""
    context, other = touch_screen(browser, "landscape")
    errors = watch_console(other)
    context.add_cookies(page.context.cookies())  # type: ignore[arg-type]
    other.goto(page.url)
    check_layout(other, shots, name)
    context.close()
    assert errors == []


def _submitted(page: Page, kiosk: LiveKiosk, prefix: str) -> tuple[str, str, str]:
    """On the confirmation page: the reference and pickup code, and the slip that printed them.

    Returns the reference, the pickup code and the slip's QR link (the status page)."""
    reference = page.locator("[data-reference]").inner_text().strip()
    code = page.locator("[data-pickup-code]").inner_text().strip()
    assert re.fullmatch(rf"{prefix}-\d{{8}}-\d{{4}}", reference), reference
    assert re.fullmatch(r"\d{6}", code), code
    slip = decode(kiosk.printer.wait_for_jobs(1, timeout=15)[-1])
    assert reference in slip.text and code in slip.text
    (status_url,) = slip.qr_payloads
    assert status_url == f"{kiosk.url}/applications/{_token(kiosk, reference)}"
    expect(page.locator("[data-when=printed]")).to_be_visible(timeout=10_000)
    return reference, code, status_url


def _token(kiosk: LiveKiosk, reference: str) -> str:
    with sqlite3.connect(kiosk.database) as connection:
        (token,) = connection.execute(
            "SELECT token FROM application WHERE reference = ?", (reference,)
        ).fetchone()
    return str(token)


# ---- staff -----------------------------------------------------------------------------------


def _open_application(page: Page, url: str, reference: str, shots: Path | None = None) -> None:
    """Staff sign in and open the application from the review queue."""
    staff_sign_in(page, url)
    page.goto(url + "/admin/applications")
    if shots is not None:
        page.screenshot(path=str(shots / "admin-applications.png"), full_page=True)
    page.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text(reference)


def _decide(page: Page, action: str) -> None:
    page.locator(f"form[action$='/{action}'] button[type=submit]").click()


# ---- the printed licence ---------------------------------------------------------------------


def _pdf_text(pdf: Path) -> str:
    """What poppler reads from the licence, whitespace removed (long items wrap)."""
    result = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=30, check=True
    )
    return "".join(result.stdout.split())


def _qr_link(pdf: Path, folder: Path) -> str:
    """The licence's QR code read by zbar, a decoder independent of the code that drew it."""
    page = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0]
    images = [i.image for i in page.images if i.image is not None]
    squares = [image for image in images if image.width == image.height]
    assert squares, "no square image on the licence"
    image = squares[0].convert("L")
    # The image is the symbol alone: give it the quiet zone a scanner needs around it.
    framed = ImageOps.expand(image, border=image.width // 4, fill=255)
    path = folder / "licence-qr.png"
    framed.save(path)
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, f"zbarimg: {result.returncode} {result.stderr}"
    return result.stdout.strip()


# ---- the tests -------------------------------------------------------------------------------


def _register_answers(page: Page, shots: Path) -> None:
    """Every step of a new company's registration, in Chinese, checking each screen."""
    page.locator("#company_name").fill(COMPANY)
    _shot(page, shots, "register-name")
    _next(page)
    _shot(page, shots, "register-type")
    page.get_by_label("有限责任公司（自然人投资或控股）", exact=True).check()
    _next(page)
    page.locator("#capital").fill("100")
    _shot(page, shots, "register-capital")
    _next(page)
    page.get_by_label("软件开发", exact=True).check()
    page.get_by_label("信息技术咨询服务", exact=True).check()
    _shot(page, shots, "register-scope")
    _next(page)
    page.locator("#rep_name").fill("王晓明")
    page.locator("#rep_id").fill(RESIDENT_ID)
    page.locator("#rep_mobile").fill("138 0073 1234")
    _typing(page, shots, "register-representative-typing")
    _shot(page, shots, "register-representative")
    _next(page)
    _shot(page, shots, "register-floor")
    page.get_by_label("12 层", exact=True).check()
    _next(page)
    _shot(page, shots, "register-room")
    page.get_by_label("1203", exact=True).check()
    _next(page)
    _shareholders(page, shots)


def _shareholders(page: Page, shots: Path) -> None:
    """Three shareholders on the lines shown, and a fourth on a line added for it."""
    rows = page.locator(".shareholders__row")
    expect(rows).to_have_count(3)
    for index, (name, share) in enumerate([("王晓明", "50"), ("李娜", "30"), ("赵磊", "10")]):
        page.locator(f"#shareholders-{index}-name").fill(name)
        page.locator(f"#shareholders-{index}-share").fill(share)
    tap(page, "button", "再添加一位股东")
    expect(rows).to_have_count(4)
    expect(page.locator("#shareholders-2-name")).to_have_value("赵磊")  # nothing typed is lost
    page.locator("#shareholders-3-name").fill("长沙星火创业投资有限公司")
    page.locator("#shareholders-3-share").fill("10")
    _typing(page, shots, "register-shareholders-typing")
    _shot(page, shots, "register-shareholders")
    _next(page)


def _check_and_submit_registration(
    page: Page, browser: Browser, kiosk: LiveKiosk, shots: Path
) -> tuple[str, str, str]:
    """The check page shows the ID number only masked; submitting prints a slip."""
    expect(page.locator("h1")).to_have_text(ZH["check"])
    summary = page.locator("dl.summary")
    for shown in (COMPANY, "有限责任公司", "软件开发", "王晓明", RESIDENT_ID_MASKED, "12F-1203"):
        expect(summary).to_contain_text(shown)
    expect(summary).to_contain_text("长沙星火创业投资有限公司 10%")
    assert RESIDENT_ID not in page.content()
    _shot(page, shots, "register-check")
    _landscape(browser, page, shots, "register-check-landscape")
    tap(page, "button", "提交申请")

    expect(page.locator("h1")).to_have_text("申请已提交")
    reference, code, status_url = _submitted(page, kiosk, "DJ")
    assert RESIDENT_ID not in page.content()
    slip = decode(kiosk.printer.jobs[-1]).text
    assert RESIDENT_ID_MASKED in slip and RESIDENT_ID not in slip
    with sqlite3.connect(kiosk.database) as connection:
        (stored,) = connection.execute(
            "SELECT answers FROM application WHERE reference = ?", (reference,)
        ).fetchone()
    assert RESIDENT_ID not in stored  # sealed at rest
    _shot(page, shots, "register-done")
    return reference, code, status_url


def _collect(page: Page, kiosk: LiveKiosk, shots: Path, code: str) -> Path:
    """At the kiosk: a wrong pickup code prints nothing, the right one prints the licence."""
    tap(page, "button", ZH["finish"])
    expect(page.locator("h1")).to_have_text(ZH["home"])
    tap(page, "link", "领取执照")
    _shot(page, shots, "collect")
    spool = kiosk.instance / "licences"  # the e2e kiosk's licence printer: spool://<instance>/…
    page.locator("#uscc").fill(ISSUED_USCC)
    page.locator("#code").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    _typing(page, shots, "collect-typing")
    tap(page, "button", "打印执照")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#code-error")).to_be_visible()
    _shot(page, shots, "collect-wrong-code")
    assert not list(spool.glob("*.pdf")), "a wrong pickup code printed a licence"

    page.locator("#code").fill(code)
    tap(page, "button", "打印执照")
    expect(page.locator("h1")).to_have_text("正在打印您的执照")
    expect(page.locator("[data-uscc]")).to_have_text(ISSUED_USCC)
    _shot(page, shots, "collected")
    (pdf,) = spool.glob("*.pdf")
    return pdf


def test_register_a_company_then_collect_and_verify_its_licence(
    page: Page,
    browser: Browser,
    live_kiosk: LiveKiosk,
    staff_page: Page,
    phone: Page,
    shots: Path,
    tmp_path: Path,
) -> None:
    errors, phone_errors = watch_console(page), watch_console(phone)
    _start(page, live_kiosk.url, "新办企业登记")
    _register_answers(page, shots)
    reference, code, status_url = _check_and_submit_registration(page, browser, live_kiosk, shots)

    _open_application(staff_page, live_kiosk.url, reference, shots)
    staff_page.screenshot(path=str(shots / "admin-application.png"), full_page=True)
    staff_page.locator("#issued_uscc").fill(ISSUED_USCC)
    _decide(staff_page, "approve")
    expect(staff_page.locator("[data-status]").first).to_have_attribute("data-status", "approved")
    staff_page.screenshot(path=str(shots / "admin-application-approved.png"), full_page=True)
    phone.goto(status_url)
    expect(phone.locator("[data-issued-uscc]")).to_have_text(ISSUED_USCC)
    phone.screenshot(path=str(shots / "register-approved-phone.png"), full_page=True)

    pdf = _collect(page, live_kiosk, shots, code)
    text = _pdf_text(pdf)
    assert COMPANY in text and ISSUED_USCC in text
    link = _qr_link(pdf, tmp_path)
    assert link.startswith(live_kiosk.url + "/licence/"), link
    phone.goto(link)
    expect(phone.locator("[data-verdict]")).to_have_text("真实有效")
    expect(phone.locator("[data-name]")).to_have_text(COMPANY)
    expect(phone.locator("[data-uscc]")).to_have_text(ISSUED_USCC)
    phone.screenshot(path=str(shots / "licence-verified-phone.png"), full_page=True)
    assert errors == [] and phone_errors == []


def test_address_change_within_the_building_in_english(
    page: Page, live_kiosk: LiveKiosk, shots: Path
) -> None:
    errors = watch_console(page)
    name, uscc = tenant_with_code(live_kiosk.database)
    page.goto(live_kiosk.url + "/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text(EN["home"])
    _shot(page, shots, "home-en")
    tap(page, "link", "Change the registered address")
    _shot(page, shots, "address-company-en")
    _company(page, uscc, EN, shots, "address-en")
    _shot(page, shots, "address-destination-en")
    page.get_by_label("To another room in this building", exact=True).check()
    _next(page, EN)
    page.get_by_label("Floor 20", exact=True).check()
    _next(page, EN)
    page.get_by_label("2004", exact=True).check()
    _next(page, EN)

    today = datetime.now(ZONE).date()
    expect(page.locator("input[type=date]")).to_have_count(0)  # the kiosk's own calendar
    expect(page.locator(f'[data-day="{today.isoformat()}"]')).to_be_visible()
    expect(page.locator(f'[data-day="{today - timedelta(days=1)}"]')).to_have_count(0)
    _shot(page, shots, "address-effective-en")
    effective = today + timedelta(days=45)  # a month or two on: turn the pages
    while not page.locator(f'[data-day="{effective}"]').count():
        with page.expect_navigation():
            page.locator('[data-month-turn="next"]').click()
    with page.expect_navigation():
        page.locator(f'[data-day="{effective}"]').click()

    expect(page.locator("h1")).to_have_text(EN["check"])
    summary = page.locator("dl.summary")
    for shown in (name, uscc, "20F-2004", f"{effective:%B} {effective.day}, {effective.year}"):
        expect(summary).to_contain_text(shown)
    _shot(page, shots, "address-check-en")
    tap(page, "button", "Submit the change")

    expect(page.locator("h1")).to_have_text("Application submitted")
    _submitted(page, live_kiosk, "BG")
    slip = decode(live_kiosk.printer.jobs[-1]).text
    assert "Another room in this building" in slip and effective.isoformat() in slip
    _shot(page, shots, "address-done-en")
    assert errors == []


def test_a_small_union_joins_the_joint_union_and_is_told_why_it_was_rejected(
    page: Page, live_kiosk: LiveKiosk, staff_page: Page, phone: Page, shots: Path
) -> None:
    errors = watch_console(page)
    _, uscc = tenant_with_code(live_kiosk.database, skip=1)
    _start(page, live_kiosk.url, "工会成立申请")
    _shot(page, shots, "union-company")
    _company(page, uscc)
    page.locator("#employees").fill("12")
    page.locator("#members").fill("8")
    _typing(page, shots, "union-staff-typing")
    _shot(page, shots, "union-staff")
    _next(page)
    expect(page.locator("h1")).to_have_text("会员不足 25 人：加入楼宇联合工会")
    expect(page.locator(".lead")).to_contain_text("楼宇联合工会")
    _shot(page, shots, "union-joint")
    page.get_by_label("是，申请加入楼宇联合工会", exact=True).check()
    _next(page)
    page.locator("#contact_name").fill("刘芳")
    page.locator("#contact_mobile").fill("13912345678")
    _shot(page, shots, "union-contact")
    _next(page)
    expect(page.locator("dl.summary")).to_contain_text("加入楼宇联合工会")
    _shot(page, shots, "union-check")
    tap(page, "button", "提交申请")
    reference, _, status_url = _submitted(page, live_kiosk, "GH")
    _shot(page, shots, "union-done")

    reason = "职工名册与社保缴纳人数不符，请核实后重新申请。"
    _open_application(staff_page, live_kiosk.url, reference)
    staff_page.locator("#reject_reason").fill(reason)
    _decide(staff_page, "reject")
    expect(staff_page.locator("[data-status]").first).to_have_attribute("data-status", "rejected")

    phone.goto(status_url)
    expect(phone.locator(".status-ref")).to_have_text(reference)
    expect(phone.locator("[data-status]")).to_have_text("未通过")
    expect(phone.locator("[data-reason]")).to_have_text(reason)
    expect(phone.locator("body")).not_to_contain_text("13912345678")  # masked only
    phone.screenshot(path=str(shots / "union-rejected-phone.png"), full_page=True)
    assert errors == []


def _tax_answers(page: Page, live_kiosk: LiveKiosk, shots: Path) -> None:
    _, uscc = tenant_with_code(live_kiosk.database, skip=2)
    _start(page, live_kiosk.url, "新办纳税人套餐")
    _company(page, uscc)
    page.get_by_label("小规模纳税人", exact=True).check()
    _shot(page, shots, "tax-taxpayer")
    _next(page)
    page.locator("#accountant_name").fill("陈静")
    page.locator("#accountant_mobile").fill("13700001111")
    _shot(page, shots, "tax-accountant")
    _next(page)
    page.get_by_label("数电发票（普通发票）", exact=True).check()
    page.locator("#monthly").fill("20")
    _typing(page, shots, "tax-invoices-typing")
    _shot(page, shots, "tax-invoices")
    _next(page)


def _fix_at_the_kiosk(page: Page, shots: Path, reference: str, code: str, reason: str) -> None:
    """补正: open the application with its reference and pickup code, change the marked answer."""
    tap(page, "button", ZH["finish"])
    tap(page, "link", "补正申请")
    _shot(page, shots, "fix")
    page.locator("#reference").fill(reference)
    page.locator("#code").fill(code)
    tap(page, "button", "打开申请")
    expect(page.locator("h1")).to_have_text(ZH["check"])
    expect(page.locator("[data-fix]")).to_contain_text(reason)
    marked = page.locator(".summary__row--fix")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("发票")
    expect(marked).to_contain_text("需补正")
    _shot(page, shots, "fix-check")
    marked.get_by_role("link").click()
    page.get_by_label("数电发票（增值税专用发票）", exact=True).check()
    page.locator("#monthly").fill("50")
    _next(page)
    expect(page.locator("dl.summary")).to_contain_text("数电发票（增值税专用发票）")
    tap(page, "button", "提交申请")


def test_tax_registration_sent_back_fixed_at_the_kiosk_and_resubmitted(
    page: Page, live_kiosk: LiveKiosk, staff_page: Page, phone: Page, shots: Path
) -> None:
    errors = watch_console(page)
    _tax_answers(page, live_kiosk, shots)
    tap(page, "button", "提交申请")
    reference, code, status_url = _submitted(page, live_kiosk, "SW")

    reason = "一般纳税人才能领用增值税专用发票，请补充专票需求或确认只开普票。"
    _open_application(staff_page, live_kiosk.url, reference)
    staff_page.locator("#changes_reason").fill(reason)
    staff_page.locator("form[action$='/request-changes'] input[value=invoices]").check()
    _decide(staff_page, "request-changes")
    expect(staff_page.locator("[data-status]").first).to_have_attribute(
        "data-status", "changes_requested"
    )
    phone.goto(status_url)
    expect(phone.locator("[data-fix-reason]")).to_have_text(reason)
    expect(phone.locator("[data-fix-steps]")).to_have_text("企业需要开具哪些发票？")
    phone.screenshot(path=str(shots / "tax-changes-requested-phone.png"), full_page=True)

    _fix_at_the_kiosk(page, shots, reference, code, reason)
    expect(page.locator("[data-reference]")).to_have_text(reference)
    expect(page.locator("[data-when=printed]")).to_be_visible(timeout=10_000)
    fixed = decode(live_kiosk.printer.wait_for_jobs(2, timeout=15)[1]).text
    assert reference in fixed and code in fixed  # a new slip, the same reference and code
    _shot(page, shots, "fix-done")

    staff_page.reload()
    expect(staff_page.locator("[data-status]").first).to_have_attribute("data-status", "submitted")
    expect(staff_page.locator("[data-step=invoices]")).to_contain_text("增值税专用发票")
    with sqlite3.connect(live_kiosk.database) as connection:
        status, version = connection.execute(
            "SELECT status, version FROM application WHERE reference = ?", (reference,)
        ).fetchone()
    assert (status.lower(), version) == ("submitted", 2)
    assert errors == []


def test_invoice_booking_offers_only_free_times_and_prints_a_slip(
    page: Page, browser: Browser, live_kiosk: LiveKiosk, shots: Path
) -> None:
    errors = watch_console(page)
    name, uscc = tenant_with_code(live_kiosk.database, skip=3)
    _start(page, live_kiosk.url, "发票领用预约")
    _company(page, uscc)
    slots = page.locator("input[name=slot_id]")
    full = page.locator("label.slot--full")
    expect(full).to_have_count(1)  # the demo's one full time
    expect(full).to_contain_text("已约满")
    expect(full.locator("input")).to_be_disabled()
    expect(slots.first).to_be_disabled()  # the earliest time is the full one
    _shot(page, shots, "invoice-slot")
    _landscape(browser, page, shots, "invoice-slot-landscape")
    free = page.locator("label.slot:not(.slot--full)").first
    when = free.locator(".slot__when").inner_text()
    free.click()
    _next(page)
    page.locator("#contact_name").fill("周少敏")
    page.locator("#contact_mobile").fill("13807310000")
    _next(page)
    expect(page.locator("dl.summary")).to_contain_text(when)
    _shot(page, shots, "invoice-check")
    tap(page, "button", "确认预约")

    expect(page.locator("h1")).to_have_text("预约成功")
    reference, _, _ = _submitted(page, live_kiosk, "FP")
    slip = decode(live_kiosk.printer.jobs[-1]).text
    assert name in slip and when in slip and "138****0000" in slip
    _shot(page, shots, "invoice-done")
    with sqlite3.connect(live_kiosk.database) as connection:
        (status,) = connection.execute(
            "SELECT status FROM application WHERE reference = ?", (reference,)
        ).fetchone()
    assert status.lower() == "approved"  # a booking is confirmed at once
    assert errors == []
