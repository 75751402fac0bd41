"""encode_receipt, checked through the independent decoder in tests/support."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers import (
    DEFAULT_PROFILE,
    Feed,
    PrinterProfile,
    QRCode,
    Receipt,
    Rule,
    Text,
    encode_receipt,
)
from printers.layout import columns
from tests.printers.conftest import TRACK_URL, sample_receipt
from tests.support.escpos_decoder import (
    ChineseMode,
    Cut,
    Decoded,
    Init,
    QRFunction,
    RasterImage,
    SetAlign,
    decode,
)

MM58 = PrinterProfile.for_paper(58)

# What must never reach the paper, spelled out here rather than imported from the encoder.
FORBIDDEN = {
    *map(chr, range(0x20)),
    *map(chr, range(0x7F, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


def encode(*elements: Text | QRCode | Rule | Feed, **options: object) -> Decoded:
    profile = options.pop("profile", DEFAULT_PROFILE)
    assert isinstance(profile, PrinterProfile)
    return decode(encode_receipt(Receipt(elements), profile=profile, **options))  # type: ignore[arg-type]


def printed(slip: Decoded) -> list[str]:
    """Printed lines without the blank lines the cut feed adds at the end."""
    lines = [line.text for line in slip.lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_job_frame_init_chinese_mode_and_one_final_cut() -> None:
    data = encode_receipt(sample_receipt(), profile=DEFAULT_PROFILE)
    slip = decode(data)
    assert data.startswith(b"\x1b@\x1c&")
    assert isinstance(slip.commands[0], Init)
    assert slip.commands[1] == ChineseMode(2, on=True)
    assert len(slip.cuts) == 1
    assert slip.commands[-1] == slip.cuts[0]
    assert slip.cuts[0].mode == "full"
    modes = slip.of_type(ChineseMode)
    assert [mode.on for mode in modes] == [True, False]
    assert modes[-1].offset < slip.cuts[0].offset
    # at least a few lines are fed between the last text and the cut
    assert slip.lines[-3:] == [slip.lines[-1]] * 3
    assert slip.lines[-1].text == ""
    assert slip.drawer_kicks == []


def test_chinese_text_is_gb18030_with_styles() -> None:
    slip = decode(encode_receipt(sample_receipt(), profile=DEFAULT_PROFILE))
    assert printed(slip) == [
        "楼宇政务服务驿站",
        "-" * 48,
        "诉求编号 SQ-20261124-0042",
        "类别：政策兑现",
        "提交时间：2026-11-24 09:30",
        "-" * 48,
        "扫码查询办理进度",
    ]
    title, _, number, category = slip.lines[:4]
    assert (title.align, title.bold, title.size) == ("center", True, (2, 2))
    assert (number.align, number.bold, number.size) == ("left", True, (1, 1))
    assert (category.align, category.bold, category.size) == ("left", False, (1, 1))
    assert all(run.chinese for line in slip.lines for run in line.runs)
    assert "诉求编号 SQ-20261124-0042".encode("gb18030") in encode_receipt(
        sample_receipt(), profile=DEFAULT_PROFILE
    )


def test_qr_code_is_native_centred_level_m() -> None:
    slip = encode(QRCode(TRACK_URL, size=5), Text("after"))
    (symbol,) = slip.qr_codes
    assert symbol.payload == TRACK_URL
    assert (symbol.model, symbol.error_correction, symbol.module_size) == ("2", "M", 5)
    assert symbol.align == "center"
    assert slip.lines[0].align == "left"  # the next element sets its own alignment
    assert slip.qr_payloads == [TRACK_URL]


def test_qr_payload_keeps_non_ascii_and_drops_controls() -> None:
    slip = encode(QRCode("https://example.gov.cn/q?类别=政策\x10\x14\x01\x00\x01"))
    assert slip.qr_payloads == ["https://example.gov.cn/q?类别=政策"]


def test_empty_qr_prints_nothing() -> None:
    assert encode(QRCode("")).of_type(QRFunction) == []


def test_qr_as_image_for_printers_without_a_qr_engine() -> None:
    profile = PrinterProfile.for_paper(58, native_qr=False)
    slip = encode(QRCode(TRACK_URL, size=6), Text("扫码"), profile=profile)
    assert slip.of_type(QRFunction) == []
    (image,) = slip.of_type(RasterImage)
    assert image.width == 384  # padded to the paper width, which centres it
    assert 100 < image.height < 384
    assert printed(slip) == ["扫码"]


@pytest.mark.parametrize(("profile", "width"), [(DEFAULT_PROFILE, 48), (MM58, 32)])
def test_rule_is_full_width(profile: PrinterProfile, width: int) -> None:
    slip = encode(Text("大字", size=2, bold=True), Rule(), profile=profile)
    assert printed(slip) == ["大字", "-" * width]
    assert slip.lines[1].size == (1, 1)
    assert not slip.lines[1].bold


def test_feed_prints_blank_lines() -> None:
    assert printed(encode(Text("a"), Feed(3), Text("b"))) == ["a", "", "", "", "b"]
    assert printed(encode(Text("a"), Feed(0), Feed(-2), Text("b"))) == ["a", "b"]
    assert printed(encode(Text("a"), Feed(300), Text("b"))) == ["a"] + [""] * 300 + ["b"]


def test_newline_splits_a_text_and_alignment_applies_to_all_lines() -> None:
    slip = encode(Text("第一行\n第二行\r\n\tthird", align="right"))
    assert printed(slip) == ["第一行", "第二行", "third"]
    assert {line.align for line in slip.lines[:3]} == {"right"}


def test_reprint_marker_comes_first_and_is_bold() -> None:
    slip = decode(encode_receipt(sample_receipt(), profile=DEFAULT_PROFILE, reprint=True))
    first = slip.lines[0]
    assert first.text == "补打 / REPRINT"
    assert first.bold
    assert first.align == "center"
    assert printed(slip)[2] == "楼宇政务服务驿站"
    assert len(slip.cuts) == 1
    plain = decode(encode_receipt(sample_receipt(), profile=DEFAULT_PROFILE))
    assert "REPRINT" not in plain.text


def test_injected_commands_are_removed() -> None:
    name = "恶意公司\x1bp\x00\x19\xfa\u202eLTD\u202c\u2066x\u2069\u200f\x9b\x85\x7f\x1dV\x00"
    data = encode_receipt(Receipt((Text(name),)), profile=DEFAULT_PROFILE)
    slip = decode(data)  # raises on any control byte or unknown command
    assert slip.drawer_kicks == []
    assert b"\x1bp" not in data
    assert len(slip.cuts) == 1
    assert printed(slip) == ["恶意公司púLTDxV"]
    # only the encoder's own commands, at the offsets it put them
    assert [type(c).__name__ for c in slip.commands[:2]] == ["Init", "ChineseMode"]


def test_a_lone_surrogate_in_a_gbk_line_prints_the_missing_character_mark() -> None:
    # nothing can encode or draw it: 〓 (the typesetters' mark) stands in, never '?' or a box
    slip = encode(Text("a\ud800b"))
    assert printed(slip) == ["a〓b"]
    assert slip.of_type(RasterImage) == []


def test_chinese_off_sends_ascii_as_text_and_other_lines_as_images() -> None:
    profile = PrinterProfile(chinese_mode=False)
    data = encode_receipt(Receipt((Text("编号 SQ-1 é\nSQ-1"),)), profile=profile)
    slip = decode(data)
    assert slip.of_type(ChineseMode) == []
    assert printed(slip) == ["SQ-1"]
    (image,) = slip.of_type(RasterImage)
    assert image.offset < slip.lines[0].runs[0].offset


@pytest.mark.parametrize(
    "element",
    [Text("x", size=0), Text("x", size=9), Text("x", align="middle")],  # type: ignore[arg-type]
)
def test_bad_element_values_raise(element: Text) -> None:
    with pytest.raises(ValueError, match=r"size|align"):
        encode_receipt(Receipt((element,)), profile=DEFAULT_PROFILE)


def test_empty_receipt_is_just_init_and_cut() -> None:
    slip = encode()
    assert [type(c).__name__ for c in slip.commands] == [
        "Init",
        "ChineseMode",
        "ChineseMode",
        "Feed",
        "Cut",
    ]


def test_align_commands_are_explicit_for_every_element() -> None:
    slip = encode(Text("a", align="center"), Rule(), QRCode("q"), Feed(1))
    aligns = [c.align for c in slip.of_type(SetAlign)]
    assert aligns == ["center", "left", "center", "left"]


@given(st.text(st.characters(codec="gbk")))
def test_any_gbk_text_prints_as_text_safely(text: str) -> None:
    slip = encode(Text(text))  # decode() raises on any stray control byte
    expected = "".join(ch for ch in text if ch not in FORBIDDEN)
    rows = printed(slip)
    # the encoder breaks lines at the paper's width (spaces at a break are not printed)
    assert re.sub(r"\s", "", "".join(rows)) == re.sub(r"\s", "", expected)
    assert all(columns(row) <= DEFAULT_PROFILE.chars for row in rows)
    assert slip.of_type(RasterImage) == []
    assert slip.drawer_kicks == []
    assert len(slip.of_type(Cut)) == 1


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u3000", "\u200a"])
def test_separators_in_a_drawn_line_print_as_blanks(separator: str) -> None:
    # libraqm refuses to lay out U+2029 on its own: found by the property test below
    slip = encode(Text(f"𠮷{separator}好"))
    assert len(slip.of_type(RasterImage)) == 1


@given(st.text())
def test_any_text_prints_safely(text: str) -> None:
    # each line is one or more printed lines (broken at the paper's width), each printed as
    # text or, if the printer's font lacks a character, as an image one line high
    slip = encode(Text(text))
    lines = text.split("\n")
    images = slip.of_type(RasterImage)
    cut_feed = 6  # blank lines ESC d 6 adds before the cut
    assert len(slip.lines) - cut_feed + len(images) >= len(lines)
    if all(line.isascii() for line in lines):
        assert images == []
    assert all(image.width == DEFAULT_PROFILE.dots for image in images)
    assert all(image.height == 30 for image in images)
    assert all(columns(line.text) <= DEFAULT_PROFILE.chars for line in slip.lines)
    assert slip.drawer_kicks == []
    assert len(slip.of_type(Cut)) == 1
