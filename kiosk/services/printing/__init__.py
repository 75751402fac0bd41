"""Printing: the outbox (jobs as rows), the worker that sends them, and printers' state.

A tenant never waits for a printer: a print is a `PrintJob` written in the same transaction as
the thing it prints; only the worker talks to a printer.
"""

from kiosk.services.printing.attention import (
    JobCounts,
    acknowledge,
    job_counts,
    slip_problem,
    unseen_problems,
)
from kiosk.services.printing.outbox import (
    TENANT_SLIPS,
    TENANT_STATES,
    SlipStatus,
    backoff,
    cancel_job,
    enqueue,
    expired,
    get_job,
    latest_job,
    print_again,
    recent_jobs,
    reprint_job,
    retry_job,
    slip_status,
    tenant_state,
)
from kiosk.services.printing.worker import PrintWorker

__all__ = [
    "TENANT_SLIPS",
    "TENANT_STATES",
    "JobCounts",
    "PrintWorker",
    "SlipStatus",
    "acknowledge",
    "backoff",
    "cancel_job",
    "enqueue",
    "expired",
    "get_job",
    "job_counts",
    "latest_job",
    "print_again",
    "recent_jobs",
    "reprint_job",
    "retry_job",
    "slip_problem",
    "slip_status",
    "tenant_state",
    "unseen_problems",
]
