"""A terminal's outbox of submissions: written in the transaction that takes the submission,
handed to the central in order, each once, and forgotten once the central has it.

The services that take an appeal, an application or a sign-up are the embedded kiosk's own;
an edge terminal adds one thing, in `capture`: whenever such a row is first flushed, an outbox
row with the same content is inserted on the same connection, so both commit (or neither)
with the tenant's slip. The idempotency key is the submission's own key (the one that makes a
double tap harmless), so a row sent twice — a kill -9 between the central's answer and our
commit — is stored once by the central, which answers with what it already has.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk.db import transaction, utcnow
from kiosk.models import Appeal, Application, EdgeOutbox, EventSignup, PrintJob, PrintStatus

KINDS: dict[type[Any], str] = {Appeal: "appeal", Application: "application", EventSignup: "signup"}
MODELS = {kind: model for model, kind in KINDS.items()}
BACKOFF_FIRST, BACKOFF_MOST = 1.0, 300.0  # seconds between tries of a refused submission
PARK_SECONDS = 3600.0  # a submission the central refused outright waits this long to be tried


def plain(value: Any) -> Any:
    """A column value as JSON: times and dates in ISO 8601, decimals as text, enums by value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def payload(row: Any) -> dict[str, Any]:
    """Every column of a submission but its local id."""
    mapper = inspect(type(row))
    return {
        attr.key: plain(getattr(row, attr.key)) for attr in mapper.column_attrs if attr.key != "id"
    }


def _after_flush(session: Session, _context: Any) -> None:
    rows = [obj for obj in session.new if type(obj) in KINDS]
    if not rows:
        return
    session.connection().execute(
        insert(EdgeOutbox),
        [
            {
                "idempotency_key": row.submission_key,
                "kind": KINDS[type(row)],
                "reference": row.reference,
                "payload": payload(row),
                "created_at": utcnow(),
                "attempts": 0,
                "last_error": "",
                "answer": {},
            }
            for row in rows
        ],
    )


def capture(factory: sessionmaker[Session]) -> None:
    """Make every session of `factory` queue each new submission in its own transaction."""
    event.listen(factory, "after_flush", _after_flush)


def depth(db: Session) -> int:
    """How many submissions the central does not have yet."""
    return db.scalar(select(func.count()).where(EdgeOutbox.acked_at.is_(None))) or 0


def due(db: Session, now: datetime, limit: int = 50) -> list[EdgeOutbox]:
    """The oldest submissions not yet handed over, in the order they were taken."""
    query = (
        select(EdgeOutbox)
        .where(EdgeOutbox.acked_at.is_(None))
        .where((EdgeOutbox.next_attempt_at.is_(None)) | (EdgeOutbox.next_attempt_at <= now))
        .order_by(EdgeOutbox.id)
        .limit(limit)
    )
    return list(db.scalars(query))


def acknowledge(db: Session, row_id: int, answer: dict[str, Any], now: datetime) -> None:
    """The central has it: keep its answer, forget the content we sent."""
    with transaction(db):
        db.execute(
            update(EdgeOutbox)
            .where(EdgeOutbox.id == row_id)
            .values(acked_at=now, answer=answer, payload={}, last_error="")
        )


def acknowledge_many(db: Session, stored: dict[str, dict[str, Any]], now: datetime) -> None:
    """The central has these (idempotency key → what it stored), in one transaction."""
    if not stored:
        return
    with transaction(db):
        for key, answer in stored.items():
            db.execute(
                update(EdgeOutbox)
                .where(EdgeOutbox.idempotency_key == key)
                .values(acked_at=now, answer=answer, payload={}, last_error="")
            )


def refused(db: Session, row: EdgeOutbox, error: str, now: datetime, *, park: bool) -> None:
    """A try that failed: back off (longer each time), or park it when the central refused it."""
    attempts = row.attempts + 1
    wait = PARK_SECONDS if park else min(BACKOFF_MOST, BACKOFF_FIRST * 2 ** (attempts - 1))
    with transaction(db):
        db.execute(
            update(EdgeOutbox)
            .where(EdgeOutbox.id == row.id)
            .values(
                attempts=attempts,
                last_error=error[:500],
                next_attempt_at=now + timedelta(seconds=wait),
            )
        )


def forget_delivered(db: Session, keep_seconds: float, now: datetime | None = None) -> int:
    """Delete what this terminal still holds of submissions the central has had for longer than
    a slip may be reprinted (`keep_seconds`): the record, its history, its finished slips."""
    cutoff = (now or utcnow()) - timedelta(seconds=keep_seconds)
    done = list(
        db.execute(
            select(EdgeOutbox.id, EdgeOutbox.kind, EdgeOutbox.reference).where(
                EdgeOutbox.acked_at.is_not(None),
                EdgeOutbox.acked_at <= cutoff,
                EdgeOutbox.created_at <= cutoff,
            )
        )
    )
    if not done:
        return 0
    finished = (PrintStatus.PENDING, PrintStatus.PRINTING)
    with transaction(db):
        for _row_id, kind, reference in done:
            model = MODELS[kind]
            for record in db.scalars(select(model).where(model.reference == reference)):
                db.delete(record)  # its history goes with it (cascade)
            db.execute(
                delete(PrintJob).where(
                    PrintJob.subject == reference, PrintJob.status.not_in(finished)
                )
            )
        db.execute(delete(EdgeOutbox).where(EdgeOutbox.id.in_([row_id for row_id, *_ in done])))
    return len(done)
