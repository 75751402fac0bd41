"""Candidates for typed pinyin: ranked, paged, each saying how many letters it uses."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.keyboard.building import NAME_SCORE, Lexicon
from kiosk.keyboard.index import Index

MAX_LETTERS = 40
MAX_PAGE_SIZE = 50
# A phrase whose syllables are typed in full says more than one syllable does: 西安 (2,576
# in jieba's counts) belongs near 先 (25,558) for "xian", not after every character read xian.
PHRASE_BOOST = 4.0
GUESS_PENALTY = 0.05  # per unit of reading cost: initials and unfinished syllables are guesses


@dataclass(frozen=True)
class Candidate:
    """A word or character, and how many of the typed letters choosing it uses up."""

    text: str
    consumes: int


@dataclass(frozen=True)
class CandidatePage:
    """One page of candidates for the letters, and how the letters read (gong'si'you)."""

    letters: str
    spelling: str
    page: int
    candidates: tuple[Candidate, ...]
    has_more: bool


def candidates(
    index: Index, letters: str, page: int = 1, size: int = 10, lexicon: Lexicon | None = None
) -> CandidatePage:
    """Page `page` (from 1) of `size` candidates for lowercase, unsegmented pinyin letters.

    Candidates that use more of the letters come first (gongsi: 公司 before 公), then the more
    common; the building's own words first among equals. Letters that do not read as pinyin
    (a trailing v, say) are left for the person to finish or delete.
    """
    if not letters.isascii() or not letters.isalpha() or not letters.islower():
        raise ValueError("letters must be lowercase a-z")
    segmenter = index.segmenter
    head = letters[: segmenter.readable_length(letters)]
    wanted = page * size + size + 8  # enough of each list for this page and a peek beyond
    best: dict[str, tuple[int, float]] = {}

    def offer(text: str, consumes: int, score: float) -> None:
        if (consumes, score) > best.get(text, (0, 0.0)):
            best[text] = (consumes, score)

    for reading in segmenter.readings(head):
        spelt_out = sum(t.exact for t in reading.tokens)
        factor = GUESS_PENALTY**reading.cost * PHRASE_BOOST ** max(0, spelt_out - 1)
        consumes = reading.consumed
        for n, (text, score) in enumerate(index.match(reading.tokens)):
            if n >= wanted:
                break
            offer(text, consumes, score * factor)
        if lexicon is not None:
            for text, score in lexicon.match(reading.tokens):
                offer(text, consumes, score * factor)
    if lexicon is not None and head:
        for name in lexicon.complete(head):
            offer(name, len(head), NAME_SCORE)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    start = (page - 1) * size
    chosen = tuple(
        Candidate(text, consumes) for text, (consumes, _) in ranked[start : start + size]
    )
    return CandidatePage(
        letters=letters,
        spelling=segmenter.spell(letters),
        page=page,
        candidates=chosen,
        has_more=len(ranked) > start + size,
    )
