"""Counters of wrong answers (passwords, pickup codes), per key and per browser session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.models.base import Base


class AttemptCounter(Base):
    """Tries at one key (`sign-in:<username>`, `collect:<USCC>`, `fix:<reference>`) or from one
    session (`session:<id>`): past the limit a wait, each one longer (see services.lockouts)."""

    __tablename__ = "attempt_counter"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)  # tries this round; above the limit: refused
    strikes: Mapped[int] = mapped_column(default=0)  # locks so far: picks the next wait's length
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]
