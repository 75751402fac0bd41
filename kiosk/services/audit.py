"""The audit log: every change a staff member makes, with who, what and from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kiosk.models import AuditLog, Staff
from kiosk.scope import building_of, home_building


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in staff member (or None for the command line) and their address."""

    staff: Staff | None
    remote_addr: str = ""

    @property
    def staff_id(self) -> int | None:
        """The staff member's id, if any."""
        return self.staff.id if self.staff is not None else None


@dataclass(frozen=True)
class AuditFilter:
    """Which entries of the audit log to show; empty values filter nothing."""

    staff_id: int | None = None
    system: bool = False  # only what the command line, the demo or an API token did
    actions: tuple[str, ...] = ()  # any of these action codes
    since: datetime | None = None  # at or after (UTC)
    until: datetime | None = None  # before (UTC)

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses this filter adds to a query of AuditLog."""
        found: list[ColumnElement[bool]] = []
        if self.system:
            found.append(AuditLog.staff_id.is_(None))
        elif self.staff_id is not None:
            found.append(AuditLog.staff_id == self.staff_id)
        if self.actions:
            found.append(AuditLog.action.in_(self.actions))
        if self.since is not None:
            found.append(AuditLog.at >= self.since)
        if self.until is not None:
            found.append(AuditLog.at < self.until)
        return found


def staff_choices(db: Session) -> list[Staff]:
    """The staff members the log can be filtered by: those it shows doing something, by name."""
    acted = select(AuditLog.staff_id).where(AuditLog.staff_id.is_not(None)).distinct()
    query = select(Staff).where(Staff.id.in_(acted)).order_by(Staff.display_name, Staff.id)
    return list(db.scalars(query))


def record(
    db: Session, actor: Actor, action: str, target_type: str, target_id: str, **detail: Any
) -> AuditLog:
    """Add one audit entry to the caller's transaction, filed under the target's building (or
    the acting officer's), so that staff limited to a building read only its entries."""
    building = building_of(db, target_type, target_id)
    if not building and actor.staff is not None:
        building = home_building(db, actor.staff.unit_id)
    entry = AuditLog(
        building_code=building,
        staff_id=actor.staff_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        remote_addr=actor.remote_addr[:64],
    )
    db.add(entry)
    return entry
