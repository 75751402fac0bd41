"""The demo's organisation (kiosk/data/demo-organisation.json): the city's office at the top, two
districts' task forces, a street, departments, a second building in 岳麓区 with rooms and a
handful of companies, staff at each level, and officers linked to the companies they look after.

Made once: a second `kiosk demo` for another building finds the tree there and leaves it alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.models import (
    AppealCategory,
    Building,
    Role,
    Room,
    Staff,
    Tenant,
    Unit,
    UnitKind,
    root_unit,
)
from kiosk.services.demo_data import Company

_DATA: dict[str, Any] = json.loads(
    resources.files("kiosk").joinpath("data", "demo-organisation.json").read_text("utf-8")
)
NewAccount = Callable[[str, str, Role, str], tuple[Staff, str]]


@dataclass(frozen=True)
class Made:
    """An account the demo made, as `kiosk demo` prints it."""

    username: str
    role: Role
    unit: str
    password: str


def has_tree(db: Session) -> bool:
    """Whether the demo's organisation is there already."""
    first = _DATA["units"][0]["code"]
    return db.scalar(select(Unit.id).where(Unit.code == first)) is not None


def build_tree(
    db: Session,
    home: Building | dict[str, str],
    code: str,
    uscc: Callable[[Company], str],
    since: datetime,
) -> None:
    """The units, with the demo's own building (`code`, named as `home`) under its street, the
    second building with its rooms and companies, and each category's usual department."""
    with transaction(db):
        city = root_unit(db)
        city.name_zh, city.name_en = _DATA["city"]["name_zh"], _DATA["city"]["name_en"]
        units = {"": city}
        for row in _DATA["units"]:
            units[row["code"]] = _unit(db, row, units[row["parent"]])
        names = (
            home if isinstance(home, dict) else {"name_zh": home.name_zh, "name_en": home.name_en}
        )
        _place(db, code, units[_DATA["home_parent"]], names["name_zh"], names["name_en"])
        second = _DATA["second_building"]
        _place(db, second["code"], units[second["parent"]], second["name_zh"], second["name_en"])
        for category, department in _DATA["category_departments"].items():
            found = db.scalar(select(AppealCategory).where(AppealCategory.code == category))
            if found is not None and found.department_id is None:
                found.department_id = units[department].id
    _second_building(db, uscc, since)


def _unit(db: Session, row: dict[str, str], parent: Unit) -> Unit:
    unit = Unit(
        code=row["code"], kind=UnitKind(row["kind"]), name_zh=row["name_zh"],
        name_en=row["name_en"], parent=parent,
    )  # fmt: skip
    db.add(unit)
    db.flush()
    return unit


def _place(db: Session, code: str, parent: Unit, name_zh: str = "", name_en: str = "") -> None:
    """The building unit `code` under `parent`: made there, or moved there from the top (where
    a building made before the tree stands; it has nothing under it)."""
    found = db.scalar(select(Unit).where(Unit.code == code))
    if found is None:
        db.add(
            Unit(code=code, kind=UnitKind.BUILDING, name_zh=name_zh or code,
                 name_en=name_en or code, parent=parent)
        )  # fmt: skip
        db.flush()
    elif found.parent_id != parent.id and found.kind is UnitKind.BUILDING:
        found.parent_id, found.path = parent.id, f"{parent.path}{found.id}/"


def _second_building(db: Session, uscc: Callable[[Company], str], since: datetime) -> None:
    """The second building, its rooms and its companies (each in its room)."""
    row = _DATA["second_building"]
    with transaction(db):
        building = Building(
            code=row["code"], name_zh=row["name_zh"], name_en=row["name_en"],
            address_zh=row["address_zh"], address_en=row["address_en"],
            district=row["district"], created_at=since,
        )  # fmt: skip
        db.add(building)
        db.flush()
        rooms = {
            f"{floor}{n:02d}": Room(building_id=building.id, floor=floor, number=f"{floor}{n:02d}")
            for floor in row["floors"]
            for n in range(1, row["rooms_per_floor"] + 1)
        }
        db.add_all(rooms.values())
        db.flush()
        rng = random.Random(f"demo-tree:{row['code']}")  # noqa: S311 - made-up data
        for company in row["companies"]:
            db.add(_tenant(company, building.id, rooms, uscc, since, rng))


def _tenant(
    row: dict[str, Any],
    building_id: int,
    rooms: dict[str, Room],
    uscc: Callable[[Company], str],
    since: datetime,
    rng: random.Random,
) -> Tenant:
    """One company of the second building, in its room, with what policies ask about it."""
    facts = row.get("facts", {})
    years = facts.get("years")
    founded = since - timedelta(days=365 * years + rng.randrange(30, 300)) if years else None
    return Tenant(
        building_id=building_id, uscc=uscc(_company(row)), name=row["name"],
        floor_room=row["floor_room"], room_id=rooms[row["floor_room"].split("-")[1]].id,
        industry=facts.get("industry", ""), size_band=facts.get("size_band", ""),
        employees=facts.get("employees"), created_at=since,
        founded_on=founded.date() if founded is not None else None,
    )  # fmt: skip


def _company(row: dict[str, Any]) -> Company:
    return Company(row["key"], row["name"], row["floor_room"], row["district"])


def add_staff(db: Session, new_account: NewAccount, tenants: dict[str, Tenant]) -> list[Made]:
    """The staff of the other levels, and every demo officer linked to their companies."""
    made = []
    for row in _DATA["staff"]:
        staff, password = new_account(row["username"], row["display_name"], Role(row["role"]),
                                      row["unit"])  # fmt: skip
        made.append(Made(staff.username, staff.role, _unit_name(staff), password))
    second = {c["name"]: c.get("officer") for c in _DATA["second_building"]["companies"]}
    with transaction(db):
        officers = {
            s.username: s
            for s in db.scalars(select(Staff).where(Staff.username.in_(_officer_names(second))))
        }
        for username, keys in _DATA["officer_companies"].items():
            for key in keys:
                if key in tenants and username in officers:
                    tenants[key].officer_id = officers[username].id
        for tenant in db.scalars(select(Tenant).where(Tenant.name.in_(list(second)))):
            officer = officers.get(second[tenant.name] or "")
            if officer is not None:
                tenant.officer_id = officer.id
    return made


def _officer_names(second: dict[str, str | None]) -> list[str]:
    return sorted({*_DATA["officer_companies"], *(v for v in second.values() if v)})


def _unit_name(staff: Staff) -> str:
    return staff.unit.name_zh if staff.unit is not None else ""
