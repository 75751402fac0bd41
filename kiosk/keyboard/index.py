"""The pinyin index in memory: sections of text searched with one regular expression each."""

from __future__ import annotations

import gzip
import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.keyboard import build
from kiosk.keyboard.segment import Segmenter, Token

log = logging.getLogger(__name__)
_LINE_TAIL = r"\t([^\t\n]+)\t(\d+)$"


class BadIndex(Exception):
    """The index file cannot be read (damaged, or from another format)."""


@dataclass(frozen=True)
class IndexStats:
    """Figures about the loaded index."""

    entries: int
    sections: int
    file_bytes: int
    text_bytes: int


def pattern(tokens: Sequence[Token]) -> str:
    """The regular expression matching entries whose syllables fit the tokens."""
    parts = [re.escape(t.syllable_pattern) + ("" if t.exact else "[a-z]*") for t in tokens]
    return "^" + " ".join(parts) + _LINE_TAIL


class Index:
    """Entries grouped by signature (first letters), each group best first."""

    def __init__(self, syllables: Sequence[str], sections: dict[str, str], file_bytes: int) -> None:
        self.segmenter = Segmenter(syllables)
        self._sections = sections
        self._file_bytes = file_bytes

    @classmethod
    def parse(cls, data: bytes) -> Index:
        """Read an index file's bytes."""
        try:
            text = gzip.decompress(data).decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise BadIndex(f"unreadable index: {exc}") from exc
        header, syllables, body = [*text.split("\n", 2), "", ""][:3]
        if header != f"#kiosk-keyboard-index {build.versions()}" or not syllables.startswith("!"):
            raise BadIndex(f"index of another version: {header[:80]!r}")
        sections = {}
        for chunk in ("\n" + body).split("\n@")[1:]:
            sig, _, lines = chunk.partition("\n")
            sections[sig] = lines
        return cls(syllables[1:].split(" "), sections, len(data))

    def match(self, tokens: Sequence[Token]) -> Iterator[tuple[str, int]]:
        """(text, score) of the entries whose syllables fit `tokens`, best first."""
        section = self._sections.get("".join(t.letters[0] for t in tokens))
        if not section:
            return
        for found in re.finditer(pattern(tokens), section, re.M):
            yield found.group(1), int(found.group(2))

    def stats(self) -> IndexStats:
        """How big the index is: entries, sections, bytes on disk and in memory (UTF-8)."""
        entries = sum(s.count("\n") for s in self._sections.values())
        text = sum(len(s.encode("utf-8")) for s in self._sections.values())
        return IndexStats(entries, len(self._sections), self._file_bytes, text)


_loaded: dict[str, Index] = {}
_lock = threading.Lock()


def load(folder: Path) -> Index:
    """The index, from memory, else from `folder`'s cache, else built there (a few seconds)."""
    key = build.versions()
    with _lock:
        index = _loaded.get(key)
        if index is not None:
            return index
        path = build.cache_path(folder)
        started = time.perf_counter()
        index = None
        if path.exists():
            try:
                index = Index.parse(path.read_bytes())
                log.info("keyboard index loaded from %s in %.2f s", path, _since(started))
            except BadIndex as exc:
                log.warning("keyboard index at %s rebuilt: %s", path, exc)
        if index is None:
            index = Index.parse(build.build(path))
            log.info("keyboard index built at %s in %.2f s", path, _since(started))
        _loaded[key] = index
        return index


def _since(started: float) -> float:
    return time.perf_counter() - started
