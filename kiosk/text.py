"""Cleaning what people type: invisible and control characters never reach storage or paper."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from printers.segments import extended_pictographic, grapheme_clusters

# Bidi overrides/isolates can make text display differently from what is stored; zero-width
# spaces and BOMs hide inside names. Other format characters (category Cf: soft hyphens, word
# joiners, a zero-width joiner between two ideographs …) are invisible too and go, except where
# they mean something: ZWJ and tag characters inside an emoji sequence (👨‍💻, a subdivision
# flag), ZWNJ between letters (Persian and Indic spelling), and the visible Arabic number signs.
_INVISIBLE = frozenset(
    "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u2028\u2029"
)
_ZWJ, _ZWNJ = "\u200d", "\u200c"
_SHOWN_FORMAT = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u08e2\U000110bd")


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
    for cluster in grapheme_clusters(value) if value else ():
        emoji = any(extended_pictographic(char) for char in cluster)
        for char in cluster:
            if char == "\n" and multiline:
                kept.append(char)
            elif char == "\t":
                kept.append(" ")
            elif char in _INVISIBLE or char == "\n" or _needless(char, emoji, kept):
                removed += 1
            else:
                kept.append(char)
    text = "".join(kept)
    if multiline:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    return Cleaned(text.strip(), removed)


def _needless(char: str, emoji: bool, kept: list[str]) -> bool:
    """A control character, or a format character that means nothing where it stands."""
    category = unicodedata.category(char)
    if category == "Cc":
        return True
    if category != "Cf" or char in _SHOWN_FORMAT:
        return False
    if emoji and (char == _ZWJ or 0xE0020 <= ord(char) <= 0xE007F):
        return False
    # ZWNJ stays after a letter of a script that spells with it, e.g. Persian می‌خواهم (not
    # after Latin or a Chinese character, whose spelling never needs it)
    if char != _ZWNJ or not kept or not kept[-1].isalpha() or kept[-1].isascii():
        return True
    return unicodedata.east_asian_width(kept[-1]) in ("W", "F")


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


JSON_MAX_DEPTH = 32  # arrays and objects inside each other; nothing of ours nests past 5
_SURROGATE = re.compile("[\ud800-\udfff]")


def strict_json_loads(document: str | bytes) -> Any:
    """`json.loads`, refusing (with a json.JSONDecodeError, a ValueError) what it would accept
    but nothing can store or show: nesting deeper than JSON_MAX_DEPTH (which would otherwise
    exhaust the stack) and half a surrogate pair ("\\ud800", not a character at all)."""
    text = document if isinstance(document, str) else document.decode("utf-8", "surrogatepass")
    try:
        value = json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError(f"nested deeper than {JSON_MAX_DEPTH}", text, 0) from None
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                raise json.JSONDecodeError(f"a lone surrogate {found.group()!a}", text, 0)
        elif isinstance(item, dict | list):
            if depth >= JSON_MAX_DEPTH:
                raise json.JSONDecodeError(f"nested deeper than {JSON_MAX_DEPTH}", text, 0)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return value
