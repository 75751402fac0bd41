"""An account's place in the organisation: the units an admin may put accounts in (their own
unit and the units under it), in the tree's order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Unit
from kiosk.services.units import units_in_reach

OUTSIDE = _l("You can add accounts only to your unit and the units under it.")


@dataclass(frozen=True)
class Choice:
    """A unit offered for an account, with how deep it stands below the first one offered."""

    unit: Unit
    depth: int


def assignable_units(db: Session, *, open_only: bool = True) -> list[Choice]:
    """The units of the caller's reach (open ones only, unless asked), in the tree's order,
    each with its depth below the caller's own unit."""
    units = [u for u in units_in_reach(db) if not (open_only and u.closed_at is not None)]
    top = min((unit.depth for unit in units), default=0)
    return [Choice(unit, unit.depth - top) for unit in units]


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
