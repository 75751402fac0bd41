"""A kiosk's recent log records, kept in the shared database so the on-call engineer can read
them without logging in to the box.

The handler only queues records in memory (a log call never waits on the database, and a
database error logged from inside a write cannot recurse); the fleet agent writes the queue
every few seconds and prunes what is older than `KEEP`.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
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


# A record carrying `extra={ONCE_A_MINUTE: key}` is kept as one row per key a minute, whose
# fields count how many came: a caller trying tokens by the thousand fills no table.
ONCE_A_MINUTE = "once_a_minute"
WINDOW = 60.0  # seconds
WINDOWS_MAX = 1000  # keys remembered at once; expired ones are forgotten first


@dataclass
class _Entry:
    """A row to write, or written (`id`), and how many records it stands for."""

    row: KioskLog
    started: float  # record.created of the first
    count: int = 1
    written: int = 0  # the count the database holds
    id: int | None = None


class DatabaseLogHandler(logging.Handler):
    """Queues this kiosk's records for `flush`."""

    def __init__(self, kiosk_id: str, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.kiosk_id = kiosk_id
        self._queue: deque[_Entry] = deque(maxlen=BUFFER)
        self._windows: dict[str, _Entry] = {}
        self._guard = threading.Lock()  # the queue and the counts, between emit and flush
        self.addFilter(_not_routine_access)

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record as a row to write later (or count it on its minute's row)."""
        try:
            key = getattr(record, ONCE_A_MINUTE, None)
            with self._guard:
                if isinstance(key, str) and self._counted(key, record):
                    return
                entry = _Entry(self._row(record), record.created)
                if isinstance(key, str):
                    entry.row.fields["count"] = 1
                    self._windows[key] = entry
                self._queue.append(entry)
        except Exception:  # a log call must never break the caller
            self.handleError(record)

    def _counted(self, key: str, record: logging.LogRecord) -> bool:
        """Count `record` on its key's row of this minute, if there is one."""
        entry = self._windows.get(key)
        if entry is not None and record.created - entry.started < WINDOW:
            entry.count += 1
            return True
        if len(self._windows) >= WINDOWS_MAX:
            self._windows = {
                k: e for k, e in self._windows.items() if record.created - e.started < WINDOW
            }
            if len(self._windows) >= WINDOWS_MAX:  # all live: keep the newest half
                self._windows = dict(list(self._windows.items())[WINDOWS_MAX // 2 :])
        return False

    def _row(self, record: logging.LogRecord) -> KioskLog:
        message = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            message += f" ({record.exc_info[0].__name__}: {record.exc_info[1]})"
        fields = {
            k: _plain(v)
            for k, v in vars(record).items()
            if k not in _STANDARD and k != ONCE_A_MINUTE
        }
        return KioskLog(
            kiosk_id=self.kiosk_id,
            at=datetime.fromtimestamp(record.created, UTC),
            level=record.levelname[:10],
            logger=record.name[:100],
            message=message[:4000],
            fields=fields,
        )

    def flush_to(self, db: Session) -> int:
        """Write the queued records, and the new counts of rows already written; return how
        many rows were added."""
        with self._guard:  # emit holds it too: counts do not move while they are read
            new = [self._queue.popleft() for _ in range(len(self._queue))]
            for entry in new:
                if "count" in entry.row.fields:
                    entry.row.fields = {**entry.row.fields, "count": entry.count}
                entry.written = entry.count
            recounted = [
                (e.id, e.count) for e in self._windows.values() if e.id and e.count > e.written
            ]
            for entry in self._windows.values():
                if entry.id:
                    entry.written = entry.count
        if new or recounted:
            with transaction(db):
                db.add_all(entry.row for entry in new)
                db.flush()
                for row_id, count in recounted:
                    row = db.get(KioskLog, row_id)
                    if row is not None:
                        row.fields = {**row.fields, "count": count}
            with self._guard:
                for entry in new:
                    entry.id = entry.row.id
        return len(new)


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
