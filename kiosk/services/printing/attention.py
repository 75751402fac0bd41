"""What staff must see: slips that did not print, or are not known to have, until looked at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import PrintJob, PrintStatus
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.printing.outbox import NOT_PRINTED, UNCONFIRMED, WAITING, latest_job


@dataclass(frozen=True)
class JobCounts:
    """A kiosk's jobs waiting, and those staff have not looked at that did not print."""

    waiting: int
    failed: int
    expired: int = 0
    in_doubt: int = 0
    unconfirmed: int = 0

    @property
    def unseen(self) -> int:
        """Jobs that did not (or may not have, or cannot be known to have) printed."""
        return self.failed + self.expired + self.in_doubt + self.unconfirmed


def job_counts(db: Session, kiosk_id: str) -> JobCounts:
    """Waiting jobs, and the not-printed ones nobody has acknowledged yet, for one kiosk."""
    unseen = PrintJob.acknowledged_at.is_(None)
    row = db.execute(
        select(
            func.count().filter(PrintJob.status.in_(WAITING)),
            *(
                func.count().filter(unseen, PrintJob.status == status)
                for status in (PrintStatus.FAILED, PrintStatus.EXPIRED, PrintStatus.IN_DOUBT)
            ),
            func.count().filter(unseen, UNCONFIRMED),
        ).where(PrintJob.kiosk_id == kiosk_id)
    ).one()
    return JobCounts(*(int(value or 0) for value in row))


def unseen_problems(db: Session, kiosk_ids: list[str] | None = None) -> int:
    """Jobs that did not print, or are not known to have, that no one has acknowledged."""
    query = select(func.count()).select_from(PrintJob).where(*_unseen())
    if kiosk_ids is not None:
        query = query.where(PrintJob.kiosk_id.in_(kiosk_ids))
    return int(db.scalar(query) or 0)


def acknowledge(db: Session, actor: Actor, kiosk_ids: list[str] | None = None) -> int:
    """Staff have looked at every job that did not print: the banner goes until the next."""
    with transaction(db):
        query = update(PrintJob).where(*_unseen()).values(acknowledged_at=utcnow())
        if kiosk_ids is not None:
            query = query.where(PrintJob.kiosk_id.in_(kiosk_ids))
        result = db.execute(query.execution_options(synchronize_session=False))
        count = int(getattr(result, "rowcount", 0) or 0)
        audit.record(db, actor, "print_job.acknowledge", "print_job", "", count=count)
    return count


def slip_problem(db: Session, kind: str, subject: str) -> PrintJob | None:
    """The latest job printing `subject` if it did not print (or is not known to have)."""
    job = latest_job(db, kind, subject)
    if job is None:
        return None
    if job.status in NOT_PRINTED or (
        job.status is PrintStatus.SENT and job.confirmation != "simulated"
    ):
        return job
    return None


def _unseen() -> tuple[Any, ...]:
    return (
        PrintJob.acknowledged_at.is_(None),
        or_(PrintJob.status.in_(NOT_PRINTED), UNCONFIRMED),
    )
