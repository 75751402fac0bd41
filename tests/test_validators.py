"""USCC and mobile-number checks, with property tests over every one-character mistake."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.validators import (
    USCC_ALPHABET,
    is_valid_mobile,
    is_valid_uscc,
    normalize_mobile,
    uscc_check_char,
)

# Valid codes of the published format (built with the standard's check character).
VALID = ["91430102MA4L0001XX", "91350100M000100Y43", "N2430102MA4L00012Y", "Y1430102MA4L000177"]


def _fix(code: str) -> str:
    return code[:17] + uscc_check_char(code[:17])


@pytest.mark.parametrize("code", [_fix(c) for c in VALID])
def test_valid_codes_including_letter_prefixes(code: str) -> None:
    assert is_valid_uscc(code)


def test_normalisation_full_width_spaces_and_case() -> None:
    code = _fix("91430102MA4L0001XX")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert is_valid_uscc(full_width)
    assert is_valid_uscc(" " + code[:6] + " " + code[6:] + " ")
    assert is_valid_uscc(code[:9] + "-" + code[9:])


@pytest.mark.parametrize(
    "bad",
    ["", "91430102MA4L0001", "91430102MA4L0001XXX", "91430102MA4L0001IO", "9143010２MA4L000１Z!"],
)
def test_malformed_codes(bad: str) -> None:
    assert not is_valid_uscc(bad)


uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@settings(max_examples=2000)
@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_every_single_character_change_is_caught(
    body: str, position: int, replacement: str
) -> None:
    code = body + uscc_check_char(body)
    assert is_valid_uscc(code)
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(changed)


@settings(max_examples=2000)
@given(uscc_bodies, st.integers(0, 16))
def test_every_adjacent_transposition_is_caught(body: str, position: int) -> None:
    code = body + uscc_check_char(body)
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    assert not is_valid_uscc(swapped)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+86 138 1234 5678",
        "0086-138-1234-5678",
        "１３８１２３４５６７８",
        "199 0000 0000",
    ],
)
def test_mobile_numbers_accepted(raw: str) -> None:
    assert is_valid_mobile(raw)
    assert len(normalize_mobile(raw)) == 11


@pytest.mark.parametrize(
    "raw", ["", "12345678901", "1381234567", "138123456789", "86 13812345678x", "０２１-12345678"]
)
def test_mobile_numbers_refused(raw: str) -> None:
    assert not is_valid_mobile(raw)
