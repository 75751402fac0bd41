"""Where a company is, and its history of rooms: moving in (into a building's room, or onto a
street's, park's or district's list outside any building), between rooms, and out.

Every move writes one TenantMove and keeps the company's building, unit, room, floor and room
label, `active` and `moved_out_at` telling the same story. A moved-out company stays on the
list it was on (with the "moved out" filter), so its history stays with the officers who knew it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import AuditLog, Building, Room, Tenant, TenantMove, Unit, UnitKind
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.units import unit_in_reach, units_in_reach
from kiosk.text import clean_text

PLACE_MAX = 40  # TenantMove.to_place and Tenant.floor_room hold 40 characters
SOURCE_ADMIN = "admin"
MOVE_KIND = {
    "in": _l("Moved in"),
    "room": _l("Moved to another room"),
    "out": _l("Moved out"),
}


@dataclass(frozen=True)
class Target:
    """Where a company moves to: a room of a building, a building without rooms on record (with
    the floor and room as typed), or a unit's list outside any building (with an address)."""

    unit: Unit | None
    building: Building | None = None
    room: Room | None = None
    place: str = ""  # the floor and room label, or the address outside any building

    @property
    def building_code(self) -> str:
        """The building's code ("" outside any building)."""
        return self.building.code if self.building is not None else ""


def room_label(room: Room) -> str:
    """How a room is written on the list and in an address: 12F-1203."""
    return f"{room.floor}F-{room.number}"


def _place_text(raw: str) -> str:
    return clean_text(raw).text


def target_of(db: Session, where: str, place: str = "") -> Target:
    """The destination a form chose: "room:<id>" (a room of a building in reach),
    "building:<id>" (a building with no rooms on record, `place` its floor and room) or
    "unit:<id>" (a list outside any building, `place` the address). ValidationFailed, with the
    field ("where" or "place") and why, for anything else."""
    kind, _, key = where.partition(":")
    number = int(key) if key.isascii() and key.isdigit() and len(key) < 10 else None
    text = _place_text(place)
    if len(text) > PLACE_MAX:
        raise ValidationFailed(
            fields={"place": _l("This is too long: at most %(limit)s characters.", limit=40)}
        )
    if kind == "room" and number is not None:
        room = db.get(Room, number)  # out of reach is absent: the session's scope
        if room is not None and room.active:
            return Target(_unit_of(db, room.building), room.building, room, room_label(room))
    elif kind == "building" and number is not None:
        building = db.get(Building, number)
        if building is not None and scope.reaches(db, Room, building_id=building.id):
            if not text:
                raise ValidationFailed(fields={"place": _l("Enter the floor and room.")})
            return Target(_unit_of(db, building), building, None, text)
    elif kind == "unit" and number is not None:
        unit = unit_in_reach(db, number)
        if unit is not None and unit in _lists_outside(db):
            if not text:
                raise ValidationFailed(fields={"place": _l("Enter the company's address.")})
            return Target(unit, None, None, text)
    raise ValidationFailed(fields={"where": _l("Choose where the company is, from the list.")})


def room_target(db: Session, room: Room) -> Target:
    """A room of a building as a destination (for a task whose approval moves a company)."""
    return Target(_unit_of(db, room.building), room.building, room, room_label(room))


def _unit_of(db: Session, building: Building) -> Unit | None:
    """The building's unit (None: the models' hook makes it when the company is written)."""
    return db.scalar(select(Unit).where(Unit.code == building.code))


def _here(tenant: Tenant) -> tuple[str, str]:
    """The building code and place a company is at now ("", "" when moved out)."""
    if not tenant.active:
        return "", ""
    code = tenant.building.code if tenant.building is not None else ""
    return code, tenant.floor_room


def place(
    db: Session,
    tenant: Tenant,
    target: Target,
    *,
    source: str = SOURCE_ADMIN,
    staff_id: int | None = None,
    now: datetime,
    came_from: str = "",
) -> TenantMove:
    """Put a company at `target`: "room" when it stays in its building, "in" otherwise (a new
    company, one moving back, or one coming from elsewhere — `came_from` says where)."""
    from_building, from_place = _here(tenant)
    same = (
        tenant.active
        and tenant.building_id is not None
        and target.building is not None
        and tenant.building_id == target.building.id
    )
    if not from_building and not from_place and came_from:
        from_place = _place_text(came_from)[:PLACE_MAX]
    tenant.building = target.building
    tenant.room = target.room
    if target.unit is not None:
        tenant.unit = target.unit
    else:
        tenant.unit = None  # the building's unit, made by the models' hook at the flush
        tenant.unit_id = None
    tenant.floor_room = target.place[:PLACE_MAX]
    tenant.active = True
    tenant.moved_out_at = None
    return _record(
        db, tenant, "room" if same else "in", (from_building, from_place),
        (target.building_code, target.place), source, staff_id, now,
    )  # fmt: skip


