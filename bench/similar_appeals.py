"""Similar appeals for one appeal among many (bench/ledger.py runs this after its own figures).

The words of every appeal are cut first, as the migration does for the appeals already there;
then similar() is timed for appeals picked across the open ones, as the city's officer (who
reaches every appeal) sees them on an appeal's page: p50 and p95 over all the runs.
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus
from kiosk.services.common_problems import similar, words

BATCH = 5_000  # appeals cut per statement
SAMPLE = 20  # appeals looked up
OPEN = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)


def cut_every_appeal(engine: Engine) -> tuple[int, float]:
    """Cut and keep the words of every appeal; (how many, seconds)."""
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
            done += words.fill(conn, [(row.id, row.description) for row in rows])
            last = rows[-1].id


def time_similar(db: Session, repeat: int) -> tuple[int, float, float, int]:
    """(open appeals, p50 ms, p95 ms, matches found) of similar() for SAMPLE open appeals."""
    ids = list(db.scalars(select(Appeal.id).where(Appeal.status.in_(OPEN)).order_by(Appeal.id)))
    picked = ids[:: max(1, len(ids) // SAMPLE)][:SAMPLE]
    times: list[float] = []
    found = 0
    for appeal_id in picked:
        appeal = db.get(Appeal, appeal_id)
        assert appeal is not None
        similar(db, appeal)  # warm
        for _ in range(repeat):
            began = time.perf_counter()
            found = len(similar(db, appeal))
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return len(ids), statistics.median(times), p95, found


def print_similar(engine: Engine, db: Session, repeat: int) -> None:
    """Cut the words, time the look-ups, print the figures."""
    count, seconds = cut_every_appeal(engine)
    print(f"  words of {count:,} appeals cut (jieba) in {seconds:.1f} s")
    open_count, p50, p95, found = time_similar(db, repeat)
    print(
        f"  similar appeals for one appeal ({open_count:,} open, {SAMPLE} appeals x {repeat}): "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms ({found} shown)"
    )
