"""A unit's company list (联系企业清单): finding companies, their profiles and their moves.

Every read goes through the caller's session, so the scope (kiosk.scope, the COMPANY rule)
keeps an officer to the companies of their unit and the units under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from kiosk.errors import NotFound
from kiosk.models import Building, Room, Staff, Tenant, Unit, UnitKind
from kiosk.services.policies.catalogue import INDUSTRIES
from kiosk.services.units import unit_in_reach, units_in_reach
from kiosk.text import clean_text, is_whole
from kiosk.validators import normalize_uscc

PAGE_SIZE = 25
QUERY_MAX = 100
Status = Literal["active", "moved_out", "all"]


@dataclass(frozen=True)
class CompanyFilter:
    """Which companies of the list to show; empty values filter nothing."""

    q: str = ""  # name contains, or credit code starts with
    floor: str = ""  # a floor number (12) or the start of a floor and room label (12F-12)
    industry: str = ""  # GB/T 4754 section
    officer_id: int | None = None  # looked after by this officer ("my companies" too)
    no_officer: bool = False
    status: Status = "active"
    unit_id: int | None = None  # on this unit's list or a list under it


@dataclass(frozen=True)
class CompanyPage:
    """One page of the list, with how many match."""

    rows: list[Tenant]
    page: int
    pages: int
    total: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(db: Session, column: InstrumentedAttribute[str], text: str) -> ColumnElement[bool]:
    # SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE for the same.
    pattern = f"%{_escape_like(text)}%"
    if db.get_bind().dialect.name == "postgresql":
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def _floor(text: str) -> ColumnElement[bool]:
    """A floor number matches the rooms of that floor and labels starting "12F"; other text
    matches labels starting with it."""
    text = text.strip().upper()
    if is_whole(text) and len(text) < 4:
        rooms = select(Room.id).where(Room.floor == int(text))
        return or_(Tenant.room_id.in_(rooms), Tenant.floor_room.like(f"{int(text)}F%"))
    return Tenant.floor_room.like(f"{_escape_like(text)}%", escape="\\")


def _conditions(db: Session, wanted: CompanyFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    text = clean_text(wanted.q).text[:QUERY_MAX]
    if text:
        code = normalize_uscc(text)
        found.append(
            or_(
                _contains(db, Tenant.name, text),
                Tenant.uscc.like(f"{_escape_like(code)}%", escape="\\") if code else false(),
            )
        )
    if wanted.floor.strip():
        found.append(_floor(wanted.floor[:40]))
    if wanted.industry:
        found.append(
            Tenant.industry == wanted.industry if wanted.industry in INDUSTRIES else false()
        )
    if wanted.officer_id is not None:
        found.append(Tenant.officer_id == wanted.officer_id)
    if wanted.no_officer:
        found.append(Tenant.officer_id.is_(None))
    if wanted.status == "active":
        found.append(Tenant.active.is_(True))
    elif wanted.status == "moved_out":
        found.append(Tenant.active.is_(False))
    if wanted.unit_id is not None:
        unit = unit_in_reach(db, wanted.unit_id)
        under = select(Unit.id).where(Unit.path.startswith(unit.path)) if unit else None
        found.append(Tenant.unit_id.in_(under) if under is not None else false())
    return found


def _query(db: Session, wanted: CompanyFilter) -> Select[Tenant]:
    return select(Tenant).where(*_conditions(db, wanted))


def list_companies(
    db: Session, wanted: CompanyFilter, page: int = 1, per_page: int = PAGE_SIZE
) -> CompanyPage:
    """The companies in reach matching `wanted`, by building, floor and room, then name."""
    base = _query(db, wanted)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        base.outerjoin(Building, Tenant.building_id == Building.id)
        .options(joinedload(Tenant.officer), joinedload(Tenant.building), joinedload(Tenant.unit))
        .order_by(
            Building.code.is_(None),
            Building.code,
            func.length(Tenant.floor_room),  # "9F-905" before "58F-5801"
            Tenant.floor_room,
            Tenant.name,
            Tenant.id,
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return CompanyPage(list(rows.unique()), page, pages, total)


def get_company(db: Session, tenant_id: int) -> Tenant:
    """A company in reach by id (NotFound otherwise: another unit's company is absent)."""
    tenant = db.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound()
    return tenant


def keeps_companies(unit: Unit | None) -> bool:
    """Whether staff of this unit have a company list (a department's do not)."""
    return unit is not None and unit.kind is not UnitKind.DEPARTMENT


def list_units(db: Session) -> list[Unit]:
    """The units in reach that keep companies, in tree order (for the list's unit filter)."""
    return [unit for unit in units_in_reach(db) if unit.kind is not UnitKind.DEPARTMENT]


def officers_on_list(db: Session) -> list[Staff]:
    """The officers who look after a company in reach, by name (for the officer filter)."""
    query = select(Staff).join(Tenant, Tenant.officer_id == Staff.id).distinct()
    return list(db.scalars(query.order_by(Staff.display_name, Staff.id)))
