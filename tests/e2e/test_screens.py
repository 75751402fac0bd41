"""Screens beyond the appeal's path: printer down, large text, the attract screen.

Every screen of the appeal is checked at both orientations and in both languages (no overflow,
touch targets, axe-core) in test_accessibility.py. Screenshots go to $SCREENSHOT_DIR when it is
set (to look at them), else to a temp folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveKiosk, touch_screen, watch_console
from tests.e2e.kiosk_pages import (
    WORDS,
    check_layout,
    choose,
    contact,
    describe,
    first_tenant,
    start_appeal,
    tap,
)


@pytest.mark.parametrize(("locale", "orientation"), [("zh_CN", "portrait"), ("en", "landscape")])
def test_confirmation_with_the_printer_out_of_paper(
    browser: Browser, live_kiosk: LiveKiosk, shots: Path, locale: str, orientation: str
) -> None:
    context, page = touch_screen(browser, orientation)
    errors = watch_console(page)
    live_kiosk.printer.state = "paper_out"
    words = WORDS[locale]
    company, _ = first_tenant(live_kiosk.database)
    start_appeal(page, live_kiosk.url, locale)
    page.get_by_role("button", name=company).click()
    choose(page, locale, "其他" if locale == "zh_CN" else "Other")
    describe(page, locale, "测试打印机缺纸时的确认页面。")
    contact(page, locale, "陈静", "13800002222")
    tap(page, "button", words["submit"])
    expect(page.locator("[data-printer-down]")).to_be_visible(timeout=10_000)
    lang = "zh" if locale == "zh_CN" else "en"
    check_layout(page, shots, f"done-printer-down-{orientation}-{lang}")
    context.close()
    assert errors == []


def _font_size(page: Page, selector: str) -> float:
    return float(
        page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )


@pytest.mark.parametrize(("locale", "orientation"), [("zh_CN", "portrait"), ("en", "landscape")])
def test_large_text_is_one_tap_away_and_kept_for_the_session(
    browser: Browser, live_kiosk: LiveKiosk, shots: Path, locale: str, orientation: str
) -> None:
    context, page = touch_screen(browser, orientation)
    errors = watch_console(page)
    words = WORDS[locale]
    tag = f"{orientation}-{'zh' if locale == 'zh_CN' else 'en'}"
    start_appeal(page, live_kiosk.url, locale)
    standard = _font_size(page, "h1")
    question = page.locator("h1").inner_text()
    toggle = page.locator("[data-display-toggle]")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.tap()
    # The same question again, larger, in high contrast; the answers so far are kept.
    expect(page.locator("body")).to_have_attribute("data-display", "large")
    expect(page.locator("h1")).to_have_text(question)
    assert _font_size(page, "h1") >= standard * 1.25
    check_layout(page, shots, f"company-large-{tag}")
    company, _ = first_tenant(live_kiosk.database)
    page.get_by_role("button", name=company).click()
    choose(page, locale, "物业楼宇" if locale == "zh_CN" else "Building and property")
    expect(page.locator("body")).to_have_attribute("data-display", "large")  # kept
    check_layout(page, shots, f"description-large-{tag}")
    describe(page, locale, "电梯经常停运。")
    contact(page, locale, "周少敏", "13807310000")
    check_layout(page, shots, f"check-large-{tag}")
    page.locator("[data-display-toggle]").tap()
    expect(page.locator("body")).to_have_attribute("data-display", "standard")
    expect(page.locator("h1")).to_have_text(words["check"])  # back on the same page
    context.close()
    assert errors == []


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_attract_screen_shows_announcements_and_a_touch_starts(
    browser: Browser, live_kiosk: LiveKiosk, shots: Path, orientation: str
) -> None:
    context, page = touch_screen(browser, orientation)
    errors = watch_console(page)
    page.goto(live_kiosk.url + "/welcome")
    expect(page.locator("[data-announcement]")).to_have_count(2)  # the demo's current two
    expect(page.locator("[data-announcement]").first).to_contain_text("营业执照")
    assert context.cookies() == []  # looking at it starts no session
    page.screenshot(path=str(shots / f"attract-{orientation}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollHeight - window.innerHeight"
        " + Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
    assert overflow <= 0, f"the attract screen scrolls by {overflow}px"
    page.locator("[data-announcement]").first.tap()  # a touch anywhere
    expect(page.locator("h1")).to_have_text(WORDS["zh_CN"]["home"])
    context.close()
    assert errors == []
