"""render_png draws a slip as the printer would print it, one pixel per dot."""

from __future__ import annotations

import io

import pytest
import qrcode
import qrcode.constants
from PIL import Image

from printers import (
    DEFAULT_PROFILE,
    Feed,
    PrinterProfile,
    QRCode,
    Receipt,
    Rule,
    Text,
    encode_receipt,
    render_image,
    render_png,
)
from tests.printers.conftest import TRACK_URL, sample_receipt
from tests.support.escpos_decoder import RasterImage, decode

MM58 = PrinterProfile.for_paper(58)
LINE = 30  # dots a text line takes (ESC 2 default line spacing)
CUT = 6 * LINE + 12  # the cutter feed, then the cut line's margin


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Box around the black pixels."""
    return Image.eval(image.convert("L"), lambda value: 255 - value).getbbox()


@pytest.mark.parametrize(("profile", "width"), [(DEFAULT_PROFILE, 576), (MM58, 384)])
def test_png_is_the_paper_width_and_deterministic(profile: PrinterProfile, width: int) -> None:
    png = render_png(sample_receipt(), profile=profile)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size[0] == width
    assert image.mode == "1"
    assert image.info["dpi"] == pytest.approx((203, 203), abs=0.01)
    assert render_png(sample_receipt(), profile=profile) == png


def test_qr_code_matches_qrcodes_own_matrix() -> None:
    image = render_image(Receipt((QRCode(TRACK_URL, size=4),)))
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(TRACK_URL)
    code.make(fit=True)
    matrix = code.get_matrix()
    left, top, right, bottom = ink_box(image.crop((0, 0, 576, image.height - CUT))) or (0,) * 4
    count = len(matrix)
    assert (right - left, bottom - top) == (count * 4, count * 4)  # 4-dot modules
    assert abs((left + right) / 2 - 288) <= 2  # centred
    assert top == 2 * 4  # two modules of white above it
    for row in range(count):
        for col in range(count):
            x, y = left + col * 4 + 2, top + row * 4 + 2  # the middle of each module
            assert (image.getpixel((x, y)) == 0) == matrix[row][col], (row, col)


def test_qr_shrinks_to_fit_the_paper() -> None:
    image = render_image(Receipt((QRCode("x" * 300, size=16),)), profile=MM58)
    box = ink_box(image.crop((0, 0, 384, image.height - CUT)))
    assert box is not None and box[2] - box[0] <= 384


def test_heights_follow_the_printer() -> None:
    blank = render_image(Receipt())
    assert blank.height == CUT
    text = render_image(Receipt((Text("a"), Text("b\nc"), Rule(), Feed(3))))
    assert text.height == CUT + 4 * LINE + 3 * LINE
    big = render_image(Receipt((Text("大", size=2), Text("巨", size=3))))
    assert big.height == CUT + 48 + 72  # taller characters push the line spacing
    wrapped = render_image(Receipt((Text("x" * 49),)))  # 48 fit on 80 mm paper
    assert wrapped.height == CUT + 2 * LINE


def test_reprint_marker_comes_first() -> None:
    plain = render_image(sample_receipt())
    again = render_image(sample_receipt(), reprint=True)
    marker = again.height - plain.height
    assert marker == 48 + LINE  # the size-2 marker line and a rule
    assert ink_box(again.crop((0, 0, 576, 48))) is not None
    assert again.crop((0, marker, 576, again.height)).tobytes() == plain.tobytes()


def test_alignment_and_bold() -> None:
    def box(element: Text) -> tuple[int, int, int, int]:
        image = render_image(Receipt((element,)))
        found = ink_box(image.crop((0, 0, 576, LINE)))
        assert found is not None
        return found

    assert box(Text("编号"))[0] < 4
    assert box(Text("编号", align="right"))[2] > 572
    left, _, right, _ = box(Text("编号", align="center"))
    assert abs((left + right) / 2 - 288) < 4
    plain, bold = (
        render_image(Receipt((Text("编号"),))),
        render_image(Receipt((Text("编号", bold=True),))),
    )
    assert bold.histogram()[0] > plain.histogram()[0]  # more black dots


def test_cut_line_is_dashed_across_the_paper() -> None:
    image = render_image(Receipt((Text("a"),)))
    row = [image.getpixel((x, image.height - 12)) == 0 for x in range(576)]
    assert row[:8] == [True] * 8 and row[8:14] == [False] * 6
    assert 0.5 < sum(row) / len(row) < 0.65


def test_a_drawn_line_looks_like_the_image_the_printer_gets() -> None:
    element = Text("申请人：𠮷田 😀", align="center", bold=True)
    (sent,) = decode(encode_receipt(Receipt((element,)), profile=DEFAULT_PROFILE)).of_type(
        RasterImage
    )
    preview = render_image(Receipt((element,)))
    for y in range(sent.height):
        for x in range(576):
            assert sent.dot(x, y) == (preview.getpixel((x, y)) == 0), (x, y)


@pytest.mark.parametrize("element", [Text("x", size=9), Text("x", align="middle")])  # type: ignore[arg-type]
def test_bad_text_values_raise(element: Text) -> None:
    with pytest.raises(ValueError, match="not supported"):
        render_png(Receipt((element,)))
