"""What each kiosk's printers last said about themselves (paper, cover, reachable)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import utcnow
from kiosk.models import PrinterState

# States in which nothing can be printed; "unknown" is not one of them (many printers never
# answer a status query) and neither is "paper_near_end" (it still prints, staff are warned).
DOWN = frozenset({"paper_out", "cover_open", "offline"})
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
    row = db.get(PrinterState, (kiosk_id, printer))
    if row is None:
        row = PrinterState(kiosk_id=kiosk_id, printer=printer)
        db.add(row)
    row.url, row.state, row.detail, row.checked_at = url, state, detail, now
    if error is not None:
        row.last_error, row.last_error_at = error, now
    return row


def mark_working(db: Session, kiosk_id: str, printer: str) -> None:
    """A job printed: the last error is history, and a "down" state is out of date."""
    row = db.get(PrinterState, (kiosk_id, printer))
    if row is None:
        return
    row.last_error = ""
    if row.state in DOWN:
        row.state, row.detail, row.checked_at = "unknown", "", utcnow()


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
