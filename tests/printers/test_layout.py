"""Slips laid out by the encoder: lines broken at the paper's columns, never inside a token."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from printers import PrinterProfile, Receipt, Text, encode_receipt
from printers.layout import MISSING, columns, paper_text, wrap
from tests.support.escpos_decoder import Decoded, RasterImage, decode

PROFILES = {58: PrinterProfile.for_paper(58), 80: PrinterProfile.for_paper(80)}

# Tokens that must never be split while they fit on a line.
REFERENCE = "SQ-20261124-0042"
MASKED_ID = "110***********002X"
MASKED_MOBILE = "138****5678"
HOTLINE = "12345-1"
PHONE = "0731-88888888"
URL = "https://kiosk.example.cn/e/7f3a"  # 31 columns: fits 58 mm paper
TOKENS = (REFERENCE, MASKED_ID, MASKED_MOBILE, HOTLINE, PHONE, URL, "1234567", "2026-11-24")


def width(text: str) -> int:
    """Columns as the printer's font A takes them, written out again: ASCII 1, others 2."""
    return sum(1 if ord(char) < 0x80 else 2 for char in text)


def printed_lines(data: bytes) -> list[tuple[str, int]]:
    """(text, width multiplier) of every printed text line."""
    slip = decode(data)
    return [(line.text, line.runs[0].width if line.runs else 1) for line in slip.lines if line.text]


def assert_fits(slip: Decoded | bytes, paper: int) -> None:
    """No text line wider than the paper; every raster line one printed line high."""
    decoded = decode(slip) if isinstance(slip, bytes) else slip
    limit = PROFILES[paper].chars
    for line in decoded.lines:
        for run in line.runs:
            assert run.width == line.runs[0].width
        used = sum(width(run.text) * run.width for run in line.runs)
        assert used <= limit, f"{line.text!r} takes {used} of {limit} columns"
    for image in decoded.of_type(RasterImage):
        assert image.width <= PROFILES[paper].dots
        assert image.height in (30, 60), "a picture of more than one printed line"


@pytest.mark.parametrize(
    ("text", "limit", "rows"),
    [
        # the printer's own wrap made "…12 / 345" and "…00 / 2X" and "Cen / tre"
        (
            "Business environment hotline: 12345",
            32,
            ["Business environment hotline:", "12345"],
        ),
        (f"Resident ID number: {MASKED_ID}", 32, ["Resident ID number:", MASKED_ID]),
        (
            "Place: Furong International Finance Centre, Room 1203",
            32,
            ["Place: Furong International", "Finance Centre, Room 1203"],
        ),
        # 禁则: ， 。 ； 》 never start a line, 《 （ never end one
        ("请阅读《长沙市促进中小企业发展若干政策》（试行）；提交材料。", 32, None),
        (
            "营商环境投诉举报热线12345，工作日受理。",
            20,
            ["营商环境投诉举报热线", "12345，工作日受理。"],
        ),
    ],
)
def test_wrap_breaks_between_words_never_inside_a_token(
    text: str, limit: int, rows: list[str] | None
) -> None:
    lines = wrap(text, limit)
    assert all(width(line) <= limit for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    if rows is not None:
        assert lines == rows
    for line in lines:
        assert not line.startswith(tuple("，。；》、）"))
        assert not line.endswith(tuple("《（"))


def test_no_line_starts_with_closing_punctuation_at_any_width() -> None:
    text = "请阅读《长沙市促进中小企业发展若干政策》（试行）；提交材料，按时办理。逾期不候。"
    for limit in range(8, 60):  # from 4 characters a line: no 禁则 run is longer
        lines = wrap(text, limit)
        assert all(width(line) <= limit for line in lines), limit
        for line in lines:
            assert line[:1] not in "，。；》）", (limit, lines)
            assert line[-1:] not in "《（", (limit, lines)


def test_a_url_longer_than_the_line_gets_lines_of_its_own_broken_after_slashes() -> None:
    url = "https://meeting.example.cn/j/123456789?pwd=abcdefghijklmnop&lang=zh"
    lines = wrap(f"线上参会：{url}", 48)
    assert lines == [
        "线上参会：",
        "https://meeting.example.cn/j/123456789?",
        "pwd=abcdefghijklmnop&lang=zh",
    ]
    short = wrap(f"线上参会：{URL}，请准时。", 32)
    assert URL in short  # shorter than a line: on one line, whole, never split
    assert short[0] == "线上参会："


def test_a_token_longer_than_any_line_is_cut_at_the_last_column() -> None:
    assert wrap("0123456789" * 4, 16) == ["0123456789012345", "6789012345678901", "23456789"]
    assert wrap("", 32) == [""]
    assert wrap("中文", 1) == ["中", "文"]  # narrower than one character: one a line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(
        st.one_of(
            st.text(
                alphabet=st.characters(
                    codec="utf-8",
                    categories=("Lu", "Ll", "Lo", "Nd", "Po", "Ps", "Pe", "Zs", "So", "Sm"),
                ),
                max_size=12,
            ),
            st.sampled_from(TOKENS),
        ),
        max_size=10,
    ),
    limit=st.sampled_from([16, 24, 32, 48]),
)
def test_random_text_fits_and_keeps_every_token_whole(words: list[str], limit: int) -> None:
    text = "".join(words)
    lines = wrap(text, limit)
    assert all(width(line) <= limit for line in lines), lines
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)
    for token in TOKENS:
        if token in text and width(token) <= limit and _standalone(text, token):
            assert any(token in line for line in lines), (token, lines)


