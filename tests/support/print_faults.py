"""Counting what came out of the fake printer for each appeal, for the printing fault test.

An appeal's slip is *whole* when its bytes up to a cut decode to text with its reference and
the QR code (the last thing on it); a copy is *marked* when it says 补打. Per appeal, one of:
printed once, once plus marked copies, marked copies only (the first copy never came out
whole), or nothing whole and shown to staff. Anything else is a failure: two unmarked copies,
nothing and not shown to staff, a slip out after its maximum age, or a screen that said
"printed" before a whole slip was out.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import PrintJob, PrintStatus
from kiosk.services import printing
from tests.support.escpos_decoder import decode
from tests.support.fake_printer import Slip

FINAL = (
    PrintStatus.PRINTED,
    PrintStatus.SENT,
    PrintStatus.FAILED,
    PrintStatus.EXPIRED,
    PrintStatus.IN_DOUBT,
    PrintStatus.CANCELLED,
)


@dataclass
class Counts:
    """One fault's outcome, appeal by appeal."""

    fault: str
    submitted: int = 0
    once: int = 0
    once_plus_marked: int = 0
    marked_only: int = 0
    shown_to_staff: int = 0
    twice: int = 0
    lost: int = 0
    late: int = 0
    said_printed_early: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the closing note."""
        return (
            f"{self.fault}: {self.submitted} submitted; printed once {self.once}, once + 补打 "
            f"{self.once_plus_marked}, 补打 copy only {self.marked_only}, shown to staff as not "
            f"printed {self.shown_to_staff}; two unmarked {self.twice}, lost {self.lost}, "
            f"out after max age {self.late}, screen said printed too early "
            f"{self.said_printed_early}"
        )

    def report(self) -> None:
        """Print the line, and append it to $PRINT_FAULT_COUNTS when that is set."""
        print(self.line())
        path = os.environ.get("PRINT_FAULT_COUNTS")
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(self.line() + "\n")


def whole_copies(slips: list[Slip], reference: str) -> list[tuple[Slip, bool]]:
    """The whole copies of one appeal's slip that came out, each with whether it says 补打."""
    found = []
    for slip in slips:
        if not slip.cut or reference.encode() not in slip.data:
            continue
        try:
            decoded = decode(slip.data)
        except ValueError:
            continue  # a torn piece that does not even decode
        if reference in decoded.text and decoded.qr_payloads:
            found.append((slip, "补打" in decoded.text))
    return found


def screen_check(
    db: Session, out: Callable[[], list[Slip]], references: list[str], counts: Counts
) -> None:
    """Every appeal whose screen says "printed" must have a whole slip out already."""
    said = [
        reference
        for reference in references
        if printing.tenant_state(printing.latest_job(db, "appeal_slip", reference)) == "printed"
    ]
    slips = out()  # after reading the screens: a slip cut since then is not "too early"
    for reference in said:
        if not whole_copies(slips, reference):
            counts.said_printed_early += 1
            counts.problems.append(f"{reference}: screen said printed, no whole slip out")


def all_final(db: Session, references: list[str]) -> bool:
    """Whether every appeal's latest job has come to rest."""
    for reference in references:
        job = printing.latest_job(db, "appeal_slip", reference)
        if job is None or job.status not in FINAL:
            return False
    return True


def classify(
    db: Session, slips: list[Slip], references: list[str], max_age: int, counts: Counts
) -> Counts:
    """Sort each appeal into one outcome; the failures are listed in `counts.problems`."""
    counts.submitted = len(references)
    for reference in references:
        jobs = list(
            db.scalars(
                select(PrintJob)
                .where(PrintJob.kind == "appeal_slip", PrintJob.subject == reference)
                .order_by(PrintJob.id)
            )
        )
        created = jobs[0].created_at
        copies = whole_copies(slips, reference)
        unmarked = sum(1 for _, marked in copies if not marked)
        marked = len(copies) - unmarked
        for slip, _ in copies:
            if _when(slip) > created + timedelta(seconds=max_age):
                counts.late += 1
                counts.problems.append(f"{reference}: out after its maximum age")
        shown = printing.slip_problem(db, "appeal_slip", reference) is not None
        if unmarked > 1:
            counts.twice += 1
            counts.problems.append(f"{reference}: {unmarked} unmarked copies")
        elif unmarked == 1:
            if marked:
                counts.once_plus_marked += 1
            else:
                counts.once += 1
        elif marked:
            counts.marked_only += 1
        elif shown:
            counts.shown_to_staff += 1
        else:
            counts.lost += 1
            statuses = [job.status.value for job in jobs]
            counts.problems.append(f"{reference}: nothing out, not shown to staff {statuses}")
    return counts


def _when(slip: Slip) -> datetime:
    from datetime import UTC

    return datetime.fromtimestamp(slip.out_at, UTC)
