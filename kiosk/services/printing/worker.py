"""The print worker: sends this kiosk's jobs, one at a time, in a background thread.

A job is claimed with a lease (who, since when); just before its first byte leaves,
`sending_at` is committed; it is marked printed only when the printer confirmed after the cut
(sent, not confirmed, for a printer that cannot). A job whose worker died is taken back — at
once when that worker was a process on this host, otherwise when the lease runs out — and if
it died after `sending_at` the slip may have come out: it is never sent again unmarked (see
`recovery`). Several serve processes may share one database: on PostgreSQL they claim with
FOR UPDATE SKIP LOCKED, on SQLite the write lock taken up front serialises them.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.models import PrintJob, PrintStatus
from kiosk.services.printing import outbox, recovery, state
from printers import (
    Delivery,
    PrinterError,
    PrinterState,
    PrinterTooSlow,
    PrinterUnavailable,
    Receipt,
    ReceiptPrinter,
    open_receipt_printer,
)

log = logging.getLogger(__name__)
POLL_INTERVAL = 2.0  # seconds between looks at the outbox when nobody wakes the worker
HOLD = timedelta(seconds=10)  # a printer reporting a fault is asked again this much later
FINISH_TRIES = 5  # times an outcome is written again while the database is busy

PrinterFactory = Callable[[str, float], ReceiptPrinter]


def _open_printer(url: str, timeout: float) -> ReceiptPrinter:
    return open_receipt_printer(url, timeout=timeout)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


class PrintWorker:
    """Sends this kiosk's receipt jobs and keeps the printer's state for staff and the screen."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        printer_factory: PrinterFactory = _open_printer,
    ) -> None:
        self._factory = factory
        self._settings = settings
        self._printer_factory = printer_factory
        self._printer = printer_factory(settings.receipt_printer, settings.printer_timeout)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_poll = float("-inf")

    def use_settings(self, settings: Settings) -> None:
        """Take up new settings (a printer URL pushed centrally): the next job uses them."""
        self._printer = self._printer_factory(settings.receipt_printer, settings.printer_timeout)
        self._settings = settings
        self._last_poll = float("-inf")

    def start(self) -> None:
        """Take back jobs a dead process left in flight, then start the thread."""
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
        """Put back jobs claimed by processes of this host that are no longer running."""
        host = socket.gethostname()
        taken = 0
        with self._factory() as db, transaction(db):
            held = select(PrintJob).where(
                PrintJob.kiosk_id == self._settings.id,
                PrintJob.status == PrintStatus.PRINTING,
                PrintJob.claimed_by.startswith(f"{host}:"),
            )
            for job in db.scalars(held):
                pid = job.claimed_by.split(":")[1]
                if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                    recovery.take_back(job, utcnow(), self._settings.slip_max_age_seconds)
                    taken += 1
        return taken

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
                if time.monotonic() - self._last_poll >= self._settings.printer_poll_seconds:
                    self.poll_status()
            except OperationalError:
                log.warning("print outbox unavailable (database busy); will try again")
            except Exception:
                log.exception("print worker error")
            self._wake.wait(POLL_INTERVAL)
            self._wake.clear()

    def poll_status(self) -> str:
        """Ask the printer how it is and record the answer; returns the state."""
        self._last_poll = time.monotonic()
        status = self._printer.status()  # never raises
        with self._factory() as db, transaction(db):
            state.record(
                db,
                kiosk_id=self._settings.id,
                printer="receipt",
                url=str(self._printer.url),
                state=str(status.state),
                detail=status.detail,
            )
        return str(status.state)

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
        abandoned = now - timedelta(seconds=self._settings.print_lease_seconds)
        with self._factory() as db, transaction(db):
            due = (
                select(PrintJob)
                .where(
                    PrintJob.kiosk_id == self._settings.id,
                    PrintJob.printer == "receipt",
                    or_(
                        and_(
                            PrintJob.status == PrintStatus.PENDING, PrintJob.next_attempt_at <= now
                        ),
                        and_(
                            PrintJob.status == PrintStatus.PRINTING,
                            or_(PrintJob.claimed_at.is_(None), PrintJob.claimed_at < abandoned),
                        ),
                    ),
                )
                .order_by(PrintJob.id)
                .limit(20)
            )
            if db.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            for job in db.scalars(due):
                max_age = self._settings.slip_max_age_seconds
                if job.status is PrintStatus.PRINTING and not recovery.take_back(
                    job, now, max_age
                ):  # its worker's lease ran out after it had started sending: in doubt
                    continue
                if outbox.expired(job, now, max_age):
                    recovery.give_up_in_time(job)
                    continue
                job.status, job.claimed_by, job.claimed_at = (
                    PrintStatus.PRINTING,
                    self.worker_id,
                    now,
                )
                return job.id
        return None

    def _send(self, job_id: int) -> None:
        with self._factory() as db:
            job = db.get(PrintJob, job_id)
            assert job is not None
            receipt, reprint = Receipt.from_dict(job.document), job.reprint
            within = recovery.seconds_left(job, utcnow(), self._settings.slip_max_age_seconds)
            row = state.get(db, self._settings.id)
            rate = row.rate if row is not None else None
        outcome = Outcome()
        try:
            outcome.delivery = self._printer.print_receipt(
                receipt,
                reprint=reprint,
                within=within,
                rate=rate,
                on_send=lambda: self._sending(job_id),
            )
        except PrinterTooSlow as exc:
            outcome.error, outcome.too_slow, outcome.partial = str(exc), True, exc.partial
            log.warning("print job %s not started or given up: %s", job_id, exc)
        except PrinterUnavailable as exc:
            outcome.error, outcome.fault = str(exc) or type(exc).__name__, exc.state
            outcome.partial = exc.partial
            log.warning("print job %s not printed: %s", job_id, outcome.error)
        except PrinterError as exc:
            outcome.error = str(exc) or type(exc).__name__
            log.warning("print job %s failed: %s", job_id, outcome.error)
        except OperationalError:
            outcome.error = "database busy before sending"  # nothing was sent: try again
            log.warning("print job %s: database busy before sending", job_id)
        except Exception as exc:  # a bug must not loop forever on one job
            log.exception("print job %s crashed", job_id)
            outcome.error = f"internal error: {type(exc).__name__}"
        self._finish_retrying(job_id, outcome)

    def _sending(self, job_id: int) -> None:
        """Commit that the slip starts to leave (called by the driver before its first byte)."""
        with self._factory() as db, transaction(db):
            db.execute(
                update(PrintJob)
                .where(PrintJob.id == job_id, PrintJob.claimed_by == self.worker_id)
                .values(sending_at=utcnow())
            )

    def _finish_retrying(self, job_id: int, outcome: Outcome) -> None:
        """Record the outcome; a busy database is waited for: a printed slip must be known."""
        for attempt in range(FINISH_TRIES):
            try:
                self._finish(job_id, outcome)
                return
            except OperationalError:
                if attempt == FINISH_TRIES - 1:
                    raise
                log.warning("print job %s: database busy, recording the outcome again", job_id)
                time.sleep(1.0)

    def _finish(self, job_id: int, outcome: Outcome) -> None:
        now = utcnow()
        settings = self._settings
        with self._factory() as db, transaction(db):
            job = db.get(PrintJob, job_id)
            assert job is not None
            if job.claimed_by != self.worker_id:
                return  # our lease ran out and another worker has it now
            url = str(self._printer.url)
            if outcome.delivery is not None:
                recovery.delivered(job, outcome.delivery, now)
                state.mark_working(db, settings.id, "receipt")
                state.record_rate(db, settings.id, "receipt", url, outcome.delivery.rate)
                seen = self._printer.last_status  # what the job's own status query said
                if seen is not None:
                    state.record(
                        db, kiosk_id=settings.id, printer="receipt", url=url,
                        state=str(seen.state), detail=seen.detail, now=now,
                    )  # fmt: skip
                return
            error, fault = outcome.error, outcome.fault
            if outcome.partial:
                job.reprint = True  # part of it may be out: the next copy says 补打
            if outcome.too_slow:
                recovery.give_up_in_time(job, error)
                return
            if fault is not None and str(fault) in state.DOWN:
                # The printer says why (paper out, cover open, not answering): wait for it
                # rather than use up the tries; staff see the fault, a tenant's slip expires.
                job.status, job.last_error, job.next_attempt_at = (
                    PrintStatus.PENDING,
                    error,
                    now + HOLD,
                )
            else:
                job.attempts += 1
                if job.attempts >= settings.print_retry_limit or error.startswith("internal"):
                    job.status, job.last_error = PrintStatus.FAILED, error
                else:
                    job.status, job.last_error = PrintStatus.PENDING, error
                    job.next_attempt_at = now + outbox.backoff(job.attempts)
            if error.startswith("database"):
                return  # not the printer's fault
            state.record(
                db,
                kiosk_id=settings.id,
                printer="receipt",
                url=url,
                state=str(fault) if fault else (
                    "unknown" if error.startswith("internal") else "offline"
                ),
                detail=error,
                error=error,
                now=now,
            )  # fmt: skip


@dataclass
class Outcome:
    """What one attempt at a job came to."""

    delivery: Delivery | None = None
    error: str = ""
    fault: PrinterState | None = None
    partial: bool = False  # some bytes had left: part of the slip may be out
    too_slow: bool = False  # not (all) sent: it could not have come out in time
