"""Line breaking and shrinking of CJK text: what decides how a licence item looks."""

from __future__ import annotations

import pytest

from printers.licence.fonts import LicenceFonts, load_fonts
from printers.licence.text import (
    NO_LINE_END,
    NO_LINE_START,
    Glyph,
    clean_text,
    fit_block,
    line_width,
    shape,
    wrap,
)

SIZE = 12.0  # points


@pytest.fixture(scope="module")
def fonts() -> LicenceFonts:
    """The registered licence fonts."""
    return load_fonts()


def _texts(lines: list[list[Glyph]]) -> list[str]:
    return ["".join(g.char for g in line) for line in lines]


def test_lines_never_exceed_the_width(fonts: LicenceFonts) -> None:
    glyphs = shape("一般项目：技术服务、技术开发；软件开发 Software 2026。" * 20, fonts, fonts.body)
    for width in (60.0, 137.5, 300.0):
        lines = wrap(glyphs, width, SIZE)
        assert all(line_width(line, SIZE) <= width + 1e-6 for line in lines)
        assert "".join(_texts(lines)).replace(" ", "") == "".join(
            g.char for g in glyphs if g.char != " "
        )


def test_punctuation_never_starts_a_line_and_brackets_never_end_one(fonts: LicenceFonts) -> None:
    text = (
        "技术服务（除依法须经批准的项目外），凭营业执照依法自主开展经营活动。许可项目：“第二类”。"
    )
    glyphs = shape(text * 4, fonts, fonts.body)
    char = line_width(shape("技", fonts, fonts.body), SIZE)
    for chars_per_line in range(5, 16):
        lines = _texts(wrap(glyphs, chars_per_line * char, SIZE))
        assert not any(line[0] in NO_LINE_START for line in lines[1:])
        assert not any(line[-1] in NO_LINE_END for line in lines[:-1])


def test_latin_words_and_numbers_stay_whole(fonts: LicenceFonts) -> None:
    glyphs = shape("住所五一大道618号 Wuyi Avenue 618 Furong District", fonts, fonts.body)
    width = line_width(shape("住所五一大道618号 Wuyi", fonts, fonts.body), SIZE) + 1
    lines = _texts(wrap(glyphs, width, SIZE))
    assert lines[0] == "住所五一大道618号 Wuyi"
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in lines)
    assert "Avenue" in " ".join(lines).split()


def test_a_word_longer_than_the_line_is_split(fonts: LicenceFonts) -> None:
    glyphs = shape("x" * 300, fonts, fonts.body)
    lines = wrap(glyphs, 100.0, SIZE)
    assert len(lines) > 1
    assert sum(len(line) for line in lines) == 300


def test_newlines_break_lines_where_kept(fonts: LicenceFonts) -> None:
    glyphs = shape(
        clean_text("许可项目：\n第二类增值电信业务", keep_newlines=True), fonts, fonts.body
    )
    assert _texts(wrap(glyphs, 500.0, SIZE)) == ["许可项目：", "第二类增值电信业务"]
    assert clean_text("许可项目：\n第二类") == "许可项目： 第二类"


def test_text_shrinks_to_fit_then_is_cut_visibly(fonts: LicenceFonts) -> None:
    short = fit_block(shape("壹佰万元整", fonts, fonts.body), 200, 20, max_size=12, min_size=7)
    assert short.size == 12
    glyphs = shape("技术服务、" * 60, fonts, fonts.body)
    shrunk = fit_block(glyphs, 200, 100, max_size=12, min_size=7)
    assert 7 <= shrunk.size < 12
    assert len(shrunk.lines) * shrunk.leading <= 100
    more = shape("……（详见验证页）", fonts, fonts.body)
    cut = fit_block(glyphs * 10, 200, 100, max_size=12, min_size=7, overflow=more)
    assert cut.size == 7
    assert len(cut.lines) * cut.leading <= 100 + 1e-6
    assert _texts(cut.lines)[-1].endswith("……（详见验证页）")
    assert all(line_width(line, 7) <= 200 + 1e-6 for line in cut.lines)
