"""Similar open appeals: the candidates for one common problem.

Among the open appeals the officer reaches (the session's scope), those whose descriptions share
words with this one's, rarer words counting more (a word most open appeals use says little),
then the same category and the same building. The open appeals are read with their kept words
in one query and scored here: they are a few thousand even when the ledger holds 100,000.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.models import (
    Appeal,
    AppealStatus,
    AppealWords,
    CommonProblem,
    ProblemAppeal,
    ProblemState,
)
from kiosk.services.common_problems import words

OPEN = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)
CATEGORY = 1.0  # added for the same category, to appeals that share a word
PLACE = 0.5  # added for the same building
LIMIT = 8


@dataclass(frozen=True)
class Match:
    """A similar open appeal, why it is similar, and the common problem it is in (if any)."""

    id: int
    reference: str
    company_name: str
    description: str
    status: AppealStatus
    created_at: datetime
    building_code: str
    score: float
    shared: tuple[str, ...]  # the words both descriptions use, rarest first
    same_category: bool
    same_place: bool
    problem_id: int | None
    problem_title: str
    problem_state: ProblemState | None


def similar(db: Session, appeal: Appeal, limit: int = LIMIT) -> list[Match]:
    """The open appeals in reach most like `appeal`, best first (none that share no word)."""
    _cut_new(db)
    mine = set(words.of(db, appeal))
    if not mine:
        return []
    rows = db.execute(
        select(Appeal.id, Appeal.category_id, Appeal.building_code, AppealWords.words)
        .join(AppealWords, AppealWords.appeal_id == Appeal.id)
        .where(Appeal.status.in_(OPEN), Appeal.id != appeal.id)
    ).all()
    # A word is found as itself between spaces: no list of words made per row (9,000 rows of
    # small strings would keep the garbage collector busy for longer than the matching).
    keys = [(word, f" {word} ") for word in mine]
    sharing = []
    for row in rows:
        text = f" {row.words} "
        shared = [word for word, key in keys if key in text]
        if shared:
            sharing.append((row, shared))
    used = Counter(word for _, shared in sharing for word in shared)
    total = len(rows) + 1
    # Inverse document frequency among the open appeals: a word most of them use says little.
    weight = {word: math.log(1 + total / count) for word, count in used.items()}
    scored = []
    for row, shared in sharing:
        score = sum(weight[word] for word in shared)
        score += CATEGORY if row.category_id == appeal.category_id else 0.0
        score += PLACE if row.building_code == appeal.building_code else 0.0
        scored.append((round(score, 3), row.id, shared))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    best = [
        (score, key, tuple(sorted(shared, key=lambda w: (-weight[w], w))))
        for score, key, shared in scored[:limit]
    ]
    return _matches(db, appeal, best)


def _matches(
    db: Session, appeal: Appeal, scored: list[tuple[float, int, tuple[str, ...]]]
) -> list[Match]:
    """The scored appeals' details and groups (two queries, for a page's worth)."""
    ids = [key for _, key, _ in scored]
    if not ids:
        return []
    found = {a.id: a for a in db.scalars(select(Appeal).where(Appeal.id.in_(ids)))}
    groups = {
        row.appeal_id: row
        for row in db.execute(
            select(ProblemAppeal.appeal_id, CommonProblem.id, CommonProblem.title)
            .add_columns(CommonProblem.state)
            .join(CommonProblem, CommonProblem.id == ProblemAppeal.problem_id)
            .where(ProblemAppeal.appeal_id.in_(ids))
        )
    }
    matches = []
    for score, key, shared in scored:
        other, group = found.get(key), groups.get(key)
        if other is None:
            continue
        matches.append(
            Match(
                id=other.id,
                reference=other.reference,
                company_name=other.company_name,
                description=other.description,
                status=other.status,
                created_at=other.created_at,
                building_code=other.building_code,
                score=score,
                shared=shared,
                same_category=other.category_id == appeal.category_id,
                same_place=other.building_code == appeal.building_code,
                problem_id=group.id if group else None,
                problem_title=group.title if group else "",
                problem_state=group.state if group else None,
            )
        )
    return matches


def _cut_new(db: Session) -> None:
    """Cut the words of the appeals filed since the last look-up, in a transaction of its own
    (taken only when there is something to cut)."""
    if not words.waiting(db):
        return
    with transaction(db):
        words.catch_up(db)
