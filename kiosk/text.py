"""Cleaning what people type: invisible and control characters never reach storage or paper."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Bidi overrides/isolates can make text display differently from what is stored; zero-width
# spaces and BOMs hide inside names. ZWJ/ZWNJ and variation selectors stay: emoji need them.
_INVISIBLE = frozenset(
    "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u2028\u2029"
)


@dataclass(frozen=True)
class Cleaned:
    """Text after cleaning, and whether anything invisible was taken out."""

    text: str
    removed: int


def clean_text(value: str, *, multiline: bool = False) -> Cleaned:
    """Normalise to NFC, drop control/invisible characters, trim; keep newlines if multiline."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept: list[str] = []
    removed = 0
    for char in value:
        if char == "\n" and multiline:
            kept.append(char)
        elif char == "\t":
            kept.append(" ")
        elif char in _INVISIBLE or unicodedata.category(char) == "Cc" or char == "\n":
            removed += 1
        else:
            kept.append(char)
    text = "".join(kept)
    if multiline:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    return Cleaned(text.strip(), removed)


def mask_mobile(mobile: str) -> str:
    """138****5678: enough for the person to recognise, too little for anyone else."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else "****"


def mask_resident_id(value: str) -> str:
    """110***********002X: the first 3 and last 4 characters, every other one a star."""
    # 15 for the old first-generation numbers; anything shorter is all stars, length hidden too.
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) >= 15 else "*" * 18


def is_whole(value: str) -> bool:
    """Whether `value` is a plain whole number in ASCII digits ("²" and "١" are digits to
    str.isdigit, and int() refuses the first)."""
    return value.isascii() and value.isdigit()
