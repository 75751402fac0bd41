"""惠企政策 at the touchscreen, in Chinese: find a policy, see why it fits a company, print
the sheet (bytes read back from the printer's socket), and open its QR on a phone."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveKiosk, watch_console
from tests.e2e.kiosk_pages import check_layout
from tests.support.escpos_decoder import decode

COMPANY = "长沙麓云数智科技有限公司"  # demo: software (I), small, 4 years; employees on record


def test_find_a_policy_see_why_it_fits_and_print_the_sheet(
    page: Page, phone: Page, live_kiosk: LiveKiosk, shots: Path
) -> None:
    errors = watch_console(page)
    page.goto(live_kiosk.url + "/")
    page.get_by_role("link", name=re.compile("惠企政策")).click()
    expect(page.locator("h1")).to_have_text("惠企政策")

    # Search: two words, both required, found inside longer words.
    page.locator("#q").fill("人工智能 补贴")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    titles = page.locator(".policy-card__title").all_inner_texts()
    # Both words somewhere in each; a title that has them ranks above a text that does.
    assert len(titles) == 6 and all("人工智能" in t for t in titles[:4]), titles
    check_layout(page, shots, "policies-search-portrait-zh")
    page.get_by_role("link", name="申报中", exact=True).click()  # the open-window filter chip
    expect(page).to_have_url(re.compile(r"window=open"))
    first = page.locator(".policy-card").first
    title = first.locator(".policy-card__title").inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.get_by_role("link", name="申报此项政策")).to_be_visible()
    check_layout(page, shots, "policy-portrait-zh")

    # 政策找人: the company, its matches with reasons.
    page.goto(live_kiosk.url + "/policies/match")
    page.locator("#q").fill("麓云")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    page.get_by_role("link", name=re.compile(COMPANY)).click()
    expect(page.locator("h1")).to_contain_text(COMPANY)
    reasons = page.locator(".reason--yes .reason__label").all_inner_texts()
    assert "注册地在芙蓉区" in reasons or any(r.startswith("成立满") for r in reasons), reasons
    expect(page.locator(".reason--unknown").first).to_contain_text("请确认")
    check_layout(page, shots, "policy-matches-portrait-zh")
    top = page.locator(".match .policy-card__title").first.inner_text()

    page.get_by_role("button", name="打印前五项政策和材料清单").click()
    expect(page.locator("[data-when=printed]")).to_be_visible(timeout=15_000)
    (job,) = live_kiosk.printer.wait_for_jobs(1, timeout=15)
    sheet = decode(job)
    assert COMPANY in sheet.text and f"1. {top}" in sheet.text
    assert "需携带的材料" in sheet.text and "□ 营业执照" in sheet.text
    urls = sheet.qr_payloads
    assert 1 <= len(urls) <= 5 and all(u.startswith(live_kiosk.url + "/policy/") for u in urls)
    assert errors == []

    # The first QR on a phone: the policy's full text.
    phone.goto(urls[0])
    expect(phone.locator("h1")).to_have_text(top)
    expect(phone.locator(".policy-text")).to_contain_text("第一条")
