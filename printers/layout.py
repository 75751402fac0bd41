"""Text on a receipt: what of it can go on paper, and where its lines break.

The encoder lays out every line itself, so the printer never wraps one (a printer wraps at the
last column, in the middle of a word, a number or a URL). Breaks follow Unicode's line
breaking algorithm (UAX #14, from ICU through PyICU), which also carries the Chinese rules:
no line starts with ， 。 ； 》 or ends with 《 （.

On top of UAX #14 some tokens are never broken while they fit on a line: numbers, reference
numbers (SQ-20261124-0042), masked ID and mobile numbers (110***********002X, 138****5678),
hotlines (12345-1), dates and times, and URLs. A token longer than a whole line starts a
line of its own and is broken where UAX #14 allows inside it (in a URL: after ``/``, ``?``,
``&`` …), and only failing that at the last column. Where a token and the punctuation after
it (``…/7f3a，``) do not fit on one line together, the punctuation goes to the next line
rather than the token being split.

Widths are in columns of font A (12 dots): the printer gives one column to a character sent
as one byte (ASCII) and two to every other one. For Chinese that is the East Asian Width of
UAX #11; characters such as ·, é and — are narrow there but two columns on a Chinese printer,
so the printer's rule is the one used.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from printers.segments import (
    extended_pictographic,
    grapheme_boundaries,
    grapheme_clusters,
    line_breaks,
)

__all__ = ["MISSING", "columns", "paper_text", "wrap"]

MISSING = "〓"  # the typesetters' mark for a character no font has (GB 2312 A1FA): never tofu

# a scheme is short (RFC 3986 puts no limit, real ones are < 32): an unbounded one makes the
# search quadratic on a long run of letters
_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]{0,31}://|www\.)[!-~]+")
_URL_TAIL = ".,;:!?)]}'\""  # sentence punctuation after a URL is not part of it
# A run of letters, digits and * joined by - . / : , + # that has a digit or a * in it:
# 12345, 0731-88888888, SQ-20261124-0042, 110***********002X, 2026-11-24, 14:30, 1,000.50
_NUMBERISH = re.compile(r"[A-Za-z0-9*]+(?:[-./:,+#][A-Za-z0-9*]+)*")
_DIGIT_OR_STAR = re.compile(r"[0-9*]")
_KEYCAP = "\u20e3"
_REGIONAL = range(0x1F1E6, 0x1F200)  # regional indicators: two of them make a flag


# Characters that are a grapheme cluster of their own, print as themselves when a font has them,
# and are neither format characters nor emoji: Latin, Greek, Cyrillic, CJK ideographs and
# punctuation, full-width forms. (Not © ®, the soft hyphen, combining marks such as U+302A–U+302F,
# U+0483–U+0489 and the half-width sound marks U+FF9E–U+FF9F, nor 〰 and 〽: those take the
# slow path.)
_PLAIN = re.compile(
    "[\\x20-\\x7e\\xa0-\\xa8\\xaa-\\xac\\xaf-\\u02ff\\u0370-\\u03ff\\u0400-\\u0482\\u048a-\\u04ff"
    "\\u3000-\\u3029\\u3031-\\u303c\\u303e\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uff01-\\uff9d\\uffa0-\\uffef]*"
)


def columns(text: str) -> int:
    """The columns of font A `text` takes: 1 for an ASCII character, 2 for any other."""
    if text.isascii():
        return len(text)
    return sum(1 if ord(char) < 0x80 else 2 for char in text)


def paper_text(text: str, has_glyph: Callable[[str], bool]) -> str:
    """`text` as it can go on paper: no format characters, emoji replaced, no tofu.

    Format characters (zero-width joiner and non-joiner, variation selectors, tag characters,
    soft hyphens …) have nothing to print. An emoji the fonts lack is left out, except that a
    flag prints as its two letters (🇨🇳 → CN) and a keycap as its digit (1️⃣ → 1). Any other
    character without a glyph (`has_glyph` is False) prints as 〓, the typesetters' mark.
    """
    if text.isascii() and text.isprintable():
        return text
    if _PLAIN.fullmatch(text):  # one character a cluster: no need to find clusters
        joined = "".join(char if has_glyph(char) else MISSING for char in text)
    else:
        joined = "".join(_cluster_on_paper(c, has_glyph) for c in grapheme_clusters(text))
    # an emoji left out between two spaces must not leave a double space (or a leading one)
    return re.sub(r"  +", " ", joined) if joined != text else joined


def _cluster_on_paper(cluster: str, has_glyph: Callable[[str], bool]) -> str:
    codes = [ord(char) for char in cluster]
    if len(codes) == 2 and all(code in _REGIONAL for code in codes):
        return "".join(chr(ord("A") + code - _REGIONAL.start) for code in codes)
    kept = [char for char in cluster if _printable_part(char)]
    if _KEYCAP in cluster and kept and kept[0].isascii():
        return kept[0]
    pictographic = any(_is_emoji(char) for char in cluster)
    result = ""
    for char in kept:
        if has_glyph(char):
            result += char
        elif not (pictographic or _is_emoji(char)):
            result += MISSING
    return result


def _printable_part(char: str) -> bool:
    """False for characters that only modify others: format, variation selectors, skin tones."""
    code = ord(char)
    if unicodedata.category(char) == "Cf":
        return False
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return False
    if 0x1F3FB <= code <= 0x1F3FF or code == 0x20E3:  # skin tones, the keycap's enclosure
        return False
    return unicodedata.category(char) != "Cc"


def _is_emoji(char: str) -> bool:
    return ord(char) in _REGIONAL or bool(extended_pictographic(char))


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, broken as the module docstring says; "" gives [""]."""
    width = max(width, 2)  # room for one Chinese character, however narrow the paper
    if columns(text) <= width:  # most lines of a slip: nothing to break
        return [text.rstrip()]
    rows: list[str] = []
    row = ""
    for unit in _units(text):
        if columns((row + unit.text).rstrip()) <= width:
            row += unit.text
            continue
        if row.strip():
            rows.append(row.rstrip())
        row = ""
        for piece in _split_long(unit, width):
            if columns((row + piece).rstrip()) > width and row.strip():
                rows.append(row.rstrip())
                row = ""
            row += piece
    rows.append(row.rstrip())
    return rows


