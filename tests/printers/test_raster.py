"""Lines the printer's font cannot print go out as GS v 0 images drawn in Noto Sans CJK."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from PIL import Image

from printers import (
    DEFAULT_PROFILE,
    PrinterConfigError,
    PrinterProfile,
    Receipt,
    Text,
    encode_receipt,
    glyphs,
    open_receipt_printer,
)
from printers.raster import raster_image
from tests.support.escpos_decoder import ChineseMode, Decoded, RasterImage, decode

RARE = "𠮷"  # U+20BB7, four bytes in GB18030, in no GBK font
EXT_A = "䶮"  # U+4DAE: two bytes in GB18030 (FE 9F), but not a GBK character
CELL = 12  # dots: font A's half-width cell (a Chinese character takes two)


def slip(*texts: Text, profile: PrinterProfile = DEFAULT_PROFILE) -> tuple[bytes, Decoded]:
    data = encode_receipt(Receipt(texts), profile=profile)
    return data, decode(data)


def test_rare_character_line_is_an_image_and_the_rest_stays_gb18030() -> None:
    data, decoded = slip(
        Text("诉求编号 SQ-1"), Text(f"申请人：{RARE}田"), Text(f"{EXT_A} ok", align="center")
    )
    assert [line.text for line in decoded.lines[:1]] == ["诉求编号 SQ-1"]
    assert "诉求编号 SQ-1".encode("gb18030") in data
    assert RARE.encode("gb18030") not in data and EXT_A.encode("gb18030") not in data
    first, second = decoded.of_type(RasterImage)
    assert (first.width, first.height) == (576, 30)  # the paper width, one line of 30 dots
    assert decoded.lines[0].runs[0].offset < first.offset < second.offset
    assert all(run.chinese for line in decoded.lines for run in line.runs)
    # "䶮 ok" is 2 + 1 + 1 + 1 cells = 60 dots, centred like ESC a 1 centres text
    left, _, right, _ = second.ink() or (0, 0, 0, 0)
    assert left >= 258 and right <= 258 + 60
    assert abs((left + right) / 2 - 288) < 6


def test_the_image_line_is_left_aligned_and_sized_like_text() -> None:
    _, decoded = slip(Text(f"{RARE}{RARE}", size=2, bold=True))
    (image,) = decoded.of_type(RasterImage)
    assert (image.width, image.height) == (576, 60)
    left, top, right, bottom = image.ink() or (0, 0, 0, 0)
    assert left < 6 and 80 < right <= 2 * 2 * 2 * CELL + 1  # two 48-dot cells, +1 bold
    assert top < 8 and 40 < bottom <= 60


def test_a_long_rare_line_wraps_at_the_paper_width_like_text() -> None:
    profile = PrinterProfile.for_paper(58)
    _, decoded = slip(Text(RARE * 20), profile=profile)  # 16 fit in 384 dots
    first, second = decoded.of_type(RasterImage)  # one picture per printed line: 16, then 4
    assert (first.width, first.height) == (second.width, second.height) == (384, 30)
    assert (first.ink() or (0, 0, 0, 0))[2] > 370 > (second.ink() or (0, 0, 0, 0))[2]


def test_gb18030_font_prints_rare_ideographs_as_text_and_leaves_emoji_out() -> None:
    profile = PrinterProfile(font="gb18030")
    data, decoded = slip(Text(f"{RARE}野家 {EXT_A}"), Text("好 😀"), profile=profile)
    assert decoded.lines[0].text == f"{RARE}野家 {EXT_A}"
    assert RARE.encode("gb18030") in data
    assert decoded.lines[1].text == "好"  # no font prints the emoji: no □□, no gap
    assert decoded.of_type(RasterImage) == []
    assert open_receipt_printer("dummy://?font=GB18030").url.profile.font == "gb18030"


def test_chinese_off_draws_cjk_lines_and_keeps_ascii_as_text() -> None:
    profile = PrinterProfile(chinese_mode=False)
    data, decoded = slip(Text("SQ-20261124-0042"), Text("类别：政策兑现"), profile=profile)
    assert decoded.of_type(ChineseMode) == []
    assert decoded.lines[0].text == "SQ-20261124-0042"
    assert not decoded.lines[0].runs[0].chinese
    (image,) = decoded.of_type(RasterImage)
    assert image.ink() is not None
    assert "类别".encode("gb18030") not in data


def test_emoji_are_left_out_and_characters_no_font_has_print_as_the_missing_mark() -> None:
    # never tofu: an emoji is left out, any other character without a glyph prints as 〓
    _, decoded = slip(Text("😀\U0010fffd"), Text("名\U000f0001称"))
    assert [line.text for line in decoded.lines[:2]] == ["〓", "名〓称"]
    assert decoded.of_type(RasterImage) == []


def test_control_characters_are_removed_before_drawing() -> None:
    _, with_controls = slip(Text(f"\x1bp\x00{RARE}\u202e"))
    _, clean = slip(Text(f"p{RARE}"))  # ESC p 0 without its ESC and NUL is just "p"
    assert with_controls.of_type(RasterImage)[0].data == clean.of_type(RasterImage)[0].data
    assert with_controls.drawer_kicks == []


def test_image_data_never_holds_a_real_time_command() -> None:
    # one row whose bytes would be 10 14 01 00 01: DLE DC4 1 pulses the cash drawer
    row = Image.new("1", (40, 1), 1)
    for x in (3, 11, 13, 23, 39):  # dark dots set bits 4 of byte 0, 4 and 2 of byte 1 ...
        row.putpixel((x, 0), 0)
    data = raster_image(row)
    assert data[:8] == b"\x1dv0\x00\x05\x00\x01\x00"
    assert b"\x10\x14" not in data and b"\x10\x04" not in data and b"\x10\x05" not in data
    (image,) = decode(data).of_type(RasterImage)
    assert sum(image.dot(x, 0) for x in range(40)) == 6  # one dot more, nothing lost


def test_tall_images_are_sent_in_bands() -> None:
    data = raster_image(Image.new("1", (9, 2000), 0))
    images = decode(data).of_type(RasterImage)
    assert [(image.width, image.height) for image in images] == [(16, 960), (16, 960), (16, 80)]
    assert not images[0].dot(15, 0) and images[0].dot(8, 0)  # padding to 16 dots is white


@pytest.fixture
def fresh_font_lookup(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Forget the font found so far, and again afterwards."""
    caches = (glyphs.cjk_font, glyphs._font, glyphs._glyph)
    for cache in caches:
        cache.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()


def test_no_cjk_font_is_a_clear_error(fresh_font_lookup: pytest.MonkeyPatch) -> None:
    fresh_font_lookup.setattr(glyphs, "KNOWN_FONT_FILES", ())
    fresh_font_lookup.setattr(glyphs, "FC_MATCH", "/nonexistent/fc-match")
    with pytest.raises(PrinterConfigError, match=r"apt-get install fonts-noto-cjk"):
        encode_receipt(Receipt((Text(RARE),)), profile=DEFAULT_PROFILE)
    # slips without rare characters do not need the font
    assert decode(encode_receipt(Receipt((Text("中文"),)), profile=DEFAULT_PROFILE)).text


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="needs fontconfig's fc-match")
def test_the_font_is_found_through_fontconfig(fresh_font_lookup: pytest.MonkeyPatch) -> None:
    fresh_font_lookup.setattr(glyphs, "KNOWN_FONT_FILES", ())
    path, index = glyphs.cjk_font()
    assert "NotoSansCJK" in path or "NotoSansMonoCJK" in path
    from PIL import ImageFont

    assert ImageFont.truetype(path, 24, index=index).getname()[0] == "Noto Sans Mono CJK SC"
