"""Checks for the codes people type: USCC (GB 32100-2015), resident ID numbers (GB 11643-1999)
and mainland mobile numbers.

Each code has a `*_problem` function that names what is wrong ("length", "characters",
"region", "birth_date", "checksum") so a form can say which part to look at, and an `is_valid_*`
that is true exactly when there is no problem.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# GB 32100-2015: the code alphabet leaves out I, O, S, V and Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1..17
_USCC_SHAPE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")

# GB 11643-1999 / ISO 7064 MOD 11-2: position i (1..17) weighs 2^(18-i) mod 11; the check
# character is "10X98765432"[sum mod 11], so that the weighted sum with the check counted as
# 0..10 (X = 10, weight 1) is 1 mod 11.
_RESIDENT_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_RESIDENT_ID_CHECK = "10X98765432"
_RESIDENT_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# GB/T 2260 province codes, with 71 Taiwan and 81/82/83 the residence permits for people from
# Hong Kong, Macao and Taiwan. A first digit 9 is a foreigner's permanent residence number
# (2023 format: 9, province of issue, nationality, then date of birth where ours has it).
# County codes are not checked: they are renamed and renumbered over the years, and a number
# keeps the code it was issued with, so an older person may carry a code newer than they are.
_PROVINCE_RANGES = [(11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83)]
_PROVINCES = frozenset(str(n) for first, last in _PROVINCE_RANGES for n in range(first, last + 1))
_EARLIEST_BIRTH = date(1900, 1, 1)


def _compact(value: str) -> str:
    """Full-width to half-width, spaces and dashes out, upper case."""
    value = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-]", "", value).upper()


def pickup_code(value: str) -> str | None:
    """The 6-digit pickup code in ASCII digits, or None. Full-width digits (a Chinese input
    method's ９６１１０５) are the same digits and are taken; other scripts' digits (٩٦١١٠٥)
    are not the code on the slip and are refused, like letters."""
    code = _compact(value)
    return code if len(code) == 6 and code.isascii() and code.isdigit() else None


def normalize_uscc(value: str) -> str:
    """Full-width to half-width, spaces and dashes out, upper case."""
    return _compact(value)


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a USCC: "length", "characters" or "checksum"; None when it is one."""
    code = normalize_uscc(value)
    if len(code) != 18:
        return "length"
    if not _USCC_SHAPE.match(code):
        return "characters"
    if uscc_check_char(code[:17]) != code[17]:
        return "checksum"
    return None


def is_valid_uscc(value: str) -> bool:
    """Whether `value` (after normalising) is a well-formed USCC with a correct check character."""
    return uscc_problem(value) is None


def normalize_resident_id(value: str) -> str:
    """Full-width to half-width, spaces and dashes out, a lower-case x made X."""
    return _compact(value)


def resident_id_check_char(first17: str) -> str:
    """The 18th (check) character, 0-9 or X, for the first 17 digits of a resident ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def _birth_date(code: str) -> date | None:
    """The date of birth in positions 7-14, or None when it is no real date."""
    try:
        return date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return None


def resident_id_problem(value: str, *, today: date | None = None) -> str | None:
    """Why `value` is not a resident ID number: "length", "characters", "region", … or None."""
    # The part a person can find first comes first: a typo in the date of birth says
    # "birth_date" (positions 7-14) rather than "checksum" (anywhere). Born before 1900 or after
    # `today` (default: the machine's date) is a "birth_date" problem too.
    code = normalize_resident_id(value)
    if len(code) != 18:
        return "length"
    if not _RESIDENT_ID_SHAPE.match(code):
        return "characters"
    if code[:2] not in _PROVINCES and code[0] != "9":
        return "region"
    born = _birth_date(code)
    if born is None or not _EARLIEST_BIRTH <= born <= (today or date.today()):
        return "birth_date"
    if resident_id_check_char(code[:17]) != code[17]:
        return "checksum"
    return None


def is_valid_resident_id(value: str, *, today: date | None = None) -> bool:
    """Whether `value` (after normalising) is a resident ID number with a possible birth date."""
    return resident_id_problem(value, today=today) is None


def normalize_mobile(value: str) -> str:
    """Digits only, with a +86 / 0086 country prefix, spaces and dashes removed."""
    value = unicodedata.normalize("NFKC", value)
    value = re.sub(r"[\s\-()]", "", value)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def is_valid_mobile(value: str) -> bool:
    """Whether `value` is a mainland China mobile number: 1[3-9] and nine more digits."""
    return bool(_MOBILE.match(normalize_mobile(value)))
