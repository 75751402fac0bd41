"""Home ends a visit: person A fills every tile's form and taps home; person B finds them empty.

Leaving answers for home asks once (keep / discard); the screens are saved to $SCREENSHOT_DIR.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveKiosk, touch_screen, watch_console
from tests.e2e.kiosk_pages import (
    WORDS,
    check_layout,
    put_keyboard_away,
    tenant_with_code,
)
from tests.e2e.test_events_flow import _publish

TILES = {  # each tile of the home screen: its task and the task's first question
    "appeal": "company",
    "register": "name",
    "address": "company",
    "union": "company",
    "tax": "company",
    "invoice": "company",
}
A_TYPED = "甲公司的经办人李雷"


def _home(page: Page) -> None:
    page.locator(".masthead__home").click()


def _discard(page: Page, url: str) -> None:
    """Tap home with answers on the way: asked once; discard goes home."""
    _home(page)
    dialog = page.locator("#leave-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("放弃已填写的内容？")
    with page.expect_navigation():
        page.locator("[data-leave-discard]").click()
    expect(page).to_have_url(url + "/")
    expect(page.locator("h1")).to_have_text(WORDS["zh_CN"]["home"])


def _answer_first_question(page: Page) -> None:
    """Person A answers the first question of whatever task is on the screen."""
    choices = page.locator(".choices .choice")
    if choices.count():
        with page.expect_navigation():
            choices.first.click()
        return
    page.locator("main input.input, main textarea").first.fill(A_TYPED)
    put_keyboard_away(page)
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()


def _nothing_of_a(page: Page, where: str) -> None:
    expect(page.locator(".choice--selected")).to_have_count(0)
    for field in page.locator("main input.input, main textarea").all():
        assert field.input_value() == "", f"{where}: {field.get_attribute('name')} kept"
    assert A_TYPED not in page.content(), where


def test_after_home_the_next_person_finds_every_tile_empty(
    page: Page, live_kiosk: LiveKiosk, shots: Path
) -> None:
    errors = watch_console(page)
    url = live_kiosk.url
    tiles = page.locator("ul.tiles a.tile")
    page.goto(url + "/")
    assert {
        href.strip("/") for href in tiles.evaluate_all("ts => ts.map(t => t.getAttribute('href'))")
    } == set(TILES)
    for slug, first in TILES.items():
        tile = page.locator(f'ul.tiles a.tile[href="/{slug}/"]')
        page.goto(url + "/")
        tile.click()
        expect(page).to_have_url(f"{url}/{slug}/{first}")
        _answer_first_question(page)
        _discard(page, url)
        tile.click()  # person B
        expect(page).to_have_url(f"{url}/{slug}/{first}")
        _nothing_of_a(page, slug)
        # And Back, from B's first page, shows nothing of A's either.
        page.go_back()
        page.go_forward()
        _nothing_of_a(page, f"{slug} after Back")
    assert errors == []


def test_a_whole_appeal_is_kept_or_discarded_as_asked(
    page: Page, live_kiosk: LiveKiosk, shots: Path
) -> None:
    url = live_kiosk.url
    name, _code = tenant_with_code(live_kiosk.database)
    page.goto(url + "/appeal/")
    _home(page)  # nothing entered yet: straight home, nothing asked
    expect(page).to_have_url(url + "/")
    page.get_by_role("link", name=re.compile("我要反映诉求")).click()
    page.locator("#q").fill(name)
    put_keyboard_away(page)
    _home(page)  # a search typed is no answer
    expect(page).to_have_url(url + "/")
    page.goto(url + "/appeal/company?q=" + name)
    with page.expect_navigation():
        page.locator(".choices .choice").first.click()
    page.locator(".radio").first.click()
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()
    page.locator("#description").fill("电梯经常停运，影响员工上下班。")
    put_keyboard_away(page)
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()
    page.locator("#contact_name").fill("李雷")
    page.locator("#contact_mobile").fill("13912345678")
    put_keyboard_away(page)
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()
    expect(page).to_have_url(url + "/appeal/check")

    _home(page)
    expect(page.locator("#leave-dialog")).to_be_visible()
    expect(page.locator("[data-leave-keep]")).to_be_focused()
    check_layout(page, shots, "leave-dialog-portrait-zh")
    page.locator("[data-leave-keep]").click()  # keep: the check page, as it was
    expect(page.locator("#leave-dialog")).to_be_hidden()
    expect(page).to_have_url(url + "/appeal/check")
    expect(page.locator(".summary")).to_contain_text("13912345678")
    _home(page)
    page.keyboard.press("Escape")  # Escape keeps too
    expect(page.locator("#leave-dialog")).to_be_hidden()

    _discard(page, url)
    page.get_by_role("link", name=re.compile("我要反映诉求")).click()  # person B
    expect(page).to_have_url(url + "/appeal/company")
    for left in ("李雷", "13912345678", "电梯经常停运"):
        assert left not in page.content()
    page.goto(url + "/appeal/check")  # even typed straight in
    expect(page).to_have_url(url + "/appeal/company")


def test_an_event_sign_up_and_the_policy_matchers_answers_end_at_home(
    page: Page, live_kiosk: LiveKiosk
) -> None:
    url = live_kiosk.url
    event_id = _publish(live_kiosk)
    page.goto(url + "/events")
    page.locator(f'a[data-event="{event_id}"]').click()
    with page.expect_navigation():
        page.locator(".choices .choice").first.click()
    expect(page.locator("[data-company]")).to_be_visible()
    page.locator("#contact_name").fill("李雷")
    put_keyboard_away(page)
    _discard(page, url)
    page.goto(url + "/events")
    page.locator(f'a[data-event="{event_id}"]').click()  # person B
    expect(page.locator("[data-company]")).to_have_count(0)
    expect(page.locator(".choices .choice").first).to_be_visible()
    assert "李雷" not in page.content()

    page.goto(url + "/policies/match")
    page.locator(".choices .choice").first.click()
    refine = page.locator("form.refine")
    if refine.count():
        refine.locator("select").first.select_option(index=1)
        with page.expect_navigation():
            refine.locator("button[type=submit]").click()
        expect(page.locator("form.refine[data-holds-answers]")).to_have_count(1)
        _discard(page, url)


def test_the_leave_dialog_in_both_languages_and_orientations(
    browser: Browser, live_kiosk: LiveKiosk, shots: Path
) -> None:
    for orientation in ("portrait", "landscape"):
        for locale, language in (("zh_CN", "中文"), ("en", "English")):
            context, page = touch_screen(browser, orientation)
            page.goto(live_kiosk.url + "/")
            page.get_by_role("button", name=language).click()
            page.goto(live_kiosk.url + "/appeal/company?q=zzzz-none")
            page.locator("#q").fill("李雷")  # a search is no answer…
            page.goto(live_kiosk.url + "/register/")
            page.locator("main input.input").first.fill("长沙星辰云测")  # …a typed answer is
            put_keyboard_away(page)
            _home(page)
            dialog = page.locator("#leave-dialog")
            expect(dialog).to_be_visible()
            title = "放弃已填写的内容？" if locale == "zh_CN" else "Discard what you have entered?"
            expect(dialog).to_contain_text(title)
            for button in dialog.locator("button").all():
                box = button.bounding_box()
                assert box is not None and box["height"] >= 48 and box["width"] >= 48
            short = "zh" if locale == "zh_CN" else "en"
            check_layout(page, shots, f"leave-dialog-{orientation}-{short}")
            context.close()
