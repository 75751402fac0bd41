"""The on-screen keyboard: the pinyin index and its lookups (no Flask here: see the view)."""

from kiosk.keyboard.building import BuildingTexts, Lexicon, LexiconCache, building_texts
from kiosk.keyboard.index import Index, load
from kiosk.keyboard.lookup import MAX_LETTERS, MAX_PAGE_SIZE, Candidate, CandidatePage, candidates

__all__ = [
    "MAX_LETTERS",
    "MAX_PAGE_SIZE",
    "BuildingTexts",
    "Candidate",
    "CandidatePage",
    "Index",
    "Lexicon",
    "LexiconCache",
    "building_texts",
    "candidates",
    "load",
]
