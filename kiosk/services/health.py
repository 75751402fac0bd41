"""What /healthz reports of the database: readable, and writable now, not only reachable."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kiosk.db import probe_write
from kiosk.models import Appeal, Application, PrintJob, PrintStatus, WebSession

# A write that cannot take its lock in this time is a write a tenant is waiting on.
PROBE_MS = 500  # milliseconds
# What a visit writes: its session, an appeal or application, the slip's print job.
WRITTEN = (WebSession, Appeal, Application, PrintJob)


def print_queue(db: Session, kiosk_id: str) -> int:
    """How many of this kiosk's print jobs wait or are printing (reads the database)."""
    db.execute(text("SELECT 1"))
    waiting = db.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(
            PrintJob.kiosk_id == kiosk_id,
            PrintJob.status.in_([PrintStatus.PENDING, PrintStatus.PRINTING]),
        )
    )
    return waiting or 0


def writes_blocked(engine: Engine, timeout_ms: int = PROBE_MS) -> bool:
    """Whether a write would wait longer than `timeout_ms` for its lock (or may not write)."""
    try:
        probe_write(engine, tuple(model.__tablename__ for model in WRITTEN), timeout_ms)
    except OperationalError:
        return True
    return False
