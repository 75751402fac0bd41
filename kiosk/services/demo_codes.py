"""The demo's codes again, on request: a new password for its admin, and the licence to collect.

The first password was shown once and is kept only as a hash, so it cannot be shown again; the
demo's admin gets a new one (audited) and the old one stops working. A licence's pickup code is
kept as it was printed on the slip, so it is shown as it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Application, AuditLog, Licence, LicenceStatus, Role, Staff
from kiosk.services.audit import Actor
from kiosk.services.staff import set_password

DEMO = "demo"  # the address the demo's own changes are recorded from
PASSWORD_BYTES = 15  # token_urlsafe: 20 characters


@dataclass(frozen=True)
class DemoCodes:
    """What `kiosk demo` prints: the admin's sign-in and each licence waiting to be collected."""

    username: str | None  # None: the demo's admin account is gone
    password: str
    licences: list[tuple[str, str]]  # (credit code, pickup code)


def demo_admin(db: Session) -> Staff | None:
    """The administrator account the demo created (the first, if it was loaded twice)."""
    created = select(AuditLog.target_id).where(
        AuditLog.action == "staff.create",
        AuditLog.remote_addr == DEMO,
        AuditLog.staff_id.is_(None),
    )
    return db.scalar(
        select(Staff)
        .where(Staff.username.in_(created), Staff.role == Role.ADMIN, Staff.active)
        .order_by(Staff.id)
    )


def licences_to_collect(db: Session, building_code: str) -> list[tuple[str, str]]:
    """Credit code and pickup code of each current licence from this building's registrations."""
    rows = db.execute(
        select(Licence.uscc, Application.pickup_code)
        .join(Application, Application.id == Licence.application_id)
        .where(
            Application.building_code == building_code,
            Application.task == "register",
            Licence.status == LicenceStatus.CURRENT,
        )
        .order_by(Licence.id)
    ).all()
    return [(uscc, code) for uscc, code in rows]


def show_codes(db: Session, building_code: str) -> DemoCodes:
    """A new password for the demo's admin (the old one stops working) and the licence codes."""
    admin = demo_admin(db)
    password = ""
    if admin is not None:
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        set_password(db, admin, password, Actor(None, DEMO))
    return DemoCodes(
        admin.username if admin else None, password, licences_to_collect(db, building_code)
    )


def application_counts(db: Session, building_code: str) -> tuple[int, int]:
    """How many applications the demo holds for this building: (tasks other than claims, claims)."""
    tasks = list(
        db.scalars(select(Application.task).where(Application.building_code == building_code))
    )
    claims = sum(task == "claim" for task in tasks)
    return len(tasks) - claims, claims
