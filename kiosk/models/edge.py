"""Edge terminals: how a fleet's lobby terminal is enrolled, what it queues for the central
while the link is down, and how fresh its read copy of the central's data is.

The central keeps `EnrolmentCode` (one-time codes, hashed) and `EdgeTerminal` (each enrolled
terminal's short code and link key); a terminal keeps `EdgeOutbox` and `EdgeSync`. Both sides
have every table, as every database has the same schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db import utcnow
from kiosk.models.base import Base


class EnrolmentCode(Base):
    """A one-time code an admin gives a new terminal; only its SHA-256 is kept."""

    __tablename__ = "enrolment_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    building_code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60), default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class EdgeTerminal(Base):
    """An enrolled terminal, as the central knows it: the short code in its references and the
    key that vouches for its tracking links before its submissions arrive."""

    __tablename__ = "edge_terminal"

    kiosk_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    short_code: Mapped[str] = mapped_column(String(4), unique=True)
    link_key: Mapped[str] = mapped_column(String(64))  # hex, 256 bits
    token_key: Mapped[str] = mapped_column(String(16), default="")
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)


class EdgeOutbox(Base):
    """A submission taken at this terminal, waiting to be handed to the central (in id order)."""

    __tablename__ = "edge_outbox"
    __table_args__ = (Index("ix_edge_outbox_acked_id", "acked_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # appeal, application, signup
    reference: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    acked_at: Mapped[datetime | None]
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the central stored


class EdgeSync(Base):
    """One kind of reference data on this terminal: the central's ETag and when it came."""

    __tablename__ = "edge_sync"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    etag: Mapped[str] = mapped_column(String(80), default="")
    synced_at: Mapped[datetime | None]
    rows: Mapped[int] = mapped_column(default=0)
