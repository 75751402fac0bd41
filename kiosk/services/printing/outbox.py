"""The print outbox: jobs as durable rows, what the tenant is told, and what staff may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import PrintJob, PrintStatus
from kiosk.services import audit
from kiosk.services.audit import Actor

# Slips handed to a person standing at the kiosk: printing one minutes later would leave a
# stranger's slip (with its tracking QR, or an application's pickup code) in the tray, so unless
# staff asked for it, it expires. Every task's slip is `<task>_slip`.
TENANT_SLIPS = frozenset(
    {
        "appeal_slip",
        "register_slip",
        "address_slip",
        "union_slip",
        "tax_slip",
        "invoice_slip",
        "claim_slip",
        "event_slip",
        "policy_sheet",
    }
)
MAX_BACKOFF = 60.0  # seconds
WAITING = (PrintStatus.PENDING, PrintStatus.PRINTING)
NOT_PRINTED = (PrintStatus.FAILED, PrintStatus.EXPIRED, PrintStatus.IN_DOUBT)
# sent to a paper printer that cannot confirm: not known to have printed
UNCONFIRMED = and_(PrintJob.status == PrintStatus.SENT, PrintJob.confirmation != "simulated")


def enqueue(
    db: Session,
    *,
    kiosk_id: str,
    kind: str,
    subject: str,
    document: dict[str, Any],
    reprint: bool = False,
    printer: str = "receipt",
    staff_id: int | None = None,
) -> PrintJob:
    """Add a job to the outbox, in the caller's transaction."""
    job = PrintJob(
        kiosk_id=kiosk_id,
        printer=printer,
        kind=kind,
        subject=subject,
        document=document,
        reprint=reprint,
        staff_id=staff_id,
    )
    db.add(job)
    db.flush()
    return job


def latest_job(db: Session, kind: str, subject: str) -> PrintJob | None:
    """The most recent job printing `subject` (e.g. an appeal's slip)."""
    query = (
        select(PrintJob)
        .where(PrintJob.kind == kind, PrintJob.subject == subject)
        .order_by(PrintJob.id.desc())
        .limit(1)
    )
    return db.scalar(query)


def tenant_state(job: PrintJob | None) -> str:
    """What to tell the person waiting (one of `TENANT_STATES`).

    "printed" only when the printer confirmed after the cut; "unconfirmed" when it took every
    byte but cannot say more; "no_printer" when there is no paper printer (dummy://).
    "retrying": an attempt broke off half-way and the slip is being printed again whole,
    marked 补打. A job still waiting after any other failed try counts as failed for the
    tenant: it may yet print, but nobody should stand at the screen waiting for it.
    """
    if job is None:
        return "failed"
    if job.status is PrintStatus.PRINTED:
        return "printed"
    if job.status is PrintStatus.SENT:
        return "no_printer" if job.confirmation == "simulated" else "unconfirmed"
    if job.status in WAITING and job.last_error and job.reprint and job.staff_id is None:
        return "retrying"
    if job.status is PrintStatus.PRINTING or (
        job.status is PrintStatus.PENDING and not job.last_error
    ):
        return "printing"
    return "failed"


TENANT_STATES = ("printing", "retrying", "printed", "unconfirmed", "no_printer", "failed")


TENANT_RETRIES = 2  # "print again" taps a tenant gets after the first slip failed


@dataclass(frozen=True)
class SlipStatus:
    """What the confirmation page says about the tenant's slip."""

    state: str  # one of TENANT_STATES
    printer_down: bool
    can_retry: bool


def slip_status(db: Session, kiosk_id: str, kind: str, subject: str) -> SlipStatus:
    """The slip's state for the person at the screen, and whether "print again" is offered."""
    from kiosk.services.printing import state

    job = latest_job(db, kind, subject)
    down = state.is_down(state.get(db, kiosk_id))
    shown = tenant_state(job)
    if down and shown in ("printing", "retrying"):
        shown = "failed"  # the printer is known to be down: nobody should wait for it
    tries = db.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(PrintJob.kind == kind, PrintJob.subject == subject)
    )
    can_retry = (
        shown == "failed" and not down and job is not None and (tries or 0) <= TENANT_RETRIES
    )
    return SlipStatus(shown, down, can_retry)


