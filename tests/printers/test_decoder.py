"""The test decoder itself, on byte strings written from the Epson command reference."""

from __future__ import annotations

import doctest

import pytest

from tests.support import escpos_decoder
from tests.support.escpos_decoder import (
    CashDrawer,
    Cut,
    DecodeError,
    Feed,
    RasterImage,
    SetSize,
    StatusRequest,
    decode,
)

NIHAO = "你好".encode("gb18030")


def test_text_in_chinese_mode_with_alignment_and_bold() -> None:
    slip = decode(b"\x1b@\x1c&\x1ba\x01\x1bE\x01" + NIHAO + b" A\n\x1bE\x00\x1ba\x32B\n")
    assert slip.text == "你好 A\nB"
    assert (slip.lines[0].align, slip.lines[0].bold) == ("center", True)
    assert (slip.lines[1].align, slip.lines[1].bold) == ("right", False)


def test_esc_bang_bold_bit_and_gs_bang_size() -> None:
    slip = decode(b"\x1b!\x08a\n\x1b!\x00\x1d!\x11b\n\x1d!\x70c\n")
    assert [line.bold for line in slip.lines] == [True, False, False]
    assert [line.size for line in slip.lines] == [(1, 1), (2, 2), (8, 1)]
    assert slip.of_type(SetSize)[0] == SetSize(8, width=2, height=2)


def test_text_without_line_feed_still_counts() -> None:
    assert decode(b"tail").text == "tail"


def test_qr_blocks_give_the_stored_payload() -> None:
    data = (
        b"\x1ba\x01"
        b"\x1d(k\x04\x00\x31\x41\x32\x00"  # fn 65: model 2
        b"\x1d(k\x03\x00\x31\x43\x08"  # fn 67: module size 8
        b"\x1d(k\x03\x00\x31\x45\x33"  # fn 69: level H
        b"\x1d(k\x06\x00\x31\x50\x30abc"  # fn 80: store "abc" (pL = 3 + 3)
        b"\x1d(k\x03\x00\x31\x51\x30"  # fn 81: print
    )
    (symbol,) = decode(data).qr_codes
    assert (symbol.payload, symbol.model, symbol.module_size) == ("abc", "2", 8)
    assert (symbol.error_correction, symbol.align) == ("H", "center")


def test_qr_stored_but_not_printed_is_not_a_payload() -> None:
    assert decode(b"\x1d(k\x06\x00\x31\x50\x30abc").qr_payloads == []


@pytest.mark.parametrize(
    ("data", "mode", "feed"),
    [
        (b"\x1dV\x00", "full", None),
        (b"\x1dV\x30", "full", None),
        (b"\x1dV\x01", "partial", None),
        (b"\x1dV\x31", "partial", None),
        (b"\x1dVA\x10", "full", 16),
        (b"\x1dVB\x00", "partial", 0),
    ],
)
def test_cut_modes(data: bytes, mode: str, feed: int | None) -> None:
    (cut,) = decode(data).cuts
    assert (cut.mode, cut.feed) == (mode, feed)
    assert cut == Cut(0, mode, data[2], feed)


def test_feed_prints_the_buffer_and_blank_lines() -> None:
    slip = decode(b"a\x1bd\x03b")
    assert [line.text for line in slip.lines] == ["a", "", "", "b"]
    assert slip.of_type(Feed) == [Feed(1, 3)]


def test_cash_drawer_and_status_are_decoded() -> None:
    slip = decode(b"\x1bp\x00\x19\xfa\x10\x14\x01\x00\x01\x10\x04\x01")
    assert slip.drawer_kicks == [
        CashDrawer(0, pin=0, on_time=25, off_time=250),
        CashDrawer(5, pin=0, on_time=1, off_time=1, realtime=True),
    ]
    assert slip.of_type(StatusRequest) == [StatusRequest(10, 1)]


def test_raster_image_bits_follow_the_reference() -> None:
    # GS v 0, m = 0, xL = 2 bytes a row (16 dots), yL = 2 rows; the MSB is the leftmost dot
    data = b"\x1ba\x01\x1dv0\x00\x02\x00\x02\x00" + b"\x80\x01" + b"\xff\x00" + b"ok\n"
    slip = decode(data)
    (image,) = slip.of_type(RasterImage)
    assert (image.width, image.height, image.mode, image.align) == (16, 2, 0, "center")
    assert image.picture() == ["#..............#", "########........"]
    assert image.ink() == (0, 0, 16, 2)
    assert slip.text == "ok"  # the image data is not mistaken for text or commands


def test_init_resets_modes_and_clears_the_buffer() -> None:
    slip = decode(b"\x1c&\x1bE\x01\x1d!\x11lost\x1b@kept\n")
    assert slip.text == "kept"
    assert (slip.lines[0].bold, slip.lines[0].size) == (False, (1, 1))
    assert not slip.lines[0].runs[0].chinese


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"ok\x1bt\x00", "offset 2: unknown command ESC 0x74"),
        (b"\x1d(L\x02\x00\x30\x32", "unknown command GS 0x28"),
        (b"\x1c!\x00", "unknown command FS 0x21"),
        (b"\x10\x05\x01", "unknown command DLE 0x05"),
        (b"a\x07b", "offset 1: unexpected control byte 0x07"),
        (b"a\rb", "unexpected control byte 0x0D"),
        (b"\x7f", "unexpected control byte 0x7F"),
        (b"\x1d(k\x06\x00\x31\x50\x30ab", "data ends inside GS ( k parameters"),
        (b"\x1d(k\x03\x00\x30\x51\x30", "cn=48 is not QR"),
        (b"\x1d(k\x03\x00\x31\x45\x34", "malformed GS ( k QR error_correction"),
        (b"\x1d(k\x03\x00\x31\x51\x30", "QR print with no stored data"),
        (b"\x1dV\x02", "GS V 2 is not a cut mode"),
        (b"\x1dv0\x05\x01\x00\x01\x00\x00", "GS v 0 mode 5 is not 0-3 or 48-51"),
        (b"\x1dv0\x00\x00\x00\x01\x00", "GS v 0 image of 0 x 1 bytes"),
        (b"\x1dv0\x00\x02\x00\x02\x00\x00", "data ends inside GS v 0 image data"),
        (b"\x1ba\x05", "ESC a 5 is not a justification"),
        (b"\x1b", "data ends inside ESC"),
        (NIHAO, "is not ASCII (Chinese mode off)"),
        (b"\x1c&\x80\n", "is not GB18030"),
    ],
)
def test_surprises_raise(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode(data)


def test_docstring_example() -> None:
    assert doctest.testmod(escpos_decoder).failed == 0
