"""USCC, resident ID and mobile-number checks, with property tests over every one-character slip.

The check characters here come from the tests' own implementation of each standard (weights
written out as tables), not from kiosk.validators, so a wrong table there cannot hide here.

Why every single substitution and every adjacent transposition must be caught:
both codes are valid exactly when sum(value_i * weight_i) is a fixed residue modulo a prime p
(31 for GB 32100, 11 for GB 11643), the check character counting with weight 1. Changing the
value at position i by d (0 < |d| < p) changes the sum by d * w_i, and swapping different values
a, b at positions i, i+1 changes it by (a - b) * (w_i - w_i+1). Modulo a prime a product is zero
only when a factor is, and no weight, nor any difference of neighbouring weights, is 0 mod p:
  GB 32100: w_i = 3^(i-1), w_i - w_i+1 = -2 * 3^(i-1); w_17 - w_18 = 28 - 1 = 27.
  GB 11643: w_i = 2^(18-i), w_i - w_i+1 = 2^(17-i); w_17 - w_18 = 2 - 1 = 1, so swapping a digit
  d with an X check (value 10) would change the sum by 10 - d, never 0 mod 11; in practice it
  puts an X before the 18th place and the number is refused for its characters first.
So these hold for all positions, the check character included, with no exception to allow for.
(Swaps further apart are another matter: 2^10 = 1 mod 11, so positions ten apart, e.g. 8 and
the check, weigh the same in GB 11643, and in GB 32100 position 1 weighs 1 like the check.)
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kiosk.validators import (
    is_valid_mobile,
    is_valid_resident_id,
    is_valid_uscc,
    normalize_mobile,
    normalize_resident_id,
    resident_id_check_char,
    resident_id_problem,
    uscc_problem,
)

TODAY = date(2025, 6, 30)  # every resident-ID check below is made as of this day

# GB 32100-2015, 4.2: the 31 code characters and the weights of positions 1..17.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

# GB 11643-1999, 7.2: the weights of positions 1..17 and the check character for sum mod 11.
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
ID_CHARS = "0123456789X"
# fmt: off
PROVINCES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
]
# fmt: on


def uscc(first17: str) -> str:
    """A USCC: `first17` and its check character."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_CHARS[-total % 31]


