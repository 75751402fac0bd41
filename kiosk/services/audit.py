"""The audit log: every change a staff member makes, with who, what and from where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kiosk.models import AuditLog, Staff
from kiosk.scope import building_of


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in staff member (or None for the command line) and their address."""

    staff: Staff | None
    remote_addr: str = ""

    @property
    def staff_id(self) -> int | None:
        """The staff member's id, if any."""
        return self.staff.id if self.staff is not None else None


def record(
    db: Session, actor: Actor, action: str, target_type: str, target_id: str, **detail: Any
) -> AuditLog:
    """Add one audit entry to the caller's transaction, filed under the target's building (or
    the acting officer's), so that staff limited to a building read only its entries."""
    building = building_of(db, target_type, target_id)
    if not building and actor.staff is not None:
        building = actor.staff.building_code
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