def print_again(db: Session, kiosk_id: str, kind: str, subject: str) -> PrintJob:
    """The tenant taps "print again" after a failed slip: a fresh copy replaces the old job."""
    with transaction(db):
        if not slip_status(db, kiosk_id, kind, subject).can_retry:
            raise Conflict(_l("The slip cannot be printed again now."))
        old = latest_job(db, kind, subject)
        assert old is not None
        if old.status in (*WAITING, *NOT_PRINTED):
            old.status = PrintStatus.CANCELLED  # never two copies of one slip
        return enqueue(
            db,
            kiosk_id=kiosk_id,
            kind=kind,
            subject=subject,
            document=old.document,
            printer=old.printer,
            reprint=old.reprint or old.sending_at is not None,  # part of it may be out
        )


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 2, 4, 8 … seconds, at most a minute."""
    return timedelta(seconds=min(2.0**attempts, MAX_BACKOFF))


def expired(job: PrintJob, now: Any, max_age_seconds: int) -> bool:
    """Whether a tenant's slip is too old to hand over (staff-requested prints never are)."""
    if job.kind not in TENANT_SLIPS or job.staff_id is not None:
        return False
    return bool((now - job.created_at).total_seconds() > max_age_seconds)


def recent_jobs(
    db: Session, *, kiosk_id: str | None = None, status: PrintStatus | None = None, limit: int = 50
) -> list[PrintJob]:
    """The newest jobs, optionally for one kiosk or in one state."""
    query = select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)
    if kiosk_id is not None:
        query = query.where(PrintJob.kiosk_id == kiosk_id)
    if status is not None:
        query = query.where(PrintJob.status == status)
    return list(db.scalars(query))


def get_job(db: Session, job_id: int) -> PrintJob:
    """One job, or NotFound."""
    job = db.get(PrintJob, job_id)
    if job is None:
        raise NotFound()
    return job


def retry_job(db: Session, job_id: int, actor: Actor) -> PrintJob:
    """Staff send a failed, expired or cancelled job to the printer again."""
    with transaction(db):
        job = _locked(db, job_id)
        if job.status not in (*NOT_PRINTED, PrintStatus.CANCELLED):
            raise Conflict(_l("Only a job that did not print can be tried again."))
        if job.sending_at is not None:
            job.reprint = True  # it may have come out, in part or whole: mark the copy
        job.status, job.attempts, job.last_error = PrintStatus.PENDING, 0, ""
        job.next_attempt_at, job.claimed_by, job.claimed_at = utcnow(), "", None
        job.staff_id = actor.staff_id  # staff asked for it now: it no longer expires
        audit.record(db, actor, "print_job.retry", "print_job", str(job.id), subject=job.subject)
    return job


def cancel_job(db: Session, job_id: int, actor: Actor) -> PrintJob:
    """Staff take a waiting or failed job out of the queue."""
    with transaction(db):
        job = _locked(db, job_id)
        if job.status not in (PrintStatus.PENDING, *NOT_PRINTED):
            raise Conflict(_l("Only a job that is waiting or failed can be cancelled."))
        job.status = PrintStatus.CANCELLED
        audit.record(db, actor, "print_job.cancel", "print_job", str(job.id), subject=job.subject)
    return job


def reprint_job(db: Session, job_id: int, actor: Actor) -> PrintJob:
    """Staff print a copy of a job on the same kiosk; the paper says 补打 (reprint)."""
    with transaction(db):
        original = get_job(db, job_id)
        copy = enqueue(
            db,
            kiosk_id=original.kiosk_id,
            kind=original.kind,
            subject=original.subject,
            document=original.document,
            reprint=True,
            printer=original.printer,
            staff_id=actor.staff_id,
        )
        audit.record(
            db, actor, "print_job.reprint", "print_job", str(copy.id),
            original=original.id, subject=original.subject,
        )  # fmt: skip
    return copy


def _locked(db: Session, job_id: int) -> PrintJob:
    job = db.get(PrintJob, job_id, with_for_update=True, populate_existing=True)
    if job is None:
        raise NotFound()
    return job
