"""Enrolment codes made by an admin on the fleet page, within the admin's reach.

`kiosk edge code` on the central makes a code for any kiosk id and building; an admin in the
browser may make one only for a building in their reach, and never for a kiosk id that a
kiosk out of their reach already has (or that such a building's unused code names): enrolling
again gives the kiosk a new token and revokes the old one, so a code for another building's
kiosk would take that terminal over.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.db import utcnow
from kiosk.edge.enrol import IssuedCode, issue_code
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import EnrolmentCode, Kiosk, Unit, UnitKind

NAME_MAX = 60


def buildings(db: Session) -> list[Unit]:
    """The open buildings the session's reach includes, in the tree's order."""
    reach = scope.reach_of(db)
    query = select(Unit).where(Unit.kind == UnitKind.BUILDING, Unit.closed_at.is_(None))
    if reach.buildings is not None:
        query = query.where(Unit.code.in_(sorted(reach.buildings)))
    return list(db.scalars(query.order_by(Unit.sort_order, Unit.id)))


def _held_elsewhere(db: Session, kiosk_id: str, mine: set[str], now: datetime) -> bool:
    """Whether a kiosk, or an unused code, of a building outside `mine` has this id. A Core
    read of the kiosk table: the scope would hide the other building's kiosk."""
    table = Kiosk.__table__
    found = db.execute(select(table.c.building_code).where(table.c.id == kiosk_id)).first()
    if found is not None and found[0] not in mine:
        return True
    pending = db.scalars(
        select(EnrolmentCode.building_code).where(
            EnrolmentCode.kiosk_id == kiosk_id,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.expires_at > now,
        )
    )
    return any(code not in mine for code in pending)


def issue_in_reach(
    db: Session,
    kiosk_id: str,
    building_code: str,
    name: str,
    created_by: str,
    *,
    own_id: str = "",
    now: datetime | None = None,
) -> IssuedCode:
    """A one-time code for enrolling `kiosk_id` in `building_code`, if both are in reach;
    `own_id` is this server's own kiosk id, which no terminal may take."""
    now = now or utcnow()
    kiosk_id, building_code, name = kiosk_id.strip().lower(), building_code.strip(), name.strip()
    mine = {unit.code for unit in buildings(db)}
    problems = {}
    if building_code not in mine:
        problems["building"] = _l("Choose one of the buildings you look after.")
    if len(name) > NAME_MAX:
        problems["name"] = _l("Use at most %(count)d characters.", count=NAME_MAX)
    if kiosk_id and (kiosk_id == own_id or _held_elsewhere(db, kiosk_id, mine, now)):
        problems["kiosk_id"] = _l("Another kiosk has this id: choose another.")
    if problems:
        raise ValidationFailed(fields=problems)
    return issue_code(db, kiosk_id, building_code, name, created_by, now=now)
