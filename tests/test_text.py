"""Cleaning typed text: controls and bidi tricks go, every real character stays."""

from __future__ import annotations

import pytest

from kiosk.text import Cleaned, clean_text, mask_mobile


@pytest.mark.parametrize(
    ("raw", "expected", "removed"),
    [
        ("长沙\u202e公司", "长沙公司", 1),  # right-to-left override
        ("\u2066名称\u2069", "名称", 2),  # isolates
        ("a\x00b\x1bc\x7fd", "abcd", 3),  # NUL, ESC, DEL
        ("\u200b零宽\ufeff", "零宽", 2),
        ("  trim  ", "trim", 0),
        ("tab\there", "tab here", 0),
        ("华\u200d为", "华为", 1),  # a zero-width joiner between ideographs joins nothing
        ("长沙\u2060科技\u00ad公司", "长沙科技公司", 2),  # word joiner, soft hyphen
        ("\u200c名称\u200c", "名称", 2),  # ZWNJ outside a script that spells with it
    ],
)
def test_invisible_and_control_characters_are_removed(
    raw: str, expected: str, removed: int
) -> None:
    cleaned = clean_text(raw)
    assert (cleaned.text, cleaned.removed) == (expected, removed)


def test_rare_characters_and_emoji_are_kept() -> None:
    text = "𠮷野家 䶮 👨‍👩‍👧 ❤️ e\u0301"
    cleaned = clean_text(text)
    assert "𠮷" in cleaned.text and "䶮" in cleaned.text
    assert "👨\u200d👩\u200d👧" in cleaned.text  # ZWJ sequences survive
    assert "é" in cleaned.text  # NFC
    assert cleaned.removed == 0


def test_format_characters_stay_only_where_they_mean_something() -> None:
    scotland = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    for text in ("👨\u200d💻 工作室", scotland, "می\u200cخواهم", "\u0600١٢", "❤️ 1️⃣"):
        assert clean_text(text) == Cleaned(text, 0), text


def test_newlines_only_in_multiline_text() -> None:
    assert clean_text("a\r\nb\n\n\n\nc", multiline=True).text == "a\nb\n\nc"
    single = clean_text("a\nb")
    assert single.text == "ab" and single.removed == 1


def test_mask_mobile() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("") == "****"
