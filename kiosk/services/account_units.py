"""An account's place in the organisation: the units an admin may put accounts in (their own
unit and the units under it), in the tree's order."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import ValidationFailed
from kiosk.models import Unit

OUTSIDE = _l("You can add accounts only to your unit and the units under it.")


@dataclass(frozen=True)
class Choice:
    """A unit offered for an account, with how deep it stands below the first one offered."""

    unit: Unit
    depth: int


def assignable_units(db: Session, *, open_only: bool = True) -> list[Choice]:
    """The units of the caller's reach (open ones only, unless asked), in the tree's order:
    each unit followed by the units under it, siblings by their order and name."""
    allowed = scope.reach_of(db).allowed("unit")
    statement = select(Unit)
    if allowed is not None:
        statement = statement.where(Unit.id.in_(sorted(int(u) for u in allowed)))
    if open_only:
        statement = statement.where(Unit.closed_at.is_(None))
    units = list(db.scalars(statement))
    by_id = {str(unit.id): unit for unit in units}

    def key(unit: Unit) -> list[tuple[int, str, int]]:
        ids = [part for part in unit.path.split("/") if part]
        return [
            (by_id[i].sort_order, by_id[i].name_zh, by_id[i].id) if i in by_id else (0, "", int(i))
            for i in ids
        ]

    ordered = sorted(units, key=key)
    top = min((unit.depth for unit in ordered), default=0)
    return [Choice(unit, unit.depth - top) for unit in ordered]


def unit_in_reach(db: Session, code: str, *, field: str = "unit") -> Unit:
    """The open unit with this code, if the caller reaches it (ValidationFailed otherwise)."""
    code = code.strip().lower()
    unit = db.scalar(select(Unit).where(Unit.code == code)) if code else None
    allowed = scope.reach_of(db).allowed("unit")
    if unit is None or (allowed is not None and str(unit.id) not in allowed):
        raise ValidationFailed(fields={field: OUTSIDE})
    if unit.closed_at is not None:
        raise ValidationFailed(fields={field: _l("That unit is closed: choose an open one.")})
    return unit
