"""The licence laid out as a real 营业执照 (副本) is: every item where it belongs, nothing
drawn over anything else, checked on the PDF's text boxes and on the page rendered to PNG."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from printers.licence import LicenceDocument, render_licence_pdf
from printers.licence.pdf import SCOPE_CLOSING, scope_text
from tests.printers.licence.conftest import SCOPE, pypdf_text

MM = 72 / 25.4  # points per millimetre
WIDTH, HEIGHT = 297 * MM, 210 * MM
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 from the top-left, in points


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[Box, str]]:
    """Each word pdftotext finds, with its box (poppler writes 𠮷 from /ActualText as two
    halves of a surrogate pair, which are not UTF-8: those bytes read as U+FFFD)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    source = tmp_path / "words.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], capture_output=True, timeout=30, check=True
    )
    html = result.stdout.decode("utf-8", errors="replace")
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        ((float(a), float(b), float(c), float(d)), w) for a, b, c, d, w in re.findall(pattern, html)
    ]


def _images(pdf: bytes) -> Iterator[Box]:
    """Where each image is drawn (from the content stream's cm and Do), top-left origin."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    stack: list[list[float]] = []
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            m = ctm
            ctm = [
                a * m[0] + b * m[2],
                a * m[1] + b * m[3],
                c * m[0] + d * m[2],
                c * m[1] + d * m[3],
                e * m[0] + f * m[2] + m[4],
                e * m[1] + f * m[3] + m[5],
            ]
        elif operator == b"Do":
            x, y, w, h = ctm[4], ctm[5], ctm[0], ctm[3]
            yield (x, HEIGHT - (y + h), x + w, HEIGHT - y)


def _overlap(a: Box, b: Box, slack: float = 0.6) -> bool:
    return (
        a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]
    )


def test_the_copy_shows_what_a_real_copy_shows(
    make_licence: Callable[..., LicenceDocument],
) -> None:
    text = "".join(pypdf_text(render_licence_pdf(make_licence())).split())
    for expected in (
        "营业执照",
        "（副本）",
        "副本编号：1-1",
        "国徽",  # the emblem's place, which the authority's printed form fills
        "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
        "国家市场监督管理总局监制",
        "依法须经批准的项目，经相关部门批准后方可开展经营活动",
        "登记机关",
        "长沙市芙蓉区市场监督管理局",
        "2026年11月24日",
    ):
        assert expected in text, expected
    original = "".join(pypdf_text(render_licence_pdf(make_licence(copy=False))).split())
    assert "副本" not in original and "国家市场监督管理总局监制" in original
    second = "".join(pypdf_text(render_licence_pdf(make_licence(copy_number="1-2"))).split())
    assert "副本编号：1-2" in second


def test_the_scope_ends_with_the_standard_clause_once() -> None:
    assert scope_text("软件开发；数据处理服务。") == "软件开发；数据处理服务。" + SCOPE_CLOSING
    assert scope_text(SCOPE).endswith(SCOPE_CLOSING)  # 除…外 is the other clause
    said = "许可项目：第二类增值电信业务（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    assert scope_text(said) == said
    assert scope_text("  ") == ""


@pytest.mark.parametrize(
    "items",
    [
        {},
        {"name": "𠮷野家餐饮管理（长沙）有限公司", "copy_number": "1-3"},
        {
            "name": "长沙" + "芙蓉区云端智能制造与数字服务" * 3 + "有限公司",
            "address": "湖南省长沙市芙蓉区" + "五一大道618号楼宇政务服务中心大厦" * 4,
            "business_scope": SCOPE * 6,
            "authority": "长沙市芙蓉区市场监督管理局" * 2,
        },
    ],
    ids=["sample", "rare", "long"],
)
def test_nothing_is_drawn_over_anything_else(
    make_licence: Callable[..., LicenceDocument], tmp_path: Path, items: dict[str, str]
) -> None:
    pdf = render_licence_pdf(make_licence(**items))
    words = _words(pdf, tmp_path)
    assert len(words) > 30
    for i, (box, word) in enumerate(words):
        for other, second in words[i + 1 :]:
            assert not _overlap(box, other), f"{word!r} {box} overlaps {second!r} {other}"
    qr = [box for box in _images(pdf) if box[2] - box[0] > 20 * MM]
    assert len(qr) == 1
    x0, y0, *_ = qr[0]
    assert x0 > WIDTH / 2 and y0 > HEIGHT / 2, "the QR code sits in the lower right"
    for box, word in words:
        assert not _overlap(box, qr[0], 0.0), f"{word!r} is drawn over the QR code"
    _check_places(words)


def _check_places(words: list[tuple[Box, str]]) -> None:
    """Where the real licence puts things (top-left origin, so a larger y is lower)."""

    def find(prefix: str) -> Box:
        found = [box for box, word in words if word.startswith(prefix)]
        assert found, prefix
        return found[0]

    emblem, title = find("国徽"), find("营")
    assert abs((emblem[0] + emblem[2]) / 2 - WIDTH / 2) < 5 * MM  # centred
    assert emblem[3] < title[1], "the emblem's place is above the title"
    code = find("统一社会信用代码")
    assert code[0] < WIDTH / 4 and code[3] < title[3]  # top left
    number = find("副本编号")
    assert number[1] > code[3] and number[0] < WIDTH / 4
    assert find("国家市场监督管理总局监制")[1] > HEIGHT - 20 * MM
    credit = find("国家企业信用信息公示系统网址")
    assert credit[0] < WIDTH / 4 and credit[1] > HEIGHT - 40 * MM  # bottom left
    authority = find("登")
    assert authority[0] > WIDTH / 2 and authority[1] > HEIGHT - 45 * MM  # bottom right


def test_the_page_renders_and_every_word_is_visible(
    make_licence: Callable[..., LicenceDocument], tmp_path: Path
) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (Debian package poppler-utils)")
    pdf = render_licence_pdf(make_licence(name="𠮷野家餐饮管理（长沙）有限公司"))
    source = tmp_path / "licence.pdf"
    source.write_bytes(pdf)
    dpi = 100
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    page = Image.open(tmp_path / "page.png").convert("L")
    assert abs(page.width - 297 / 25.4 * dpi) < 2 and abs(page.height - 210 / 25.4 * dpi) < 2
    scale = dpi / 72
    for box, word in _words(pdf, tmp_path):
        x0, y0, x1, y1 = (round(value * scale) for value in box)
        crop = page.crop((x0, y0, x1 + 1, y1 + 1))
        assert crop.getextrema()[0] < 128, f"{word!r} is not visible on the page"
