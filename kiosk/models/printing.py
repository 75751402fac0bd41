"""The print outbox: a print is a durable row before it is bytes on a printer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db import utcnow
from kiosk.models.base import Base, Timestamped


class PrintStatus(enum.StrEnum):
    """Where a print job is."""

    PENDING = "pending"  # waiting for the worker (first try or a retry)
    PRINTING = "printing"  # claimed by a worker; bytes may be on their way
    PRINTED = "printed"  # the printer said so after the cut (see `PrintJob.confirmation`)
    SENT = "sent"  # every byte was taken, but the printer cannot confirm: sent, not confirmed
    IN_DOUBT = "in_doubt"  # its worker died while sending, too late to reprint: staff decide
    FAILED = "failed"  # parked after too many failures; staff may retry or cancel
    EXPIRED = "expired"  # too late to hand to the tenant; parked so a stranger never finds it
    CANCELLED = "cancelled"


class PrintJob(Timestamped, Base):
    """One item in the print outbox."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_kiosk_status", "kiosk_id", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    printer: Mapped[str] = mapped_column(String(20), default="receipt")
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "appeal_slip"
    subject: Mapped[str] = mapped_column(String(40), default="")  # e.g. the appeal's reference
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    reprint: Mapped[bool] = mapped_column(default=False)
    status: Mapped[PrintStatus] = mapped_column(
        Enum(
            PrintStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=PrintStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    # How the printer confirmed it ("process_id", "status"), or "none" (sent, not confirmed)
    # or "simulated" (no paper printer): printers.Confirmation.
    confirmation: Mapped[str] = mapped_column(String(20), default="")
    # Set just before the slip's first byte leaves: a job whose worker died after this may
    # have come out, so it is never sent again unmarked.
    sending_at: Mapped[datetime | None]
    # When staff looked at a job that did not print (or was not confirmed): the banner stops.
    acknowledged_at: Mapped[datetime | None]
    # The worker holding a PRINTING job ("host:pid:nonce") and since when: a job whose worker
    # died is taken back at once on the same host, or when the lease runs out elsewhere.
    claimed_by: Mapped[str] = mapped_column(String(80), default="")
    claimed_at: Mapped[datetime | None]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # who asked for a reprint


class PrinterState(Base):
    """What a kiosk's printer last said about itself, for staff and the screen."""

    __tablename__ = "printer_state"

    kiosk_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    printer: Mapped[str] = mapped_column(String(20), primary_key=True)  # "receipt", "licence"
    url: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="unknown")  # printers.PrinterState
    detail: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None]
    # Bytes per second the printer printed at, measured from its confirmations: how long a
    # slip will take, so none is started that could not come out in time.
    rate: Mapped[float | None] = mapped_column(Float)