def move_out(
    db: Session,
    tenant: Tenant,
    *,
    to_place: str = "",
    source: str = SOURCE_ADMIN,
    staff_id: int | None = None,
    now: datetime,
) -> TenantMove:
    """Mark a company moved out: its room is free, it stays on its list as moved out."""
    if not tenant.active:
        raise ValidationFailed(_l("This company has already moved out."))
    text = _place_text(to_place)
    if len(text) > 200:
        raise ValidationFailed(
            fields={"to_place": _l("This is too long: at most %(limit)s characters.", limit=200)}
        )
    here = _here(tenant)
    tenant.active = False
    tenant.moved_out_at = now
    tenant.room = None
    tenant.floor_room = ""
    return _record(db, tenant, "out", here, ("", text[:PLACE_MAX]), source, staff_id, now)


def _record(
    db: Session,
    tenant: Tenant,
    kind: str,
    came: tuple[str, str],
    went: tuple[str, str],
    source: str,
    staff_id: int | None,
    now: datetime,
) -> TenantMove:
    move = TenantMove(
        at=now, kind=kind, from_building=came[0], from_place=came[1][:PLACE_MAX],
        to_building=went[0], to_place=went[1][:PLACE_MAX], source=source[:60], staff_id=staff_id,
    )  # fmt: skip
    if tenant in db.new:
        db.flush()  # a new company gets its id (and its unit) first
    move.tenant_id = tenant.id
    db.add(move)
    return move


def history(db: Session, tenant_id: int) -> list[TenantMove]:
    """A company's moves, newest first."""
    query = (
        select(TenantMove)
        .where(TenantMove.tenant_id == tenant_id)
        .order_by(TenantMove.at.desc(), TenantMove.id.desc())
    )
    return list(db.scalars(query))


@dataclass(frozen=True)
class Choice:
    """One destination a form offers, under a heading (its building or "outside buildings")."""

    value: str
    label: str
    group: str
    occupied: int = 0  # companies in the room now


def destinations(db: Session, locale: str) -> list[Choice]:
    """Every destination in reach: each building's active rooms (a building without rooms on
    record as one choice), then the lists outside buildings (streets, parks, districts)."""
    found: list[Choice] = []
    occupied = dict(
        db.execute(
            select(Tenant.room_id, func.count())
            .where(Tenant.active, Tenant.room_id.is_not(None))
            .group_by(Tenant.room_id)
        ).all()
    )
    buildings = db.scalars(select(Building).order_by(Building.code)).all()
    for building in buildings:
        if not scope.reaches(db, Room, building_id=building.id):
            continue
        name = building.name_en if locale == "en" and building.name_en else building.name_zh
        rooms = db.scalars(
            select(Room)
            .where(Room.building_id == building.id, Room.active)
            .order_by(Room.floor, func.length(Room.number), Room.number)
        ).all()
        for room in rooms:
            label = room_label(room)
            found.append(Choice(f"room:{room.id}", label, name, occupied.get(room.id, 0)))
        if not rooms:
            found.append(Choice(f"building:{building.id}", name, name))
    outside = str(_l("Outside any building"))
    for unit in _lists_outside(db):
        found.append(Choice(f"unit:{unit.id}", unit.name(locale), outside))
    return found


def _lists_outside(db: Session) -> list[Unit]:
    """The units in reach, not buildings or departments, that keep companies outside buildings."""
    return [
        unit
        for unit in units_in_reach(db)
        if unit.kind not in (UnitKind.BUILDING, UnitKind.DEPARTMENT) and unit.closed_at is None
    ]


def file_under(entry: AuditLog, tenant: Tenant, building: str = "") -> None:
    """File a company's audit entry under its building (or the one it left), so that the
    building's officers read it (the log knows no company by itself)."""
    code = building or (tenant.building.code if tenant.building is not None else "")
    if code:
        entry.building_code = code


def audit_move(db: Session, actor: Actor, tenant: Tenant, move: TenantMove) -> None:
    """Record a move in the audit log: where from → where to, and what moved it."""
    came = _where(move.from_building, move.from_place)
    went = _where(move.to_building, move.to_place)
    entry = audit.record(
        db, actor, "company.move", "company", tenant.uscc,
        move=move.kind, source=move.source, place=[came, went],
    )  # fmt: skip
    file_under(entry, tenant, move.from_building or move.to_building)


def _where(building: str, place: str) -> str:
    return " ".join(part for part in (building, place) if part)
