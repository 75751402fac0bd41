"""The licence PDF: what a reader, a printer and a phone camera get out of it."""

from __future__ import annotations

import io
import re
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import qrcode
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from printers.base import PrinterConfigError
from printers.licence import LicenceDocument, fonts, render_licence_pdf
from printers.licence.decor import INNER
from printers.licence.fonts import FontFace, glyph_picture
from tests.printers.licence.conftest import SCOPE, USCC, VERIFY_URL, poppler_text, pypdf_text

MM = 72 / 25.4  # points per millimetre


def test_the_page_shows_every_item(make_licence: Callable[..., LicenceDocument]) -> None:
    text = pypdf_text(render_licence_pdf(make_licence()))
    for expected in (
        "营业执照",
        "（副本）",
        "统一社会信用代码",
        USCC,
        "长沙芙蓉云智科技有限公司",
        "有限责任公司（自然人投资或控股）",
        "王晓明",
        "壹佰万元整",
        "2026年03月01日",
        "2026年03月01日至长期",
        "长沙市芙蓉区市场监督管理局",
        "2026年11月24日",
        "本执照由楼宇政务服务驿站自助终端打印",
        VERIFY_URL,
    ):
        assert expected in text
    assert "".join(text.split()).count("技术服务、技术开发") == 1  # the scope, wrapped


def test_an_original_has_no_copy_mark(make_licence: Callable[..., LicenceDocument]) -> None:
    text = pypdf_text(render_licence_pdf(make_licence(copy=False)))
    assert "副本" not in text
    assert "营业执照" in text


def test_one_landscape_a4_page(make_licence: Callable[..., LicenceDocument]) -> None:
    reader = PdfReader(io.BytesIO(render_licence_pdf(make_licence())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (297, 210)


def test_every_font_is_embedded(make_licence: Callable[..., LicenceDocument]) -> None:
    page = PdfReader(io.BytesIO(render_licence_pdf(make_licence()))).pages[0]
    page_fonts = page["/Resources"]["/Font"]
    assert len(page_fonts) >= 2  # the Ming body face and the small-print face
    for name, ref in page_fonts.items():
        font = ref.get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert isinstance(descriptor, DictionaryObject)
        assert "/FontFile2" in descriptor, f"{name} ({font['/BaseFont']}) is not embedded"
        assert "/ToUnicode" in font  # so the text can be searched and copied


def test_the_same_licence_gives_the_same_bytes_from_any_thread(
    make_licence: Callable[..., LicenceDocument],
) -> None:
    doc = make_licence()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_licence_pdf(doc), range(8)))
    assert len(set(results)) == 1


def test_the_qr_code_encodes_the_verification_url(
    make_licence: Callable[..., LicenceDocument],
) -> None:
    url = VERIFY_URL + "?from=print"
    page = PdfReader(io.BytesIO(render_licence_pdf(make_licence(verification_url=url)))).pages[0]
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    expected = code.get_matrix()
    modules = len(expected)
    squares = [i.image for i in page.images if i.image.width == i.image.height]
    assert squares, "no square image on the page"
    image = squares[0].convert("L")
    cell = image.width / modules
    read = [
        [
            image.getpixel((int((x + 0.5) * cell), int((y + 0.5) * cell))) < 128
            for x in range(modules)
        ]
        for y in range(modules)
    ]
    assert read == expected


def _word_boxes(pdf: bytes, tmp_path: Path) -> list[tuple[float, float, float, float, str]]:
    html = poppler_text(pdf, tmp_path, "-bbox")
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pattern, html)
    ]


def test_very_long_items_stay_inside_the_border(
    make_licence: Callable[..., LicenceDocument], tmp_path: Path
) -> None:
    doc = make_licence(
        name="长沙" + "芙蓉区云端智能制造与数字服务" * 6 + "有限公司",
        address="湖南省长沙市芙蓉区" + "五一大道618号楼宇政务服务中心大厦" * 8,
        business_scope=SCOPE * 30,  # ~3,000 characters: more than fits even at 6 pt
        authority="长沙市芙蓉区市场监督管理局" * 3,
        verification_url=VERIFY_URL + "/" + "x" * 200,
    )
    pdf = render_licence_pdf(doc)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    boxes = _word_boxes(pdf, tmp_path)
    width, height = 297 * MM, 210 * MM
    for x_min, y_min, x_max, y_max, word in boxes:
        assert INNER < x_min < x_max < width - INNER, f"{word!r} crosses a side border"
        assert INNER < y_min < y_max < height - INNER, f"{word!r} crosses the top or bottom"
    words = [word for *_, word in boxes]
    url = [w for w in words if w.startswith("验证地址：https://")]
    assert len(url) == 1 and url[0].endswith("…")  # the verification URL, cut visibly
    assert any(w.startswith("长沙市芙蓉区") and w.endswith("…") for w in words)  # authority
    assert "……（未尽事项请扫码查看）" in "".join(words)
    left_column_end = width / 2 + 8 * MM
    scope_lines = [b for b in boxes if "技术服务" in b[4] or "经营活动" in b[4]]
    assert scope_lines and all(b[2] <= left_column_end + 0.5 for b in scope_lines)


