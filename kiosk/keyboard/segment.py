"""Splitting typed letters into pinyin syllables: full, abbreviated (initials) and unfinished."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

MAX_TOKENS = 4  # the longest dictionary phrase, in syllables
INF = float("inf")
# Costs of a reading of the letters: a full syllable is what people mean; an initial standing
# for a syllable (g for gong) is a guess; an unfinished last syllable (gon) is a lighter guess.
COST_FULL = 0.0
COST_INITIAL = 1.0
COST_PARTIAL = 0.5
TOLERANCE = 1.0  # readings this much costlier than the best still offer candidates
DOUBLE_INITIALS = ("zh", "ch", "sh")
VOWELS = frozenset("aeiouv")
# Spellings people type for the ü finals, mapped to the v spelling the dictionary uses.
ALIASES = {"lue": "lve", "nue": "nve"}


@dataclass(frozen=True)
class Token:
    """One syllable's worth of letters; `exact` when it is a whole syllable."""

    letters: str
    syllable_pattern: str
    exact: bool


@dataclass(frozen=True)
class Reading:
    """The first tokens of one way to read the letters, and what that reading costs."""

    tokens: tuple[Token, ...]
    cost: float

    @property
    def consumed(self) -> int:
        """How many typed letters the tokens cover."""
        return sum(len(t.letters) for t in self.tokens)


class Segmenter:
    """Readings of an unsegmented string of lowercase letters, given the syllables that exist."""

    def __init__(self, syllables: Iterable[str]) -> None:
        self.syllables = frozenset(syllables)
        self.longest = max(len(s) for s in self.syllables)

    @cached_property
    def prefixes(self) -> frozenset[str]:
        """Every unfinished syllable: proper prefixes of syllables that are not syllables."""
        found = {s[:i] for s in self.syllables for i in range(1, len(s))}
        return frozenset(found - self.syllables)

    @cached_property
    def initials(self) -> frozenset[str]:
        """Letters that can stand for a whole syllable (abbreviations such as g for gong)."""
        singles = {s[0] for s in self.syllables if s[0] not in VOWELS}
        return frozenset(singles | {d for d in DOUBLE_INITIALS if d[0] in singles})

    def _steps(self, letters: str, i: int) -> list[tuple[Token, float]]:
        """The tokens that can start at position i, each with its own cost."""
        n = len(letters)
        steps: list[tuple[Token, float]] = []
        for j in range(i + 1, min(n, i + self.longest + 1) + 1):
            piece = letters[i:j]
            syllable = ALIASES.get(piece, piece)
            if syllable in self.syllables:
                steps.append((Token(piece, syllable, exact=True), COST_FULL))
            elif j == n and piece in self.prefixes:
                steps.append((Token(piece, syllable, exact=False), COST_PARTIAL))
            elif piece in self.initials:
                steps.append((Token(piece, piece, exact=False), COST_INITIAL))
        return steps

    def _rest_costs(self, letters: str) -> list[float]:
        """rest[i]: the least cost of reading letters[i:] to the end (INF if impossible)."""
        n = len(letters)
        rest = [INF] * (n + 1)
        rest[n] = 0.0
        for i in range(n - 1, -1, -1):
            for token, cost in self._steps(letters, i):
                rest[i] = min(rest[i], cost + rest[i + len(token.letters)])
        return rest

    def readable_length(self, letters: str) -> int:
        """The longest start of `letters` that reads as pinyin (the rest waits in composition)."""
        for end in range(len(letters), 0, -1):
            if self._rest_costs(letters[:end])[0] < INF:
                return end
        return 0

    def readings(self, letters: str) -> list[Reading]:
        """Token prefixes (1 to 4 tokens) of the good readings of `letters`, cheapest first."""
        rest = self._rest_costs(letters)
        best = rest[0]
        if best == INF:
            return []
        limit = best + TOLERANCE
        found: dict[tuple[Token, ...], float] = {}

        def walk(i: int, tokens: tuple[Token, ...], cost: float) -> None:
            for token, step in self._steps(letters, i):
                j = i + len(token.letters)
                total = cost + step + rest[j]
                if total > limit:
                    continue
                path = (*tokens, token)
                if total < found.get(path, INF):
                    found[path] = total
                if j < len(letters) and len(path) < MAX_TOKENS:
                    walk(j, path, cost + step)

        walk(0, (), 0.0)
        # A shorter prefix of a good reading is as good as the reading itself.
        best_of: dict[tuple[Token, ...], float] = {}
        for path, total in found.items():
            for m in range(1, len(path) + 1):
                key = path[:m]
                best_of[key] = min(best_of.get(key, INF), total)
        ordered = sorted(best_of.items(), key=lambda item: (item[1], -len(item[0])))
        return [Reading(tokens, cost - best) for tokens, cost in ordered]

    def spell(self, letters: str) -> str:
        """The best reading of all the letters, for display: gongsiyou → gong'si'you."""
        readable = self.readable_length(letters)
        head = letters[:readable]
        rest = self._rest_costs(head)
        parts: list[str] = []
        i = 0
        while i < len(head):
            options = [
                (cost + rest[i + len(token.letters)], -len(token.letters), token.letters)
                for token, cost in self._steps(head, i)
            ]
            _, _, piece = min(options)
            parts.append(piece)
            i += len(piece)
        if readable < len(letters):
            parts.append(letters[readable:])
        return "'".join(parts)
