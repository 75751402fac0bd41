"""Building the pinyin index from pypinyin's readings and jieba's word frequencies.

The index is plain text, gzipped: a header, the syllables, then one section per "signature"
(the first letters of a word's syllables, `gs` for 公司) listing `syllables<TAB>word<TAB>score`,
best first. Building it reads about 5 MB of package data and takes a couple of seconds, so it
happens once and the result is kept in the instance folder.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import metadata, resources
from pathlib import Path

FORMAT = 1  # bump when the build changes what it writes
MIN_PHRASE_FREQUENCY = 4  # jieba gives 3 to words it has no count for
MIN_CHAR_FREQUENCY = 10  # characters outside GB 2312 need this much real use to be offered
OTHER_READING_WEIGHT = 0.25  # a character's less usual readings rank lower on their own
_HANZI = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# pypinyin spells 嗯 as the syllabic nasals n/ng; people type en. m/hm/hng have no common use.
_NASALS = {"n": "en", "ng": "en"}
_DROPPED = frozenset({"m", "hm", "hng"})


@cache
def versions() -> str:
    """What the index depends on, for its file name: format, pypinyin and jieba versions."""
    return f"{FORMAT}-pypinyin{metadata.version('pypinyin')}-jieba{metadata.version('jieba')}"


def cache_path(folder: Path) -> Path:
    """Where the index for these package versions is kept in `folder`."""
    return folder / f"keyboard-index-{versions()}.txt.gz"


def toneless(reading: str) -> str:
    """zhōng → zhong, lǜ → lv, ê̄ → e: the letters a person types for a reading."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _NASALS.get(plain, plain)


def gb2312_hanzi() -> set[str]:
    """The 6,763 characters of GB 2312 (rows 16-87 of the code table)."""
    found = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def jieba_frequencies() -> dict[str, int]:
    """Every word in jieba's dictionary with its count (read from the package's dict.txt)."""
    words: dict[str, int] = {}
    with resources.files("jieba").joinpath("dict.txt").open("r", encoding="utf-8") as handle:
        for line in handle:
            word, count, *_ = line.split(" ")
            words[word] = int(count)
    return words


class Readings:
    """pypinyin's readings: each character's, and the phrases whose reading is not the default."""

    def __init__(self) -> None:
        from pypinyin.phrases_dict import phrases_dict
        from pypinyin.pinyin_dict import pinyin_dict

        self.chars: dict[str, list[str]] = {}
        for code, text in pinyin_dict.items():
            found = [toneless(r) for r in text.split(",")]
            kept = list(dict.fromkeys(r for r in found if r and r not in _DROPPED))
            if kept:
                self.chars[chr(code)] = kept
        self.phrases = {
            phrase: [toneless(options[0]) for options in syllables]
            for phrase, syllables in phrases_dict.items()
        }
        self.longest_phrase = max(len(p) for p in self.phrases)

    def of_word(self, word: str) -> list[str] | None:
        """The word's reading as pypinyin would give it: its phrases first, else each character's
        usual reading (longest phrase match from the left); None if a character has none."""
        out: list[str] = []
        i = 0
        while i < len(word):
            for j in range(min(len(word), i + self.longest_phrase), i + 1, -1):
                phrase = self.phrases.get(word[i:j])
                if phrase is not None and len(phrase) == j - i:
                    out.extend(phrase)
                    i = j
                    break
            else:
                options = self.chars.get(word[i])
                if not options:
                    return None
                out.append(options[0])
                i += 1
        return out


Entry = tuple[str, str, int]  # syllables (space-separated), text, score


def _phrases(readings: Readings, words: dict[str, int]) -> Iterator[tuple[str, list[str], int]]:
    for word, count in words.items():
        if 2 <= len(word) <= 4 and count >= MIN_PHRASE_FREQUENCY and _HANZI.match(word):
            syllables = readings.of_word(word)
            if syllables is not None:
                yield word, syllables, count


def entries() -> tuple[list[str], list[Entry]]:
    """The syllables and every entry of the index: phrases of 2-4 characters, and characters."""
    readings = Readings()
    words = jieba_frequencies()
    found: list[Entry] = []
    # How often each reading of a character is used inside words: 长 is chang in 长期,
    # zhang in 校长. A character on its own ranks under each reading by that share.
    usage: dict[str, Counter[str]] = defaultdict(Counter)
    for word, syllables, count in _phrases(readings, words):
        found.append((" ".join(syllables), word, count))
        for char, syllable in zip(word, syllables, strict=True):
            usage[char][syllable] += count
    chars = gb2312_hanzi() | {char for _, text, _ in found for char in text}
    chars |= {w for w, n in words.items() if len(w) == 1 and n >= MIN_CHAR_FREQUENCY}
    for char in sorted(chars):
        options = readings.chars.get(char)
        if not options or not _HANZI.match(char):
            continue
        used = usage[char]
        total = sum(used.values())
        main = max(options, key=lambda r: (used[r], -options.index(r)))
        base = words.get(char, 0) + total / 100 + 1  # alone, and a little for its words
        for syllable in options:
            share = (
                1.0 if syllable == main else OTHER_READING_WEIGHT * used[syllable] / (total or 1)
            )
            found.append((syllable, char, max(1, round(base * share))))
    syllables = sorted({s for entry in found for s in entry[0].split(" ")})
    return syllables, found


def signature(syllables: str) -> str:
    """The first letters of the syllables: 'gong si' → 'gs'."""
    return "".join(s[0] for s in syllables.split(" "))


def serialise(syllables: Iterable[str], found: Iterable[Entry]) -> bytes:
    """The index file's bytes; the same input always gives the same bytes."""
    sections: dict[str, list[Entry]] = defaultdict(list)
    for entry in found:
        sections[signature(entry[0])].append(entry)
    out = io.StringIO()
    out.write(f"#kiosk-keyboard-index {versions()}\n")
    out.write("!" + " ".join(syllables) + "\n")
    for sig in sorted(sections):
        out.write(f"@{sig}\n")
        for syl, text, score in sorted(sections[sig], key=lambda e: (-e[2], e[0], e[1])):
            out.write(f"{syl}\t{text}\t{score}\n")
    raw = io.BytesIO()
    # mtime=0 and no file name in the header: the same index is the same file.
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="", compresslevel=6) as zipped:
        zipped.write(out.getvalue().encode("utf-8"))
    return raw.getvalue()


def build(path: Path) -> bytes:
    """Build the index and write it to `path` atomically (another process may be reading)."""
    data = serialise(*entries())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".keyboard-index-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for old in path.parent.glob("keyboard-index-*.txt.gz"):
        if old != path:
            old.unlink(missing_ok=True)  # an index for other package versions
    return data