def test_rare_characters_are_printed_not_dropped(
    make_licence: Callable[..., LicenceDocument], tmp_path: Path
) -> None:
    # 䶮 (U+4DAE) is in UMing; 𠮷 (U+20BB7, in 𠮷野家) is in no TrueType font installed, so it
    # is pictured from Noto CJK when that is installed, else drawn as □.
    pdf = render_licence_pdf(make_licence(name="𠮷䶮餐饮管理有限公司", legal_representative="龚䶮"))
    text = poppler_text(pdf, tmp_path)
    assert "䶮餐饮管理有限公司" in text
    assert "龚䶮" in text
    if glyph_picture("𠮷") is not None:
        assert "𠮷䶮餐饮管理有限公司" in text  # read back from /ActualText
    else:
        assert "□䶮餐饮管理有限公司" in text


def test_a_rare_character_is_pictured_from_a_regular_face_not_a_bold_one() -> None:
    # fc-list names NotoSerifCJK-Bold.ttc before -Regular.ttc; the weight must decide
    listing = "\n".join(
        (
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc|2|200|Noto Sans CJK SC",
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc|2|200|Noto Serif CJK SC",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc|2|80|Noto Sans CJK SC",
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc|3|80|Noto Serif CJK TC",
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc|2|80|Noto Serif CJK SC",
        )
    )
    assert fonts.choose_face(listing) == (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        2,
    )
    only_bold = "/x/NotoSerifCJK-Bold.ttc|2|200|Noto Serif CJK SC\n/x/Sans.ttc|0|80|Noto Sans"
    assert fonts.choose_face(only_bold) == ("/x/Sans.ttc", 0)  # weight before style
    assert fonts.choose_face("") is None


def test_the_installed_fonts_give_rare_characters_a_regular_weight() -> None:
    listing = fonts._fontconfig(
        "fc-list", "--format", "%{file}|%{index}|%{weight}|%{family}\n", ":charset=20bb7"
    )
    if not listing:
        pytest.skip("no installed font has 𠮷")
    chosen = fonts.choose_face(listing)
    assert chosen is not None
    weights = {
        (path, int(index)): float(weight)
        for path, index, weight, _ in (line.split("|", 3) for line in listing.splitlines())
    }
    assert weights[chosen] == min(weights.values(), key=lambda w: abs(w - fonts.REGULAR_WEIGHT))
    assert "Bold" not in chosen[0]


def test_a_character_no_installed_font_has_prints_as_a_box(
    make_licence: Callable[..., LicenceDocument], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("printers.licence.text.glyph_picture", lambda char: None)
    text = pypdf_text(render_licence_pdf(make_licence(name="𠮷野家餐饮有限公司")))
    assert "□野家餐饮有限公司" in text


def test_empty_items_print_a_slash(make_licence: Callable[..., LicenceDocument]) -> None:
    doc = make_licence(
        company_type="",
        legal_representative=" ",
        registered_capital="",
        address="",
        business_scope="",
        business_term="",
    )
    lines = [line.strip() for line in pypdf_text(render_licence_pdf(doc)).splitlines()]
    assert lines.count("/") == 6


def test_control_characters_never_reach_the_page(
    make_licence: Callable[..., LicenceDocument],
) -> None:
    text = pypdf_text(render_licence_pdf(make_licence(name="长沙\x1b@芙蓉\u200b科技\x07有限公司")))
    assert "长沙@芙蓉科技有限公司" in text
    assert "\x1b" not in text and "\x07" not in text


def test_a_missing_font_names_the_debian_package(
    make_licence: Callable[..., LicenceDocument], monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = FontFace("No Such Ming", "/nonexistent/uming.ttc", 0, "fonts-arphic-uming")
    monkeypatch.setattr(fonts, "_loaded", None)
    monkeypatch.setattr(fonts, "BODY_FACES", (gone,))
    with pytest.raises(PrinterConfigError, match="fonts-arphic-uming"):
        render_licence_pdf(make_licence())


def test_a_page_renders_in_well_under_a_second(
    make_licence: Callable[..., LicenceDocument],
) -> None:
    doc = make_licence()
    render_licence_pdf(doc)  # fonts registered
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        render_licence_pdf(doc)
        timings.append(time.perf_counter() - start)
    # The target is 50 ms (bench/licence.py measures it); this only catches a gross regression
    # without failing on a loaded CI machine.
    assert statistics.median(timings) < 0.5
