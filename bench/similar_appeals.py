"""Similar appeals for one appeal among many (bench/ledger.py runs this after its own figures).

The words of every appeal are cut and the open ones' indexed first, as the migrations do for the
appeals already there; then, for appeals picked across the open ones, as the city's officer (who
reaches every appeal) sees them on an appeal's page, rounds alternate between three look-ups:

- similar(): the look-up the appeal page makes, through the index of open appeals' words;
- the LIKE scan it replaced: each open appeal's kept words matched with LIKE '% word %', word by
  word (the same scores, so the same appeals, best first);
- a baseline: a plain COUNT(*) over appeal, which says how busy the machine was.

p50 and p95 over all the runs of each, and their ratios.
"""

from __future__ import annotations

import math
import statistics
import time

from sqlalchemy import case, func, literal, or_, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, AppealWords
from kiosk.services.common_problems import similar, words
from kiosk.services.common_problems.similar import CATEGORY, LIMIT, MOST_WORDS, PLACE

BATCH = 5_000  # appeals cut per statement
SAMPLE = 20  # appeals looked up
OPEN = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)


def cut_every_appeal(engine: Engine) -> tuple[int, float]:
    """Cut and keep the words of every appeal, indexing the open ones'; (how many, seconds)."""
    began = time.perf_counter()
    last, done = 0, 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(
                select(Appeal.id, Appeal.description)
                .where(Appeal.id > last)
                .order_by(Appeal.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return done, time.perf_counter() - began
            done += words.cut(conn, [(row.id, row.description) for row in rows])
            last = rows[-1].id


def like_scan(db: Session, appeal: Appeal) -> list[int]:
    """The ids similar() finds, as it found them before the index: two passes over every open
    appeal's kept words, each word matched with LIKE."""
    mine = sorted(set(words.of(db, appeal)))[:MOST_WORDS]
    padded = literal(" ") + AppealWords.words + literal(" ")
    has = {word: padded.like(f"% {word} %") for word in mine}  # no % or _ in these words
    candidates = (Appeal.status.in_(OPEN), Appeal.id != appeal.id)
    used = db.execute(
        select(func.count(), *(func.count().filter(test) for test in has.values()))
        .select_from(Appeal)
        .join(AppealWords, AppealWords.appeal_id == Appeal.id)
        .where(*candidates)
    ).one()
    weight = {w: math.log(1 + (used[0] + 1) / n) for w, n in zip(mine, used[1:], strict=True) if n}
    score = sum(
        (case((has[word], value), else_=0.0) for word, value in weight.items()),
        case((Appeal.category_id == appeal.category_id, CATEGORY), else_=0.0)
        + case((Appeal.building_code == appeal.building_code, PLACE), else_=0.0),
    )
    return list(
        db.scalars(
            select(Appeal.id)
            .join(AppealWords, AppealWords.appeal_id == Appeal.id)
            .where(*candidates, or_(*(has[word] for word in weight)))
            .order_by(score.desc(), Appeal.id.desc())
            .limit(LIMIT)
        )
    )


def _look_up(name: str, db: Session, appeal: Appeal) -> int:
    """One look-up of the three; how many appeals it found (or counted)."""
    if name == "similar":
        return len(similar(db, appeal))
    if name == "LIKE scan":
        return len(like_scan(db, appeal))
    return db.scalar(select(func.count()).select_from(Appeal)) or 0


def _p50_p95(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def time_similar(db: Session, repeat: int) -> tuple[int, dict[str, tuple[float, float]], int]:
    """(open appeals, {look-up: (p50 ms, p95 ms)}, matches found) for SAMPLE open appeals, the
    three look-ups in alternating rounds; warns when the LIKE scan finds other appeals."""
    ids = list(db.scalars(select(Appeal.id).where(Appeal.status.in_(OPEN)).order_by(Appeal.id)))
    picked = ids[:: max(1, len(ids) // SAMPLE)][:SAMPLE]
    times: dict[str, list[float]] = {"similar": [], "LIKE scan": [], "COUNT(*)": []}
    found = 0
    for appeal_id in picked:
        appeal = db.get(Appeal, appeal_id)
        assert appeal is not None
        if [m.id for m in similar(db, appeal)] != like_scan(db, appeal):  # and warm both
            print(f"warning: the LIKE scan finds other appeals for appeal {appeal_id}")
        for _ in range(repeat):
            for name, taken in times.items():
                began = time.perf_counter()
                shown = _look_up(name, db, appeal)
                taken.append((time.perf_counter() - began) * 1000)
                found = shown if name == "similar" else found
    return len(ids), {name: _p50_p95(taken) for name, taken in times.items()}, found


def print_similar(engine: Engine, db: Session, repeat: int) -> None:
    """Cut the words, time the look-ups, print the figures."""
    count, seconds = cut_every_appeal(engine)
    print(f"  words of {count:,} appeals cut (jieba) and indexed in {seconds:.1f} s")
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after so many new rows: without it, PostgreSQL reads every
        # row an index holds to learn whether it is visible (VACUUM marks the pages that are).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE appeal, appeal_word"))
    open_count, figures, found = time_similar(db, repeat)
    print(
        f"  similar appeals for one appeal ({open_count:,} open, {SAMPLE} appeals x {repeat}, "
        f"alternating; {found} shown), p50 / p95 ms:"
    )
    for name, (p50, p95) in figures.items():
        print(f"    {name:<10} {p50:7.1f} / {p95:7.1f}")
    (p50, p95), (like50, like95), (base50, _) = figures.values()
    print(
        f"    LIKE scan / similar: {like50 / p50:.1f}x at p50, {like95 / p95:.1f}x at p95; "
        f"similar / COUNT(*) at p50: {p50 / base50:.0f}x"
    )
