"""What a company-list import may name, looked up once per file: the buildings, rooms, units
and liaison officers in the importer's reach, found by the words a spreadsheet uses for them
(a code or a name, in either language)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Building, Room, Staff, Unit, UnitKind
from kiosk.services.units import units_in_reach

Found = tuple[Any, Any]  # (the thing or None, a problem message or None)


def fold(text: str) -> str:
    """A name compared loosely: full-width to half-width, no spaces, no case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _room_key(text: str) -> str:
    """A room number as written on a door or in a sheet: "1203", "1203室", "B2-05"."""
    key = fold(text).removesuffix("室").removesuffix("房")
    return key.upper()


class Directory:
    """The buildings, rooms, units and officers an import may name: only those in reach."""

    def __init__(self, db: Session, home: Unit | None) -> None:
        reach = scope.reach_of(db)
        allowed = reach.allowed("building")
        units = [u for u in units_in_reach(db) if u.closed_at is None]
        self.unit_by_id = {unit.id: unit for unit in units}
        self._units = _index(
            (u, (u.code, u.name_zh, u.name_en)) for u in units if u.kind.holds_companies
        )
        building_units = {u.code: u for u in units if u.kind == UnitKind.BUILDING}
        buildings = [
            b
            for b in db.scalars(select(Building))
            if (allowed is None or b.code in allowed) and b.code in building_units
        ]
        self.building_by_id = {b.id: b for b in buildings}
        self._buildings = _index((b, (b.code, b.name_zh, b.name_en)) for b in buildings)
        self._unit_of = {b.id: building_units[b.code] for b in buildings}
        self._building_of_unit = {self._unit_of[b.id].id: b for b in buildings}
        rooms = db.scalars(select(Room).where(Room.active))  # the session's scope applies
        self._rooms: dict[tuple[int, str], Room] = {}
        self._with_rooms: set[int] = set()
        for room in rooms:
            self._rooms[(room.building_id, _room_key(room.number))] = room
            self._with_rooms.add(room.building_id)
        self._usernames, self._names = _staff_index(db)
        self.home = home if home is not None and home.id in self.unit_by_id else None

    def building(self, text: str) -> Found:
        """A building in reach by its code or name."""
        return _one(
            self._buildings.get(fold(text), []),
            _l("No building in your reach has this code or name."),
            _l("Two buildings have this name: write the building's code."),
        )

    def unit(self, text: str) -> Found:
        """A unit in reach that keeps companies, by its code or name."""
        return _one(
            self._units.get(fold(text), []),
            _l("No unit in your reach has this code or name."),
            _l("Two units have this name: write the unit's code."),
        )

    def officer(self, text: str) -> Found:
        """An active staff member in reach, by username or name."""
        key = fold(text)
        return _one(
            self._usernames.get(key) or self._names.get(key, []),
            _l("No active staff member in your reach has this username or name."),
            _l("Two staff members have this name: write the username."),
        )

    def room(self, building: Building, number: str, floor: str) -> Found:
        """An active room of the building; the floor, when given, must be the room's."""
        if building.id not in self._with_rooms:
            return None, _l(
                "This building has no rooms on record: add its rooms before importing them."
            )
        room = self._rooms.get((building.id, _room_key(number)))
        if room is None:
            return None, _l("The building has no room with this number.")
        wanted = fold(floor).upper().removesuffix("F").removesuffix("层").removesuffix("楼")
        if wanted and wanted != str(room.floor):
            return None, _l("Room %(room)s is on floor %(floor)s.", room=number, floor=room.floor)
        return room, None

    def unit_of(self, building: Building) -> Unit:
        """The unit whose list the building's companies are on."""
        return self._unit_of[building.id]

    def building_of(self, unit: Unit) -> Building | None:
        """The building a building unit stands for (None for any other unit)."""
        return self._building_of_unit.get(unit.id)


def _index(pairs: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for thing, names in pairs:
        for key in {fold(name) for name in names if name}:
            found[key].append(thing)
    return found


def _staff_index(db: Session) -> tuple[dict[str, list[Staff]], dict[str, list[Staff]]]:
    """Active staff in reach (their unit in the reach's units), by username, and by name."""
    query = select(Staff).where(Staff.active)
    allowed = scope.reach_of(db).allowed("unit")
    if allowed is not None:
        query = query.where(Staff.unit_id.in_(sorted(int(u) for u in allowed)))
    usernames: dict[str, list[Staff]] = defaultdict(list)
    names: dict[str, list[Staff]] = defaultdict(list)
    for staff in db.scalars(query):
        usernames[fold(staff.username)].append(staff)
        names[fold(staff.display_name)].append(staff)
    return usernames, names


def _one(candidates: list[Any], missing: Any, ambiguous: Any) -> Found:
    if not candidates:
        return None, missing
    if len(candidates) > 1:
        return None, ambiguous
    return candidates[0], None
