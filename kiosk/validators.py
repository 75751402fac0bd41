"""Checks for the codes people type: USCC (GB 32100-2015) and mainland mobile numbers."""

from __future__ import annotations

import re
import unicodedata

# GB 32100-2015: the code alphabet leaves out I, O, S, V and Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1..17
_USCC_SHAPE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_uscc(value: str) -> str:
    """Full-width to half-width, spaces and dashes out, upper case."""
    value = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-]", "", value).upper()


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    """Whether `value` (after normalising) is a well-formed USCC with a correct check character."""
    code = normalize_uscc(value)
    return bool(_USCC_SHAPE.match(code)) and uscc_check_char(code[:17]) == code[17]


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