def _standalone(text: str, token: str) -> bool:
    """The token is not glued to more letters or digits (which would make a longer token)."""
    # a space, an ideograph or the end of the text on both sides: UAX #14 may break there
    free = re.compile(r"[ \u4e00-\u9fff]")
    for match in re.finditer(re.escape(token), text):
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        if free.match(before or " ") and free.match(after or " "):
            return True
    return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
        min_size=1,
        max_size=40,
    ),
    paper=st.sampled_from([58, 80]),
    size=st.sampled_from([1, 2]),
)
def test_a_random_company_name_prints_within_the_paper(name: str, paper: int, size: int) -> None:
    data = encode_receipt(
        Receipt((Text(f"Company: {name} {MASKED_MOBILE}", size=size),)), profile=PROFILES[paper]
    )
    assert_fits(data, paper)
    texts = [text for text, _ in printed_lines(data)]
    if not decode(data).of_type(RasterImage):
        assert any(MASKED_MOBILE in text for text in texts)


@pytest.mark.parametrize("paper", [58, 80])
def test_every_printed_line_fits_and_tokens_stay_on_one_line(paper: int) -> None:
    receipt = Receipt(
        (
            Text(f"楼宇政务服务驿站 {REFERENCE}", size=2, bold=True),
            Text(f"联系电话：{MASKED_MOBILE}；证件号码：{MASKED_ID}；营商环境热线 {HOTLINE}"),
            Text(f"Online: {URL} — Furong International Finance Centre"),
        )
    )
    data = encode_receipt(receipt, profile=PROFILES[paper])
    assert_fits(data, paper)
    texts = [text for text, _ in printed_lines(data)]
    for token in (REFERENCE, MASKED_MOBILE, MASKED_ID, HOTLINE, URL):
        assert any(token in text for text in texts), (token, texts)


# ---- what goes on paper: no format characters, no tofu ---------------------------------------


def _font_has(char: str) -> bool:
    """A stand-in font: ASCII, CJK ideographs and ★ (a GBK symbol)."""
    return char.isascii() or "\u4e00" <= char <= "\u9fff" or char == "★"


@pytest.mark.parametrize(
    ("raw", "paper"),
    [
        ("华\u200d为", "华为"),  # a stray zero-width joiner
        ("小熊🐻科技", "小熊科技"),  # an emoji the fonts lack
        ("👨\u200d💻 编程 ", " 编程 "),  # a ZWJ sequence is one emoji, left out whole
        ("♥\ufe0f爱心", "爱心"),  # emoji presentation selector on a symbol the font lacks
        ("葛\U000e0100", "葛"),  # an ideographic variation selector
        ("🇨🇳 中国", "CN 中国"),  # a flag prints as its two letters
        ("1\ufe0f\u20e3号楼", "1号楼"),  # a keycap prints as its digit
        ("★ 星级", "★ 星级"),  # a symbol the font has stays
        ("soft\u00adhyphen\u2060word", "softhyphenword"),
        ("\U000f0001名", f"{MISSING}名"),  # no font has it: the typesetters' mark, never tofu
    ],
)
def test_paper_text_removes_format_characters_and_emoji(raw: str, paper: str) -> None:
    assert paper_text(raw, _font_has) == paper


@pytest.mark.parametrize(
    "name",
    ["华\u200d为科技", "小熊🐻科技", "👨\u200d👩\u200d👧 家政服务", "❤️爱心", "🇨🇳中国", "1️⃣号店"],
)
def test_names_with_joiners_and_emoji_print_as_text_not_as_a_picture(name: str) -> None:
    slip = decode(encode_receipt(Receipt((Text(f"公司：{name}"),)), profile=PROFILES[58]))
    assert slip.of_type(RasterImage) == []  # the printer's own font: no gaps, no □□
    (line, *_) = [line.text for line in slip.lines if line.text]
    assert "\u200d" not in line and "\ufe0f" not in line and "□" not in line
    assert line.startswith("公司：") and len(line) > 3


def test_a_rare_character_in_a_name_is_still_drawn() -> None:
    slip = decode(encode_receipt(Receipt((Text("𠮷野家"),)), profile=PROFILES[80]))
    (image,) = slip.of_type(RasterImage)
    assert image.height == 30


def test_columns_counts_ascii_as_one_and_everything_else_as_two() -> None:
    assert columns("SQ-1") == 4
    assert columns("中文·é") == 8
