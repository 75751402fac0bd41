"""Staff accounts and the audit log of everything they change."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.db import utcnow
from kiosk.models.base import Base, Timestamped


class Role(enum.StrEnum):
    """What a staff member may do; each role includes the ones before it."""

    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Order of privilege, for "at least this role" checks."""
        return list(Role).index(self)


class Staff(Timestamped, Base):
    """A building service-station officer (联企干部) who signs in to the admin."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Wrong passwords are counted by typed name in attempt_counter (unknown names alike).
    last_login_at: Mapped[datetime | None]
    # "" sees every building; a building's code limits the officer to that building's work.
    building_code: Mapped[str] = mapped_column(String(40), default="", server_default="")


class AuditLog(Base):
    """One change made by a staff member (or by a command-line operator)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    # The building of what was changed ("": fleet-wide), so the log is scoped like the rest.
    building_code: Mapped[str] = mapped_column(
        String(40), default="", server_default="", index=True
    )

    staff: Mapped[Staff | None] = relationship()
