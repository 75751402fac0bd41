"""The building's own words: tenant names, the building's name and street, ranked high.

jieba cuts the texts into words (星辰, 麓云, 五一大道); pypinyin reads them. A tenant's full
name is offered as a whole once its first three syllables are typed (csly → 长沙麓云数智…).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.keyboard.index import pattern
from kiosk.keyboard.segment import DOUBLE_INITIALS, Token
from kiosk.models import Building, Tenant

WORD_SCORE = 1_000_000  # above any word's own count in jieba's dictionary
NAME_SCORE = 500_000
NAME_MIN_SYLLABLES = 3  # typed before a full name is offered (2 for a longer word)
_HANZI = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
_tokenizer_lock = threading.Lock()
_tokenizer: Any = None


@dataclass(frozen=True)
class BuildingTexts:
    """What the building's words come from: names (offered whole) and other texts."""

    names: tuple[str, ...]
    texts: tuple[str, ...] = ()


def building_texts(db: Session, building_code: str) -> BuildingTexts:
    """The building's name, address and its active tenants' names, from the database."""
    building = db.scalar(select(Building).where(Building.code == building_code))
    if building is None:
        return BuildingTexts(())
    tenants = db.scalars(
        select(Tenant.name).where(Tenant.building_id == building.id, Tenant.active)
    )
    names = tuple(sorted({building.name_zh, *tenants}))
    return BuildingTexts(names, (building.address_zh,))


def _jieba(cache_dir: Path) -> Any:
    """jieba's tokenizer, its prefix dictionary cached in `cache_dir` (not /tmp)."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import jieba

            # jieba logs its dictionary loading at DEBUG to stderr: noise in the kiosk's log.
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = str(cache_dir)
            tokenizer.cache_file = "keyboard-jieba.cache"
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


def _reading(word: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin(word, style=Style.NORMAL, errors="ignore") if s.isalpha()]


def _spelling(syllables: Sequence[str], required: int) -> re.Pattern[str]:
    """Letters spelling the first k >= `required` syllables: each in full or by its initial,
    the last one perhaps unfinished (csl, changshal, chang'sha'lu)."""

    def whole(syllable: str) -> str:
        short = {syllable[0], syllable[:2] if syllable[:2] in DOUBLE_INITIALS else syllable[0]}
        return "(?:" + "|".join(sorted({syllable, *short}, key=lambda s: (-len(s), s))) + ")"

    def begun(syllable: str) -> str:
        inner = ""
        for letter in reversed(syllable[1:]):
            inner = f"(?:{letter}{inner})?"
        return syllable[0] + inner

    branches = [
        "".join(whole(s) for s in syllables[: k - 1]) + begun(syllables[k - 1])
        for k in range(min(required, len(syllables)), len(syllables) + 1)
    ]
    return re.compile("^(?:" + "|".join(branches) + ")$")


@dataclass
class Lexicon:
    """The building's words, by reading, and what can be completed from its first syllables."""

    words: dict[str, str] = field(default_factory=dict)  # signature → index-format lines
    completions: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def match(self, tokens: Sequence[Token]) -> Iterator[tuple[str, int]]:
        """(text, score) of the building's words whose syllables fit `tokens`."""
        section = self.words.get("".join(t.letters[0] for t in tokens))
        if section:
            for found in re.finditer(pattern(tokens), section, re.M):
                yield found.group(1), int(found.group(2))

    def complete(self, letters: str) -> Iterator[str]:
        """Names and longer words whose first syllables the letters spell (csly → 长沙麓云…)."""
        for spelling, text in self.completions:
            if spelling.match(letters):
                yield text


def _words(tokenizer: Any, text: str) -> Iterator[tuple[str, bool]]:
    """jieba's words of 2-4 characters (finest cut), and runs of characters it left single
    (才/聚 → 才聚: a brand name jieba does not know), the latter marked True."""
    for word in tokenizer.cut_for_search(text):
        if 2 <= len(word) <= 4 and _HANZI.match(word):
            yield word, False
    run = ""
    for piece in [*tokenizer.cut(text, HMM=False), ""]:
        if len(piece) == 1 and _HANZI.match(piece):
            run += piece
            continue
        if 2 <= len(run) <= 4:
            yield run, True
        run = ""


def make_lexicon(texts: BuildingTexts, cache_dir: Path) -> Lexicon:
    """Cut the texts into words with jieba and read them with pypinyin."""
    tokenizer = _jieba(cache_dir)
    counts: Counter[str] = Counter()
    completable: dict[str, int] = {}  # text → syllables to type before it is offered
    for text in (*texts.names, *texts.texts):
        for word, brand in _words(tokenizer, text):
            counts[word] += 1
            if brand or len(word) > 2:
                completable[word] = 2
    for name in texts.names:
        completable[name] = NAME_MIN_SYLLABLES
    sections: dict[str, list[tuple[int, str, str]]] = {}
    for word, count in counts.items():
        syllables = _reading(word)
        if len(syllables) == len(word):
            sig = "".join(s[0] for s in syllables)
            sections.setdefault(sig, []).append((WORD_SCORE + count, " ".join(syllables), word))
    lexicon = Lexicon()
    for sig, found in sorted(sections.items()):
        found.sort(key=lambda e: (-e[0], e[1], e[2]))
        lexicon.words[sig] = "".join(f"{syl}\t{word}\t{score}\n" for score, syl, word in found)
    for text, required in sorted(completable.items()):
        syllables = _reading(text)
        if len(syllables) > required:
            lexicon.completions.append((_spelling(syllables, required), text))
    return lexicon


class LexiconCache:
    """Each building's lexicon, made again after `ttl` seconds (tenants come and go).

    Only the first lexicon of a building is made while a lookup waits. Later ones are made in
    the background from texts read at once (the read needs the request's database session),
    and lookups use the previous lexicon meanwhile: a tower of 600 tenants takes about half a
    second to cut and read, which must not fall on someone's key tap.
    """

    def __init__(self, cache_dir: Path, ttl: float = 300.0) -> None:
        self.cache_dir = cache_dir
        self.ttl = ttl
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, Lexicon]] = {}
        self._making: dict[str, threading.Thread] = {}

    def get(self, building_code: str, read: Callable[[], BuildingTexts]) -> Lexicon:
        """The building's lexicon; `read` fetches its texts when the kept one is too old."""
        with self._lock:
            kept = self._kept.get(building_code)
            if kept is not None and time.monotonic() < kept[0]:
                return kept[1]
            if kept is not None:
                if building_code not in self._making:
                    self._kept[building_code] = (time.monotonic() + self.ttl, kept[1])
                    worker = threading.Thread(
                        target=self._remake,
                        args=(building_code, read()),
                        name="keyboard-lexicon",
                        daemon=True,
                    )
                    self._making[building_code] = worker
                    worker.start()
                return kept[1]
            lexicon = make_lexicon(read(), self.cache_dir)
            self._kept[building_code] = (time.monotonic() + self.ttl, lexicon)
            return lexicon

    def _remake(self, building_code: str, texts: BuildingTexts) -> None:
        try:
            lexicon = make_lexicon(texts, self.cache_dir)
            with self._lock:
                self._kept[building_code] = (time.monotonic() + self.ttl, lexicon)
        except Exception:  # the old lexicon stays; the next expiry tries again
            logging.getLogger(__name__).exception("could not remake the building's words")
        finally:
            with self._lock:
                self._making.pop(building_code, None)

    def settle(self) -> None:
        """Wait for lexicons being made in the background (for tests and shutdown)."""
        with self._lock:
            making = list(self._making.values())
        for worker in making:
            worker.join()
