"""A building's floors and rooms, kept in the admin: added a range at a time, renumbered,
taken off the list and put back. The registration and address-change tasks offer exactly the
building's active rooms (kiosk.services.tenants.rooms).

Rooms are scoped by their building (kiosk.scope.RULES): another building's room is absent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.errors import NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Building, Room, Tenant, Unit, UnitKind
from kiosk.services import audit, tenants
from kiosk.services.audit import Actor
from kiosk.services.units.tree import NotAllowed, managed_unit

NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")
TAIL = re.compile(r"^(.*?)(\d+)$")  # "B2-05" → "B2-", "05"
RANGE_MAX = 200  # rooms added at once
FLOOR_MIN, FLOOR_MAX = -9, 200


@dataclass
class RoomRow:
    """One room as the admin lists it: who is in it (no one: vacant)."""

    room: Room
    occupants: list[Tenant] = field(default_factory=list)

    @property
    def vacant(self) -> bool:
        """Whether no active company is in the room."""
        return not self.occupants


@dataclass
class Floor:
    """A floor's rooms, by number."""

    floor: int
    rooms: list[RoomRow] = field(default_factory=list)


def building_for(db: Session, unit_id: int, actor: Actor) -> tuple[Unit, Building]:
    """A building unit the administrator manages, and its building (NotFound otherwise)."""
    unit = managed_unit(db, unit_id, actor)
    if unit.kind is not UnitKind.BUILDING:
        raise NotFound()
    building = db.scalar(select(Building).where(Building.code == unit.code))
    if building is None:
        raise NotFound()
    return unit, building


def floors(db: Session, building: Building) -> list[Floor]:
    """Every room of the building (off the list too), floor by floor, with who is in each."""
    rooms = db.scalars(
        select(Room)
        .where(Room.building_id == building.id)
        .order_by(Room.floor, func.length(Room.number), Room.number)
    ).all()
    rows = {room.id: RoomRow(room) for room in rooms}
    for tenant in db.scalars(
        select(Tenant)
        .where(Tenant.room_id.in_(list(rows)), Tenant.active, Tenant.moved_out_at.is_(None))
        .order_by(Tenant.name)
    ):
        if tenant.room_id is not None:
            rows[tenant.room_id].occupants.append(tenant)
    found: dict[int, Floor] = {}
    for row in rows.values():
        found.setdefault(row.room.floor, Floor(row.room.floor)).rooms.append(row)
    return list(found.values())


def numbers_between(first: str, last: str) -> list[str]:
    """The room numbers from `first` to `last` ("2301", "2312" → 2301 … 2312; "B2-01", "B2-12"
    keep their prefix and width); just `first` when `last` is empty."""
    first, last = first.strip(), last.strip()
    problems: dict[str, object] = {}
    for name, value in (("first", first), ("last", last)):
        if (value or name == "first") and not NUMBER.match(value):
            problems[name] = _l("Use up to 20 letters, digits and -, as on the door.")
    if problems:
        raise ValidationFailed(fields=problems)
    if not last or last == first:
        return [first]
    start, end = TAIL.match(first), TAIL.match(last)
    if start is None or end is None or start.group(1) != end.group(1):
        raise ValidationFailed(
            fields={"last": _l("A range needs two numbers that differ only in their last digits.")}
        )
    low, high, width = int(start.group(2)), int(end.group(2)), len(start.group(2))
    if high < low:
        raise ValidationFailed(fields={"last": _l("The last number must come after the first.")})
    if high - low + 1 > RANGE_MAX:
        raise ValidationFailed(fields={"last": _l("Add at most %(n)s rooms at once.", n=RANGE_MAX)})
    return [f"{start.group(1)}{n:0{width}d}" for n in range(low, high + 1)]


def add_rooms(
    db: Session, unit_id: int, floor: int, first: str, last: str, actor: Actor
) -> list[Room]:
    """Add rooms on a floor of a building; none is added if any number is already there."""
    unit, building = building_for(db, unit_id, actor)
    if not FLOOR_MIN <= floor <= FLOOR_MAX:
        raise ValidationFailed(fields={"floor": _l("Enter a floor from -9 to 200.")})
    numbers = numbers_between(first, last)
    with transaction(db):
        taken = db.scalars(
            select(Room.number).where(Room.building_id == building.id, Room.number.in_(numbers))
        ).all()
        if taken:
            raise ValidationFailed(
                fields={
                    "first": _l(
                        "The building already has these rooms: %(numbers)s",
                        numbers="、".join(taken),
                    )
                }
            )
        made = [Room(building_id=building.id, floor=floor, number=n) for n in numbers]
        db.add_all(made)
        db.flush()
        audit.record(db, actor, "room.create", "unit", unit.code, floor=floor, numbers=numbers)
    return made


def room_in_reach(db: Session, room_id: int) -> Room:
    """A room the request reaches (NotFound otherwise)."""
    room = db.get(Room, room_id)
    if room is None:
        raise NotFound()
    return room


def unit_id_of(db: Session, room: Room) -> int:
    """The id of the building unit a room is in (NotFound if its building has none)."""
    code = db.scalar(select(Building.code).where(Building.id == room.building_id)) or ""
    unit_id = db.scalar(select(Unit.id).where(Unit.code == code))
    if unit_id is None:
        raise NotFound()
    return unit_id


def _unit_of(db: Session, room: Room, actor: Actor) -> Unit:
    """The building unit of a room, checked to be the administrator's to manage."""
    return managed_unit(db, unit_id_of(db, room), actor)


def renumber_room(db: Session, room_id: int, number: str, actor: Actor) -> Room:
    """A room's new number as on the door; the companies in it are written at the new one."""
    room = room_in_reach(db, room_id)
    unit = _unit_of(db, room, actor)
    number = number.strip()
    if not NUMBER.match(number):
        raise ValidationFailed(
            fields={"number": _l("Use up to 20 letters, digits and -, as on the door.")}
        )
    if number == room.number:
        return room
    with transaction(db):
        clash = db.scalar(
            select(Room.id).where(Room.building_id == room.building_id, Room.number == number)
        )
        if clash is not None:
            raise ValidationFailed(fields={"number": _l("The building already has that room.")})
        old_label, old = tenants.room_label(room), room.number
        room.number = number
        for tenant in db.scalars(select(Tenant).where(Tenant.room_id == room.id)):
            if tenant.floor_room == old_label:
                tenant.floor_room = tenants.room_label(room)
        audit.record(db, actor, "room.update", "unit", unit.code, number=[old, number])
    return room


def set_room_active(db: Session, room_id: int, active: bool, actor: Actor) -> Room:
    """Take a room off the list (it is no longer offered at the kiosk) or put it back;
    an occupied room stays on the list until its companies have moved."""
    room = room_in_reach(db, room_id)
    unit = _unit_of(db, room, actor)
    if room.active == active:
        return room
    with transaction(db):
        if not active:
            names = db.scalars(
                select(Tenant.name).where(
                    Tenant.room_id == room.id, Tenant.active, Tenant.moved_out_at.is_(None)
                )
            ).all()
            if names:
                raise NotAllowed(
                    _l("Companies are still in this room: %(names)s", names="、".join(names))
                )
        room.active = active
        action = "room.reactivate" if active else "room.deactivate"
        audit.record(
            db, actor, action, "unit", unit.code, number=room.number, active=[not active, active]
        )
    return room
