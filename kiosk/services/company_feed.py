"""The company lists as a feed for other systems (the maintenance API): pages in a stable order
with a cursor, filtered by unit, by what changed since a time, and by name or credit code.

The request's session is scoped (kiosk.scope), so a list holds only the companies of the units
the caller reaches; a unit asked for outside that reach is refused as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.base import ExecutableOption

from kiosk.models import Tenant, Unit
from kiosk.services.units import reachable

PAGE_MAX = 500


@dataclass(frozen=True)
class Filters:
    """What a page of companies is limited to (each None or "": no limit)."""

    unit: str = ""  # a unit's code: its companies and those of the units under it
    updated_since: datetime | None = None
    q: str = ""  # part of the name, or the start of the credit code
    after: int = 0  # the cursor: the last company id of the page before


@dataclass(frozen=True)
class Page:
    """One page of companies, and the cursor of the next (None: this is the last)."""

    companies: list[Tenant]
    next_after: int | None


def unit_by_code(db: Session, code: str) -> Unit | None:
    """The unit with this code if the caller reaches it."""
    return db.scalar(reachable(db, select(Unit)).where(Unit.code == code))


def page(db: Session, filters: Filters, size: int) -> Page | None:
    """A page of the companies in reach, by id; None when the unit asked for is not in reach."""
    statement = select(Tenant).where(Tenant.id > filters.after)
    if filters.unit:
        unit = unit_by_code(db, filters.unit)
        if unit is None:
            return None
        statement = statement.where(
            Tenant.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path)))
        )
    if filters.updated_since is not None:
        statement = statement.where(Tenant.updated_at >= filters.updated_since)
    if filters.q:
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            or_(
                Tenant.name.contains(escaped, autoescape=False, escape="\\"),
                Tenant.uscc.startswith(escaped.upper(), autoescape=False, escape="\\"),
            )
        )
    rows = list(
        db.scalars(
            statement.options(*_related()).order_by(Tenant.id).limit(min(size, PAGE_MAX) + 1)
        )
    )
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].id if more and rows else None)


def company(db: Session, uscc: str) -> Tenant | None:
    """The company with this credit code if the caller reaches it."""
    return db.scalar(select(Tenant).where(Tenant.uscc == uscc).options(*_related()))


def _related() -> tuple[ExecutableOption, ...]:
    return (
        selectinload(Tenant.unit),
        selectinload(Tenant.building),
        selectinload(Tenant.room),
        selectinload(Tenant.officer),
    )
