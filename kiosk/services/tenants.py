"""The building's companies: finding one at the kiosk by name or code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from kiosk.models import Building, Room, Tenant
from kiosk.text import clean_text
from kiosk.validators import normalize_uscc

PAGE_SIZE = 8  # results a portrait screen shows without scrolling


@dataclass(frozen=True)
class TenantPage:
    """One page of companies matching a search."""

    tenants: list[Tenant]
    page: int
    pages: int
    total: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _named(text: str) -> ColumnElement[bool]:
    """A company whose name contains `text` or whose USCC starts with it."""
    code = normalize_uscc(text)
    return or_(
        Tenant.name.like(f"%{_escape_like(text)}%", escape="\\"),
        Tenant.uscc.like(f"{_escape_like(code)}%", escape="\\") if code else false(),
    )


def find_anywhere(db: Session, query: str, limit: int = 20) -> list[Tenant]:
    """Active companies of every building matching `query` as search() does (staff look
    across buildings), by name; none for an empty query."""
    text = clean_text(query).text[:100]
    if not text:
        return []
    found = select(Tenant).where(Tenant.active, _named(text)).order_by(Tenant.name).limit(limit)
    return list(db.scalars(found))


def search(db: Session, building_code: str, query: str, page: int = 1) -> TenantPage:
    """Companies in the building whose name contains `query` or whose USCC starts with it.

    An empty query lists every company, by floor and room, so nobody has to type.
    """
    text = clean_text(query).text[:100]
    condition = [Building.code == building_code, Tenant.active]
    if text:
        condition.append(_named(text))
    base = select(Tenant).join(Building).where(*condition)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        # "9F-905" before "58F-5801": shorter floor/room labels are lower floors.
        base.order_by(func.length(Tenant.floor_room), Tenant.floor_room, Tenant.name)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return TenantPage(list(rows), page, pages, total)


def get_tenant(db: Session, building_code: str, tenant_id: str | int) -> Tenant | None:
    """An active company of this building by id (as the terminal posts it), else None."""
    try:
        key = int(tenant_id)
    except (TypeError, ValueError):
        return None
    tenant = db.get(Tenant, key)
    if tenant is None or not tenant.active or tenant.building is None:
        return None
    if tenant.building.code != building_code:
        return None
    return tenant


def get_building(db: Session, code: str) -> Building | None:
    """The building with this code, if it is set up."""
    return db.scalar(select(Building).where(Building.code == code))


def get_by_uscc(db: Session, building_code: str, uscc: str) -> Tenant | None:
    """An active company of this building by its unified social credit code, else None."""
    code = normalize_uscc(uscc)
    if not code:
        return None
    return db.scalar(
        select(Tenant)
        .join(Building)
        .where(Building.code == building_code, Tenant.uscc == code, Tenant.active)
    )


def rooms(db: Session, building_code: str) -> list[Room]:
    """The building's rooms that can be a registered address, by floor and number."""
    return list(
        db.scalars(
            select(Room)
            .join(Building)
            .where(Building.code == building_code, Room.active)
            .order_by(Room.floor, func.length(Room.number), Room.number)
        )
    )


def room_label(room: Room) -> str:
    """How a room is written in an address: 12F-1203."""
    return f"{room.floor}F-{room.number}"


def address_in_building(building: Building, room: Room) -> str:
    """The registered address (住所) of a room in the building, as a licence prints it."""
    return f"{building.address_zh}{building.name_zh}{room.number}室"


def name_taken(db: Session, name: str) -> bool:
    """Whether an active company already has this name (spaces and bracket width ignored)."""
    key = name_key(name)
    names = db.scalars(select(Tenant.name).where(Tenant.active))
    return any(name_key(other) == key for other in names)


def name_key(name: str) -> str:
    """A company name compared loosely: full-width brackets, spaces and case do not count."""
    import unicodedata

    text = unicodedata.normalize("NFKC", name)
    return "".join(text.split()).lower()


def get_room(db: Session, building_id: int, room_id: object) -> Room | None:
    """An active room of the building by id (as a form posts it), else None."""
    try:
        key = int(str(room_id))
    except (TypeError, ValueError):
        return None
    room = db.get(Room, key)
    if room is None or not room.active or room.building_id != building_id:
        return None
    return room
