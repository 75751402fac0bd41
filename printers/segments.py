"""Unicode segmentation from ICU (PyICU): line-break opportunities (UAX #14, with ICU's Chinese
rules) and grapheme clusters (UAX #29), at C speed.

ICU counts in UTF-16 code units; Python strings count code points. Every offset returned here
is a Python string index. ICU's iterators are not thread-safe, so each thread keeps its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import icu

__all__ = ["extended_pictographic", "grapheme_boundaries", "grapheme_clusters", "line_breaks"]

_local = threading.local()


def _iterator(kind: str) -> icu.BreakIterator:
    found: icu.BreakIterator | None = getattr(_local, kind, None)
    if found is None:
        locale = icu.Locale("zh_CN")
        found = (
            icu.BreakIterator.createLineInstance(locale)
            if kind == "line"
            else icu.BreakIterator.createCharacterInstance(locale)
        )
        setattr(_local, kind, found)
    return found


def _boundaries(kind: str, text: str) -> list[int]:
    """The boundaries after position 0, up to and including len(text), as string indexes."""
    if not text:
        return []
    iterator = _iterator(kind)
    iterator.setText(text)
    offsets = list(iterator)
    if max(text) <= "\uffff":  # no surrogate pairs: UTF-16 offsets are string indexes
        return offsets
    index, unit = {}, 0
    for position, char in enumerate(text):
        index[unit] = position
        unit += 2 if ord(char) > 0xFFFF else 1
    index[unit] = len(text)
    return [index[offset] for offset in offsets]


def line_breaks(text: str) -> list[int]:
    """Where a line may break in `text` (UAX #14), each an index after position 0."""
    return _boundaries("line", text)


def grapheme_boundaries(text: str) -> list[int]:
    """The ends of the grapheme clusters of `text` (UAX #29)."""
    return _boundaries("character", text)


def grapheme_clusters(text: str) -> Iterator[str]:
    """The grapheme clusters of `text`: what a reader takes for one character."""
    start = 0
    for end in grapheme_boundaries(text):
        yield text[start:end]
        start = end


def extended_pictographic(char: str) -> bool:
    """Whether `char` has Unicode's Extended_Pictographic property (emoji and the like)."""
    return bool(icu.Char.hasBinaryProperty(char, icu.UProperty.EXTENDED_PICTOGRAPHIC))
