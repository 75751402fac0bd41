"""What a job comes to when its worker died, when it cannot come out in time, or when it did.

A slip whose first byte may have left (`PrintJob.sending_at`) may be in the tray: it is never
sent again as if new. While the tenant may still be at the kiosk it is printed again marked
补打 (reprint); later it is left to staff as "may not have printed", never as "not printed in
time" (it may well have come out; a reprint by staff is marked too).
"""

from __future__ import annotations

from datetime import datetime

from kiosk.models import PrintJob, PrintStatus
from kiosk.services.printing import outbox
from printers import Confirmation, Delivery

CONFIRMED = frozenset({Confirmation.PROCESS_ID, Confirmation.STATUS})
DOUBT = "the kiosk stopped while this slip was being sent"


def may_be_out(job: PrintJob) -> bool:
    """Whether the attempt that holds the job had started sending the slip."""
    if job.sending_at is None:
        return False
    return job.claimed_at is None or job.sending_at >= job.claimed_at


def take_back(job: PrintJob, now: datetime, max_age_seconds: int) -> bool:
    """A job whose worker is gone: due again (True), marked 补打, or in doubt for staff."""
    doubtful = may_be_out(job)
    job.claimed_by, job.claimed_at = "", None
    if not doubtful:
        job.status = PrintStatus.PENDING
        return True
    job.reprint = True  # whatever prints next, it is not the first copy for sure
    if outbox.expired(job, now, max_age_seconds):
        job.status, job.last_error = PrintStatus.IN_DOUBT, f"{DOUBT}: it may not have printed"
        return False
    job.status, job.next_attempt_at = PrintStatus.PENDING, now
    job.last_error = f"{DOUBT}: printed again, marked 补打"
    return True


def give_up_in_time(job: PrintJob, error: str = "") -> None:
    """Too late for the tenant: expired if nothing ever left, else in doubt."""
    if job.sending_at is None:
        job.status = PrintStatus.EXPIRED
        job.last_error = error or "not printed in time"
    else:
        job.status = PrintStatus.IN_DOUBT
        job.last_error = error or "not printed in time; part or all of it may have come out"
    job.claimed_by, job.claimed_at = "", None


def seconds_left(job: PrintJob, now: datetime, max_age_seconds: int) -> float | None:
    """Seconds in which a tenant's slip must be out; None for a slip that never expires."""
    if job.kind not in outbox.TENANT_SLIPS or job.staff_id is not None:
        return None
    return max_age_seconds - (now - job.created_at).total_seconds()


def delivered(job: PrintJob, delivery: Delivery, now: datetime) -> None:
    """The printer took the slip: printed if it confirmed, else sent, not confirmed."""
    confirmed = delivery.confirmation in CONFIRMED
    job.status = PrintStatus.PRINTED if confirmed else PrintStatus.SENT
    job.confirmation = str(delivery.confirmation)
    job.sent_at, job.last_error = now, ""
    job.attempts += 1
