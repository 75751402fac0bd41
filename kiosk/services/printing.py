"""The print outbox and its worker: a print is a durable row first, bytes on paper second.

A tenant never waits for a printer. The request writes a `PrintJob` in the same transaction as
the thing it prints; a worker thread in the serve process sends it, retries with back-off, and
records the outcome. A job is marked sent only after every byte was written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.models import PrintJob, PrintStatus
from printers import PrinterError, Receipt, ReceiptPrinter, open_receipt_printer

log = logging.getLogger(__name__)

# Slips handed to a person standing at the kiosk: printing one minutes later would leave a
# stranger's slip (with its tracking QR) in the tray, so they expire instead.
TENANT_SLIPS = frozenset({"appeal_slip"})
POLL_INTERVAL = 2.0  # seconds between looks at the outbox when nobody wakes the worker
MAX_BACKOFF = 60.0  # seconds


def enqueue(
    db: Session,
    *,
    kiosk_id: str,
    kind: str,
    subject: str,
    document: dict[str, Any],
    reprint: bool = False,
) -> PrintJob:
    """Add a job to the outbox, in the caller's transaction."""
    job = PrintJob(
        kiosk_id=kiosk_id, kind=kind, subject=subject, document=document, reprint=reprint
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
    """What to tell the person waiting: "printing", "printed" or "failed"."""
    if job is None:
        return "failed"
    if job.status is PrintStatus.SENT:
        return "printed"
    if job.status is PrintStatus.PRINTING or (
        job.status is PrintStatus.PENDING and job.attempts == 0
    ):
        return "printing"
    return "failed"


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 2, 4, 8 … seconds, at most a minute."""
    return timedelta(seconds=min(2.0**attempts, MAX_BACKOFF))


PrinterFactory = Callable[[str, float], ReceiptPrinter]


def _open_printer(url: str, timeout: float) -> ReceiptPrinter:
    return open_receipt_printer(url, timeout=timeout)


class PrintWorker:
    """Sends this kiosk's print jobs, one at a time, in a background thread."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        printer_factory: PrinterFactory = _open_printer,
    ) -> None:
        self._factory = factory
        self._settings = settings
        self._printer = printer_factory(settings.receipt_printer, settings.printer_timeout)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Recover jobs a crash left in flight, then start the thread."""
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="print-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current job."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look at the outbox now (a job was just added)."""
        self._wake.set()

    def recover(self) -> int:
        """Put back jobs this kiosk was printing when it stopped; they print again."""
        with self._factory() as db, transaction(db):
            result = db.execute(
                update(PrintJob)
                .where(
                    PrintJob.kiosk_id == self._settings.id, PrintJob.status == PrintStatus.PRINTING
                )
                .values(status=PrintStatus.PENDING)
            )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except OperationalError:
                log.warning("print outbox unavailable (database busy); will try again")
            except Exception:
                log.exception("print worker error")
            self._wake.wait(POLL_INTERVAL)
            self._wake.clear()

    def run_once(self, now: datetime | None = None) -> int:
        """Send every job that is due; return how many were tried."""
        tried = 0
        while not self._stop.is_set():
            job_id = self._claim(now or utcnow())
            if job_id is None:
                return tried
            self._send(job_id)
            tried += 1
        return tried

    def _claim(self, now: datetime) -> int | None:
        with self._factory() as db, transaction(db):
            due = select(PrintJob).where(
                PrintJob.kiosk_id == self._settings.id,
                PrintJob.status == PrintStatus.PENDING,
                PrintJob.next_attempt_at <= now,
            )
            for job in db.scalars(due.order_by(PrintJob.id).limit(20)):
                age = (now - job.created_at).total_seconds()
                if job.kind in TENANT_SLIPS and age > self._settings.slip_max_age_seconds:
                    job.status = PrintStatus.EXPIRED
                    job.last_error = job.last_error or "not printed in time"
                    continue
                claimed = db.execute(
                    update(PrintJob)
                    .where(PrintJob.id == job.id, PrintJob.status == PrintStatus.PENDING)
                    .values(status=PrintStatus.PRINTING)
                )
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    return job.id
        return None

    def _send(self, job_id: int) -> None:
        with self._factory() as db:
            job = db.get(PrintJob, job_id)
            assert job is not None
            receipt, reprint = Receipt.from_dict(job.document), job.reprint
        error = ""
        try:
            self._printer.print_receipt(receipt, reprint=reprint)
        except PrinterError as exc:
            error = str(exc) or type(exc).__name__
            log.warning("print job %s failed: %s", job_id, error)
        except Exception as exc:  # a bug must not loop forever on one job
            log.exception("print job %s crashed", job_id)
            error = f"internal error: {type(exc).__name__}"
        self._finish(job_id, error)

    def _finish(self, job_id: int, error: str) -> None:
        with self._factory() as db, transaction(db):
            job = db.get(PrintJob, job_id)
            assert job is not None
            job.attempts += 1
            if not error:
                job.status, job.sent_at, job.last_error = PrintStatus.SENT, utcnow(), ""
            elif job.attempts >= self._settings.print_retry_limit or error.startswith("internal"):
                job.status, job.last_error = PrintStatus.FAILED, error
            else:
                job.status, job.last_error = PrintStatus.PENDING, error
                job.next_attempt_at = utcnow() + backoff(job.attempts)
