"""Lock-outs as supervisors see them: what waits now, where the tries came from, unlocking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import NotFound
from kiosk.models import AttemptCounter, AuditLog, Staff, Tenant
from kiosk.scope import building_of, reach_of
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.lockouts import KEY_LENGTH, KINDS

LOCKED = ("staff.locked", "code.locked", "session.locked")
SHOWN = 200  # rows: a page of waits is a sign of an attack, the audit log has them all


@dataclass(frozen=True)
class Waiting:
    """A key or a session waiting now, as the admin lists it."""

    key: str
    kind: str  # sign-in, collect, fix or session
    target: str  # the username, USCC, reference or the session's short id
    locked_until: datetime
    strikes: int
    failures: int
    origin: dict[str, str]  # of the try that started the wait: address, kiosk, session


def current(db: Session, *, now: datetime | None = None) -> list[Waiting]:
    """Every key and session waiting now, the longest wait first; for staff of a unit below the
    city, only its staff, companies and applications (sessions belong to no unit)."""
    now = now or utcnow()
    query = select(AttemptCounter).where(AttemptCounter.locked_until > now)
    rows = db.scalars(query.order_by(AttemptCounter.locked_until.desc()).limit(SHOWN))
    found = []
    for row in rows:
        if row.locked_until is None or not _within(db, row.key):
            continue
        kind, _, target = row.key.partition(":")
        shown = target[:8] if kind == "session" else target
        found.append(
            Waiting(
                row.key, kind, shown, row.locked_until, row.strikes, row.failures,
                _origin(db, shown),
            )
        )  # fmt: skip
    return found


def _origin(db: Session, target: str) -> dict[str, str]:
    """Where the latest wait of `target` came from, as its audit entry says."""
    query = select(AuditLog).where(AuditLog.action.in_(LOCKED), AuditLog.target_id == target)
    entry = db.scalars(query.order_by(AuditLog.id.desc()).limit(1)).first()
    if entry is None:
        return {}
    detail = entry.detail or {}
    return {
        "address": entry.remote_addr,
        "kiosk": str(detail.get("kiosk", "")),
        "session": str(detail.get("session", "")),
    }


def _within(db: Session, key: str) -> bool:
    """Whether the session's reach takes in this key's account, company or application."""
    reach = reach_of(db)
    if reach.everything:
        return True
    kind, _, target = key.partition(":")
    if kind == "sign-in":
        unit = db.scalar(select(Staff.unit_id).where(Staff.username == target))
        return unit is not None and str(unit) in (reach.units or ())
    if kind == "fix":
        return building_of(db, "application", target) in (reach.buildings or ())
    if kind == "collect":
        # Through the session, so the company's own scope decides (a company out of reach: None).
        return db.scalar(select(Tenant.id).where(Tenant.uscc == target)) is not None
    return False


def unlock(db: Session, key: str, actor: Actor) -> None:
    """End a wait now and forget its steps (a supervisor's decision, audited)."""
    with transaction(db):
        row = db.get(AttemptCounter, key[:KEY_LENGTH], with_for_update=True)
        if row is None or row.locked_until is None or row.locked_until <= utcnow():
            raise NotFound()
        if not _within(db, row.key):
            raise NotFound()
        kind, _, target = row.key.partition(":")
        prefix, target_type = KINDS.get(kind, ("code", kind))
        audit.record(
            db,
            actor,
            f"{prefix}.unlocked",
            target_type,
            target[:8] if kind == "session" else target,
            key=row.key,
            until=row.locked_until.isoformat(timespec="seconds"),
            strikes=row.strikes,
        )
        db.delete(row)
