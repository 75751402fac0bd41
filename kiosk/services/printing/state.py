"""What each kiosk's printers last said about themselves (paper, cover, reachable)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import PrinterState

# States in which nothing can be printed; "unknown" is not one of them (many printers never
# answer a status query) and neither is "paper_near_end" (it still prints, staff are warned).
DOWN = frozenset({"paper_out", "cover_open", "offline", "not_answering"})
RATE_WEIGHT = 0.7  # the newest speed measured counts this much against the kept one
FRESH = timedelta(minutes=2)  # an older reading says nothing about now


def record(
    db: Session,
    *,
    kiosk_id: str,
    printer: str,
    url: str,
    state: str,
    detail: str = "",
    error: str | None = None,
    now: datetime | None = None,
) -> PrinterState:
    """Store a printer's latest state (and the error, if a job just failed); caller commits."""
    now = now or utcnow()
    values: dict[str, object] = {"url": url, "state": state, "detail": detail, "checked_at": now}
    if error is not None:
        values |= {"last_error": error, "last_error_at": now}
    # One statement, so two workers recording the first reading at once cannot both insert.
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    db.execute(
        dialect.insert(PrinterState)
        .values(kiosk_id=kiosk_id, printer=printer, **values)
        .on_conflict_do_update(index_elements=["kiosk_id", "printer"], set_=values)
    )
    row = db.get(PrinterState, (kiosk_id, printer), populate_existing=True)
    assert row is not None
    return row


def mark_working(db: Session, kiosk_id: str, printer: str) -> None:
    """A job printed: the last error is history, and a "down" state is out of date."""
    row = db.get(PrinterState, (kiosk_id, printer))
    if row is None:
        return
    row.last_error = ""
    if row.state in DOWN:
        row.state, row.detail, row.checked_at = "unknown", "", utcnow()


def record_rate(db: Session, kiosk_id: str, printer: str, url: str, rate: float | None) -> None:
    """Keep the printer's measured speed (bytes per second), the newest reading weighing most."""
    if rate is None or rate <= 0:
        return
    row = db.get(PrinterState, (kiosk_id, printer)) or record(
        db, kiosk_id=kiosk_id, printer=printer, url=url, state="unknown"
    )
    row.rate = rate if row.rate is None else RATE_WEIGHT * rate + (1 - RATE_WEIGHT) * row.rate


def get(db: Session, kiosk_id: str, printer: str = "receipt") -> PrinterState | None:
    """One printer's latest state."""
    return db.get(PrinterState, (kiosk_id, printer))


def is_down(row: PrinterState | None, now: datetime | None = None) -> bool:
    """Whether the printer is known, recently, to be unable to print."""
    if row is None or row.state not in DOWN:
        return False
    return (now or utcnow()) - row.checked_at < FRESH


def all_states(db: Session) -> list[PrinterState]:
    """Every kiosk's printers, by kiosk then printer."""
    return list(
        db.scalars(select(PrinterState).order_by(PrinterState.kiosk_id, PrinterState.printer))
    )


def needs_attention(db: Session, kiosk_ids: list[str] | None = None) -> list[PrinterState]:
    """Printers staff should look at now: down, or with the paper about to run out."""
    rows = all_states(db)
    return [
        row
        for row in rows
        if (kiosk_ids is None or row.kiosk_id in kiosk_ids)
        and (is_down(row) or row.state == "paper_near_end")
    ]