def resident_id(first17: str) -> str:
    """A resident ID number: `first17` and its check character."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK[total % 11]


def test_our_check_characters_match_the_standards_examples() -> None:
    assert uscc("91350100M000100Y4") == "91350100M000100Y43"  # GB 32100-2015, appendix
    assert resident_id("11010519491231002") == "11010519491231002X"  # GB 11643-1999, 8
    assert resident_id_check_char("11010519491231002") == "X"


# USCC


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        uscc("91430102MA4L0001X"),
        uscc("N2430102MA4L00012"),  # N: a trade union
        uscc("Y1430102MA4L00017"),  # Y: registered by another authority
        uscc("A1110000MB0136475"),  # A: a non-registered organisation
        uscc("51430000MJ4Y0000H"),  # 5: a social organisation
    ],
)
def test_valid_uscc_including_letter_prefixes(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_problem(code) is None


def test_uscc_as_typed_full_width_lower_case_spaces_and_dashes() -> None:
    code = uscc("91430102MA4L0001X")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert is_valid_uscc(full_width)
    assert is_valid_uscc(code.lower())
    assert is_valid_uscc(" " + code[:6] + " " + code[6:] + "\u3000")
    assert is_valid_uscc(code[:9] + "-" + code[9:])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "length"),
        ("91430102MA4L0001", "length"),
        (uscc("91430102MA4L0001X") + "X", "length"),
        ("91430102MA4L0001IO", "characters"),  # I and O are not in the alphabet
        ("9143010２MA4L000１Z!", "characters"),
        ("91350100M000100Y44", "checksum"),
        ("91350100M000010Y43", "checksum"),  # two digits swapped
    ],
)
def test_uscc_problems(value: str, problem: str) -> None:
    assert uscc_problem(value) == problem
    assert not is_valid_uscc(value)


uscc_codes = st.text(alphabet=USCC_CHARS, min_size=17, max_size=17).map(uscc)


@settings(max_examples=2000, deadline=None)
@given(uscc_codes, st.integers(0, 17), st.integers(1, 30))
def test_every_uscc_substitution_is_caught(code: str, position: int, shift: int) -> None:
    assert is_valid_uscc(code)
    other = USCC_CHARS[(USCC_CHARS.index(code[position]) + shift) % 31]  # always a different one
    changed = code[:position] + other + code[position + 1 :]
    assert uscc_problem(changed) == "checksum"


@settings(max_examples=2000, deadline=None)
@given(uscc_codes, st.integers(0, 16))
def test_every_uscc_adjacent_transposition_is_caught(code: str, position: int) -> None:
    a, b = code[position], code[position + 1]
    assume(a != b)
    swapped = code[:position] + b + a + code[position + 2 :]
    assert uscc_problem(swapped) == "checksum"


# Resident ID numbers


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110105 19491231 002X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105-19491231-002X",
        resident_id("43010219851105123"),
        resident_id("81000019900101001"),  # residence permit, Hong Kong
        resident_id("82000020000229002"),  # residence permit, Macao (a leap day)
        resident_id("83000019751030003"),  # residence permit, Taiwan
        resident_id("91184019850315001"),  # permanent residence: 9, Beijing 11, USA 840
        resident_id("93515619621111002"),  # permanent residence: 9, Sichuan 35, China 156
        resident_id("31011519350708004"),  # Pudong (310115) is from 1993, the person from 1935
        resident_id("50010319400506001"),  # Chongqing (50) became a province-level city in 1997
        resident_id("46000019300101001"),  # Hainan (46) became a province in 1988
        resident_id("11010519000101001"),  # the earliest date of birth accepted
        resident_id("11010520250630001"),  # born today
    ],
)
def test_valid_resident_ids(number: str) -> None:
    assert resident_id_problem(number, today=TODAY) is None
    assert is_valid_resident_id(number, today=TODAY)


def test_resident_id_normalised_to_half_width_upper_case_without_separators() -> None:
    assert normalize_resident_id(" １１０１０５-19491231 002ｘ ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("", "length"),
        ("11010519491231002", "length"),  # 17 characters
        ("11010519491231002X1", "length"),
        ("110105194912310O2X", "characters"),  # a letter O for a zero
        ("11010519491231X02X", "characters"),  # X only as the check character
        ("1101051949123100AX", "characters"),
        (resident_id("00010519491231002"), "region"),
        (resident_id("72010519491231002"), "region"),
        (resident_id("10010519491231002"), "region"),
        (resident_id("11010519490230002"), "birth_date"),  # 30 February
        (resident_id("11010519491301002"), "birth_date"),  # month 13
        (resident_id("11010519010229002"), "birth_date"),  # 1901 was no leap year
        (resident_id("11010520250701002"), "birth_date"),  # tomorrow
        (resident_id("11010518991231002"), "birth_date"),  # before 1900
        ("110105194912310021", "checksum"),
        ("11010519491231003X", "checksum"),
        ("11010519491213002X", "checksum"),  # two digits of the date swapped
    ],
)
def test_resident_id_problems(number: str, problem: str) -> None:
    assert resident_id_problem(number, today=TODAY) == problem
    assert not is_valid_resident_id(number, today=TODAY)


def test_resident_id_future_date_measured_from_the_real_today_by_default() -> None:
    tomorrow = date.today() + timedelta(days=1)
    number = resident_id(f"110105{tomorrow:%Y%m%d}001")
    assert resident_id_problem(number) == "birth_date"
    assert resident_id_problem(number, today=tomorrow) is None


def expected_problem(number: str) -> str:
    """Why the validator must refuse `number`, a valid number with one slip (never None)."""
    if "X" in number[:17]:
        return "characters"
    if number[:2] not in PROVINCES and number[0] != "9":
        return "region"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if not date(1900, 1, 1) <= born <= TODAY:
        return "birth_date"
    return "checksum"  # the slip left a well-formed number: only the check character can tell


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
resident_ids = st.builds(
    lambda region, county, born, serial: resident_id(f"{region}{county}{born:%Y%m%d}{serial}"),
    st.sampled_from(PROVINCES) | digits.map("9{}".format),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


@settings(max_examples=2000, deadline=None)
@given(resident_ids, st.integers(0, 17), st.integers(1, 10))
def test_every_resident_id_substitution_is_caught(number: str, position: int, shift: int) -> None:
    assert is_valid_resident_id(number, today=TODAY)
    # Any different character of 0-9 and X, X included at positions 1-17.
    other = ID_CHARS[(ID_CHARS.index(number[position]) + shift) % 11]
    changed = number[:position] + other + number[position + 1 :]
    assert resident_id_problem(changed, today=TODAY) == expected_problem(changed)


@settings(max_examples=2000, deadline=None)
@given(resident_ids, st.integers(0, 16))
def test_every_resident_id_adjacent_transposition_is_caught(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    assert resident_id_problem(swapped, today=TODAY) == expected_problem(swapped)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("1101051949123100X2", "characters"),  # ...002X with its X check moved to position 17
        ("110105194912310083", "checksum"),  # ...0038 with its check 8 moved to position 17
    ],
)
def test_swapping_the_check_character_with_the_digit_before_it(number: str, problem: str) -> None:
    assert resident_id(number[:16] + number[17]) == number[:16] + number[17] + number[16]
    assert resident_id_problem(number, today=TODAY) == problem


# Mobile numbers


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-138-1234-5678",
        "008613812345678",
        "138-1234-5678",
        "１３８１２３４５６７８",
        "199 0000 0000",
    ],
)
def test_mobile_numbers_accepted(raw: str) -> None:
    assert is_valid_mobile(raw)
    assert len(normalize_mobile(raw)) == 11


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345678901",  # 12x is no mobile prefix
        "+86 128 1234 5678",
        "1381234567",  # ten digits
        "138123456789",
        "86 13812345678x",
        "０２１-12345678",  # a Shanghai landline
    ],
)
def test_mobile_numbers_refused(raw: str) -> None:
    assert not is_valid_mobile(raw)
