"""A kiosk's recent log records, kept in the shared database so the on-call engineer can read
them without logging in to the box.

The handler only queues records in memory (a log call never waits on the database, and a
database error logged from inside a write cannot recurse); the fleet agent writes the queue
every few seconds and prunes what is older than `KEEP`.
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import KioskLog

KEEP = timedelta(days=7)
BUFFER = 2000  # records held between writes; the oldest are dropped past this
ACCESS_LOGGER = "kiosk.access"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# LogRecord's own attributes: whatever else a record carries came from `extra=`.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _not_routine_access(record: logging.LogRecord) -> bool:
    """Leave out each accepted API call: Prometheus' scrapes and kiosks reporting over HTTP
    would bury the kiosk's own records (and fill the table). The journal has them, and each
    token counts its uses; refusals are warnings and are kept."""
    return not (record.name == ACCESS_LOGGER and record.levelno < logging.WARNING)


class DatabaseLogHandler(logging.Handler):
    """Queues this kiosk's records for `flush`."""

    def __init__(self, kiosk_id: str, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.kiosk_id = kiosk_id
        self._queue: deque[KioskLog] = deque(maxlen=BUFFER)
        self.addFilter(_not_routine_access)

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record as a row to write later."""
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[0] is not None:
                message += f" ({record.exc_info[0].__name__}: {record.exc_info[1]})"
            fields = {k: _plain(v) for k, v in vars(record).items() if k not in _STANDARD}
            self._queue.append(
                KioskLog(
                    kiosk_id=self.kiosk_id,
                    at=datetime.fromtimestamp(record.created, UTC),
                    level=record.levelname[:10],
                    logger=record.name[:100],
                    message=message[:4000],
                    fields=fields,
                )
            )
        except Exception:  # a log call must never break the caller
            self.handleError(record)

    def flush_to(self, db: Session) -> int:
        """Write the queued records; return how many."""
        rows = []
        while self._queue:
            rows.append(self._queue.popleft())
        if rows:
            with transaction(db):
                db.add_all(rows)
        return len(rows)


def prune(db: Session, now: datetime | None = None) -> int:
    """Delete records older than `KEEP`; return how many."""
    with transaction(db):
        cutoff = (now or utcnow()) - KEEP
        result = db.execute(delete(KioskLog).where(KioskLog.at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


def recent(db: Session, kiosk_id: str, *, level: str = "INFO", limit: int = 100) -> list[KioskLog]:
    """A kiosk's newest records at `level` or above, newest first."""
    wanted = LEVELS[LEVELS.index(level) :]
    query = (
        select(KioskLog)
        .where(KioskLog.kiosk_id == kiosk_id, KioskLog.level.in_(wanted))
        .order_by(KioskLog.at.desc(), KioskLog.id.desc())
        .limit(limit)
    )
    return list(db.scalars(query))
