"""Similar open appeals: the candidates for one common problem.

Among the open appeals the officer reaches (the session's scope), those whose descriptions share
words with this one's, rarer words counting more (a word most open appeals use says little),
then the same category and the same building.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, Text, case, column, func, select, values
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.models import (
    Appeal,
    AppealStatus,
    AppealWord,
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
MOST_WORDS = 40  # of an appeal's words, those scored (a long description says enough in 40)
UNITS = 1_000_000  # a score's units when the database sums it


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
    """The open appeals in reach most like `appeal`, best first (none that share no word).

    Scored in the database from the index of open appeals' words (`AppealWord`), reading only
    the open appeals that share a word with this one: how many of them use each of its words
    (a word most open appeals use says little), then each one's score, of which only the best
    `limit` come back."""
    _cut_new(db)
    mine = sorted(set(words.of(db, appeal)))[:MOST_WORDS]
    if not mine:
        return []
    # The open appeals in reach (an ORM statement on Appeal: the session's scope applies).
    candidates = select(Appeal.id).where(Appeal.status.in_(OPEN), Appeal.id != appeal.id)
    key = _word_key(db)
    in_reach = key.in_(candidates)
    total = (db.scalar(select(func.count()).select_from(candidates.subquery())) or 0) + 1
    used = db.execute(
        select(AppealWord.word, func.count())
        .where(AppealWord.word.in_(mine), in_reach)
        .group_by(AppealWord.word)
    ).all()
    # Inverse document frequency among the open appeals.
    weight = {word: math.log(1 + total / n) for word, n in used if n}
    if not weight:
        return []
    rows = db.execute(_best(appeal, weight, candidates, key).limit(limit)).all()
    kept = dict(
        db.execute(
            select(AppealWords.appeal_id, AppealWords.words).where(
                AppealWords.appeal_id.in_([row.id for row in rows])
            )
        ).all()
    )
    best = []
    for row in rows:
        theirs = set(kept.get(row.id, "").split())
        shared = sorted((w for w in weight if w in theirs), key=lambda w: (-weight[w], w))
        best.append((round(row.score / UNITS, 3), row.id, tuple(shared)))
    return _matches(db, appeal, best)


def _best(
    appeal: Appeal, weight: dict[str, float], others: Select[Any], key: ColumnElement[int]
) -> Select[Any]:
    """The open appeals in reach that use a word of `weight`, best first, with their scores (in
    UNITS: whole numbers, so that equal scores are equal in whatever order they are summed)."""
    weights = (
        values(column("word", Text), column("units", Integer), name="weights")
        .data(sorted((word, round(value * UNITS)) for word, value in weight.items()))
        .cte()
    )
    # Read from one index of appeal (no row); SQLite needs it made once, not read per word.
    them = (
        others.add_columns(Appeal.category_id, Appeal.building_code)
        .cte("them")
        .prefix_with("MATERIALIZED")
    )
    score = (
        func.sum(weights.c.units)
        + case((them.c.category_id == appeal.category_id, round(CATEGORY * UNITS)), else_=0)
        + case((them.c.building_code == appeal.building_code, round(PLACE * UNITS)), else_=0)
    )
    return (
        select(them.c.id, score.label("score"))
        .select_from(AppealWord)
        .join(weights, weights.c.word == AppealWord.word)
        .join(them, them.c.id == key)
        .group_by(them.c.id, them.c.category_id, them.c.building_code)
        .order_by(score.desc(), them.c.id.desc())
    )


def _word_key(db: Session) -> ColumnElement[int]:
    """The index's appeal id, to match against the open appeals in reach. On SQLite, as an
    expression rather than the column: SQLite then reads each word's rows and checks them against
    those appeals, instead of looking up every one of them under every word (many times the
    work); PostgreSQL, which estimates a column better than an expression, hashes them."""
    column: ColumnElement[int] = AppealWord.__table__.c.appeal_id
    return column + 0 if db.get_bind().dialect.name == "sqlite" else column


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
