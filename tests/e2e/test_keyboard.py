"""The on-screen keyboard, tapped like a person would: pinyin, symbols, the number and code pads.

Screenshots of every layout at both orientations go to $SCREENSHOT_DIR when it is set.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import LiveKiosk, touch_screen, watch_console
from tests.e2e.kiosk_pages import WORDS, choose, start_appeal, tap

USCC_EXCLUDED = "IOSVZ"
DESCRIPTION = "公司电梯经常故障，A座3楼到15楼停运！请尽快维修。\n谢谢"


class OnScreen:
    """The keyboard at the bottom of the screen, driven by taps on its keys."""

    def __init__(self, page: Page, touch: bool = False) -> None:
        self.page = page
        self.board = page.locator("#keyboard")
        self.touch = touch

    def _press(self, target: Locator) -> None:
        if self.touch:
            target.tap()
        else:
            target.click()

    def key(self, action: str, text: str | None = None) -> Locator:
        """A key by what it does (letter, char, space, backspace, …) and what it types."""
        selector = f"button[data-key={action}]"
        if text is not None:
            selector += f"[data-text={_quoted(text)}]"
        return self.board.locator(selector)

    def tap(self, action: str, text: str | None = None) -> None:
        """Tap one key."""
        self._press(self.key(action, text))

    def letters(self, letters: str) -> None:
        """Tap pinyin letters (Chinese mode) into the composition."""
        for letter in letters:
            self.tap("letter", letter)

    def settled(self) -> None:
        """Wait until the candidate bar shows the candidates for what is being composed."""
        self.page.wait_for_function(
            """() => {
                const board = document.querySelector('#keyboard');
                const strip = board.querySelector('.kb__candidates');
                return strip.dataset.letters === board.dataset.composing;
            }"""
        )

    def pick(self, word: str, pages: int = 8) -> None:
        """Tap the candidate `word`, turning the candidate pages (›) until it shows."""
        strip = self.board.locator(".kb__candidates")
        for _ in range(pages):
            self.settled()
            found = strip.get_by_role("button", name=word, exact=True)
            if found.count():
                self._press(found)
                return
            self.tap("next")
        raise AssertionError(f"{word} is not among the candidates")

    def pinyin(self, letters: str, word: str) -> None:
        """Type the letters and tap the word among the candidates."""
        self.letters(letters)
        self.pick(word)
        expect(self.board).to_have_attribute("data-composing", "")

    def chars(self, text: str) -> None:
        """Tap characters that have keys of their own (digits, punctuation, Latin letters),
        switching between the letter and symbol pages as needed."""
        for char in text:
            key = self.key("char", char)
            if not key.count():
                self.tap(
                    "symbols" if self.board.get_attribute("data-page") == "letters" else "letters"
                )
            expect(key).to_have_count(1)
            self._press(key)

    def done(self) -> None:
        """Tap 完成: the keyboard closes."""
        self.tap("done")
        expect(self.board).to_be_hidden()


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _covers(page: Page, field: Locator) -> float:
    """How many pixels of the field the open keyboard covers (0 when none)."""
    box = field.bounding_box()
    board = page.locator("#keyboard").bounding_box()
    assert box is not None and board is not None
    return max(0.0, box["y"] + box["height"] - board["y"])


def _stored_appeal(kiosk: LiveKiosk) -> tuple[str, str, str, str]:
    with sqlite3.connect(kiosk.database) as connection:
        row = connection.execute(
            "SELECT company_name, description, contact_name, contact_mobile FROM appeal"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return row[0], row[1], row[2], row[3]


def test_an_appeal_typed_entirely_on_the_on_screen_keyboard(
    page: Page, live_kiosk: LiveKiosk
) -> None:
    errors = watch_console(page)
    words = WORDS["zh_CN"]
    kb = OnScreen(page)
    start_appeal(page, live_kiosk.url, "zh_CN")

    # Company: search the building's list for 快鹿 (a word only this building has).
    search = page.get_by_label(words["search"])
    search.click()
    expect(kb.board).to_be_visible()
    assert search.get_attribute("inputmode") == "none"
    kb.letters("kuailu")
    kb.settled()
    first = kb.board.locator(".kb__candidate").first
    expect(first).to_have_text("快鹿")  # the building's own word comes first
    kb.pick("快鹿")
    expect(search).to_have_value("快鹿")
    assert page.evaluate("document.activeElement.id") == "q"  # taps never took the focus
    kb.tap("enter")  # Enter in a search box searches
    page.get_by_role("button", name=re.compile("长沙快鹿电子商务有限公司")).click()
    choose(page, "zh_CN", "物业楼宇")

    # Description: pinyin, space, backspace, punctuation, digits, Latin capitals, a new line.
    field = page.get_by_label(words["description"])
    field.click()
    kb.letters("gongsi")
    kb.settled()
    kb.tap("space")  # takes the first candidate
    expect(field).to_have_value("公司")
    kb.letters("diantix")
    kb.tap("backspace")  # a composition letter goes first
    expect(kb.board).to_have_attribute("data-composing", "dianti")
    kb.pick("电梯")
    kb.letters("jingchangguzhang")  # picking 经常 leaves guzhang to compose
    kb.pick("经常")
    expect(kb.board).to_have_attribute("data-composing", "guzhang")
    kb.pick("故障")
    kb.chars("，")
    kb.tap("mode")  # 中/英 → English letters
    kb.tap("shift")
    kb.chars("A")
    expect(kb.key("char", "z")).to_have_count(1)  # shift lasts one letter
    kb.tap("mode")
    kb.pinyin("zuo", "座")
    kb.chars("3")
    kb.tap("letters")
    kb.pinyin("lou", "楼")
    kb.pinyin("dao", "到")
    kb.chars("15")
    kb.tap("letters")
    kb.pinyin("lou", "楼")
    kb.pinyin("tingyun", "停运")
    kb.chars("！")
    kb.tap("letters")
    kb.pinyin("qing", "请")
    kb.pinyin("jinkuai", "尽快")
    kb.pinyin("weixiu", "维修")
    kb.chars("。")
    kb.tap("enter")  # a new line in a text area
    kb.pinyin("xiexie", "谢谢")
    expect(field).to_have_value(DESCRIPTION)
    expect(page.locator("[data-count-for=description]")).to_have_text(
        f"{len(DESCRIPTION)} / 1000"
    )  # the counter heard every input event
    kb.done()
    tap(page, "button", words["continue"])

    # Contact: a name in pinyin, the mobile on the number pad.
    name = page.get_by_label(words["name"])
    name.click()
    kb.pinyin("wang", "王")
    kb.pinyin("fang", "芳")
    mobile = page.get_by_label(words["mobile"])
    mobile.click()
    expect(kb.board).to_have_attribute("data-layout", "numeric")
    expect(kb.board.locator("button[data-key=letter]")).to_have_count(0)
    for digit in "13807315678":
        kb.tap("char", digit)
    expect(mobile).to_have_value("13807315678")
    kb.done()
    tap(page, "button", words["continue"])

    expect(page.locator("h1")).to_have_text(words["check"])
    tap(page, "button", words["submit"])
    expect(page.locator("[data-reference]")).to_be_visible()
    assert _stored_appeal(live_kiosk) == (
        "长沙快鹿电子商务有限公司",
        DESCRIPTION,
        "王芳",
        "13807315678",
    )
    assert errors == []


def test_a_company_not_listed_with_its_code_on_the_code_pad(
    page: Page, live_kiosk: LiveKiosk
) -> None:
    errors = watch_console(page)
    words = WORDS["zh_CN"]
    kb = OnScreen(page)
    start_appeal(page, live_kiosk.url, "zh_CN")
    tap(page, "button", words["not_listed"])

    name = page.get_by_label(words["company_name"])
    name.fill("𠮷")  # a character outside the BMP: backspace takes both halves
    name.click()
    kb.tap("backspace")
    expect(name).to_have_value("")
    kb.pinyin("changsha", "长沙")
    kb.pinyin("cheng", "橙")
    kb.pinyin("guo", "果")
    kb.pinyin("canyin", "餐饮")
    kb.pinyin("guanli", "管理")
    kb.pinyin("youxiangongsi", "有限公司")
    expect(name).to_have_value("长沙橙果餐饮管理有限公司")

    code = page.get_by_label(re.compile("统一社会信用代码"))
    code.click()
    expect(kb.board).to_have_attribute("data-layout", "uscc")
    caps = kb.board.locator("button[data-key=char]").all_inner_texts()
    assert sorted(caps) == sorted("0123456789ABCDEFGHJKLMNPQRTUWXY")
    assert not set(USCC_EXCLUDED) & set("".join(caps))
    uscc = _valid_uscc("91430103MA4PHB2C1")
    for char in uscc:
        kb.tap("char", char)
    expect(code).to_have_value(uscc)
    kb.tap("enter")  # Enter in a one-line field sends the form, as on a real keyboard
    expect(page.locator("h1")).to_have_text("您的诉求属于哪一类？")
    assert errors == []


def _valid_uscc(first17: str) -> str:
    from kiosk.validators import uscc_check_char

    return first17 + uscc_check_char(first17)


def test_backspace_held_down_repeats(page: Page, live_kiosk: LiveKiosk) -> None:
    start_appeal(page, live_kiosk.url, "zh_CN")
    search = page.get_by_label(WORDS["zh_CN"]["search"])
    search.fill("长沙市芙蓉区五一大道")
    search.click()
    box = OnScreen(page).key("backspace").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(1_500)  # ms: one at once, more after 450 ms, one every 70 ms
    page.mouse.up()
    assert search.input_value() == ""
    assert page.evaluate("document.activeElement.id") == "q"


def test_a_slow_answer_never_replaces_a_newer_one(page: Page, live_kiosk: LiveKiosk) -> None:
    def slow_gong(route: object) -> None:
        import time

        if "q=gong&" in route.request.url:  # type: ignore[attr-defined]
            time.sleep(0.6)  # seconds: answered after the newer lookup
        route.continue_()  # type: ignore[attr-defined]

    start_appeal(page, live_kiosk.url, "zh_CN")
    kb = OnScreen(page)
    page.get_by_label(WORDS["zh_CN"]["search"]).click()
    page.route(re.compile(r"/keyboard/candidates"), slow_gong)
    kb.letters("gongs")
    kb.settled()
    expect(kb.board.locator(".kb__candidate").first).to_have_text("公司")
    page.wait_for_timeout(900)
    expect(kb.board.locator(".kb__candidates")).to_have_attribute("data-letters", "gongs")


def _open_every_layout(
    page: Page, kiosk: LiveKiosk, folder: Path, tag: str, kb: OnScreen
) -> dict[str, float]:
    """Open each kind of field, check the keyboard leaves it in view, screenshot each layout."""
    covered: dict[str, float] = {}
    words = WORDS["zh_CN"]
    start_appeal(page, kiosk.url, "zh_CN")
    search = page.get_by_label(words["search"])
    kb._press(search)
    covered["search"] = _covers(page, search)
    kb.letters("gongsi")
    kb.settled()
    page.screenshot(path=str(folder / f"keyboard-pinyin-{tag}.png"))
    kb.tap("mode")
    kb.tap("shift")
    page.screenshot(path=str(folder / f"keyboard-latin-{tag}.png"))
    kb.tap("shift")
    kb.tap("shift")
    kb.tap("mode")
    kb.tap("symbols")
    page.screenshot(path=str(folder / f"keyboard-symbols-{tag}.png"))
    kb.tap("letters")
    kb.done()
    tap(page, "button", words["not_listed"])
    for label in (words["company_name"], "统一社会信用代码"):
        field = page.get_by_label(re.compile(label))
        kb._press(field)
        covered[label] = _covers(page, field)
    page.screenshot(path=str(folder / f"keyboard-uscc-{tag}.png"))
    page.get_by_label(words["company_name"]).fill("长沙橙果餐饮管理有限公司")
    kb.done()
    tap(page, "button", words["continue"])
    choose(page, "zh_CN", "物业楼宇")
    description = page.get_by_label(words["description"])
    kb._press(description)
    covered["description"] = _covers(page, description)
    description.fill("电梯经常停运。")
    kb.done()
    tap(page, "button", words["continue"])
    for label in (words["name"], words["mobile"]):
        field = page.get_by_label(label)
        kb._press(field)
        covered[label] = _covers(page, field)
    page.screenshot(path=str(folder / f"keyboard-numeric-{tag}.png"))
    return covered


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_keyboard_never_covers_the_field(
    browser: Browser, live_kiosk: LiveKiosk, shots: Path, orientation: str
) -> None:
    context, page = touch_screen(browser, orientation)
    errors = watch_console(page)
    kb = OnScreen(page, touch=True)
    covered = _open_every_layout(page, live_kiosk, shots, orientation, kb)
    assert covered == dict.fromkeys(covered, 0.0), covered
    small = page.evaluate(
        """() => [...document.querySelectorAll('#keyboard button')]
            .filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 64)
            .map(b => b.outerHTML.slice(0, 80))"""
    )
    assert small == [], f"keys under 64 px: {small}"
    context.close()
    assert errors == []
