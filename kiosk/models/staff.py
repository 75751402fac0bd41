"""Staff accounts and the audit log of everything they change."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.db import utcnow
from kiosk.models.base import Base, Timestamped
from kiosk.models.unit import Unit


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
    # The unit the officer belongs to: they see it and everything under it.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # A password an admin issued: it must be changed at the next sign-in before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Raised to end every session of the account at once (deactivation, a reset password).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The TOTP secret (base32) once a second factor is confirmed; None: no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last time step a code was accepted for, so a code is never accepted twice.
    totp_last_step: Mapped[int | None]
    # SHA-256 hashes of unused recovery codes, separated by spaces ("" when none are left).
    recovery_hashes: Mapped[str] = mapped_column(String(800), default="", server_default="")

    unit: Mapped[Unit | None] = relationship()


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