@dataclass(frozen=True)
class _Unit:
    """A piece of text no line may break (its trailing spaces included), and where it may
    break after all if it is longer than a line: first at the edge of a token in it, then
    inside a token where UAX #14 allows (offsets into `text`)."""

    text: str
    edges: tuple[int, ...]
    inner: tuple[int, ...]


def _units(text: str) -> Iterator[_Unit]:
    keep = _protected(text)
    inside = bytearray(len(text) + 1)  # 1 where a break would split a protected token
    for a, b in keep:
        inside[a + 1 : b] = b"\x01" * max(b - a - 1, 0)
    ends = sorted({x for span in keep for x in span})
    start = 0
    inner: list[int] = []
    for boundary in line_breaks(text):
        if inside[boundary]:
            inner.append(boundary - start)
            continue
        edges = ends[bisect_right(ends, start) : bisect_left(ends, boundary)]
        yield _Unit(text[start:boundary], tuple(x - start for x in edges), tuple(inner))
        start, inner = boundary, []


def _protected(text: str) -> list[tuple[int, int]]:
    spans = []
    urls = _URL.finditer(text) if "://" in text or "www." in text else ()
    for match in urls:
        url = match.group().rstrip(_URL_TAIL)
        spans.append((match.start(), match.start() + len(url)))
    for match in _NUMBERISH.finditer(text):
        token = match.group()
        inside_url = any(a <= match.start() < b for a, b in spans)
        if not inside_url and _DIGIT_OR_STAR.search(token):
            spans.append((match.start(), match.end()))
    return spans


def _split_long(unit: _Unit, width: int) -> Iterator[str]:
    """A unit in pieces of at most `width` columns (see `_Unit` for where it breaks)."""
    text, start = unit.text, 0
    stop = len(text.rstrip())
    if not (unit.edges or unit.inner) and text.isascii() and "\r" not in text:
        # nowhere to break but between characters, each one column: cut every `width`
        full = max(stop - 1, 0) // width  # whole lines; what is left is 1 to `width` columns
        yield from (text[i * width : (i + 1) * width] for i in range(full))
        yield text[full * width :]
        return
    # a character takes at least one column, so only the next width + 1 of them can matter
    while columns(text[start : min(stop, start + width + 1)]) > width:
        end = 0
        for offsets in (unit.edges, unit.inner):
            last = min(stop, start + width)  # no spaces inside a unit but at its end
            candidates = offsets[bisect_right(offsets, start) : bisect_right(offsets, last)]
            fits = [b for b in candidates if columns(text[start:b].rstrip()) <= width]
            if fits:
                end = fits[-1]
                break
        end = end or _last_cluster_end(text, start, width)
        yield text[start:end]
        start = end
    yield text[start:]


def _last_cluster_end(unit: str, start: int, width: int) -> int:
    window = unit[start : start + width + 2]  # more than `width` columns, whatever they are
    if window.isascii() and "\r" not in window:  # one column and one cluster a character
        return start + max(min(width, len(window)), 1)
    end, used, previous = start, 0, 0
    for boundary in grapheme_boundaries(window):
        used += columns(window[previous:boundary])
        if used > width:
            break
        end, previous = start + boundary, boundary
    return max(end, start + 1)  # at least one character, or no progress
