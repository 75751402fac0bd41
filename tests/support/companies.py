"""A small tree for the company list's tests: a district with two buildings (with rooms), a
street and a department, and officers at each level."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kiosk.models import Building, Role, Room, Staff, Unit, UnitKind, root_unit
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from tests.conftest import STAFF_PASSWORD


def build_tree(db: Session) -> dict[str, Any]:
    """City → 芙蓉区 (with 税务 and two buildings with rooms) and 五一街道 (a street list)."""
    city = root_unit(db)
    district = Unit(code="furong", kind=UnitKind.DISTRICT, name_zh="芙蓉区", parent=city)
    street = Unit(code="wuyi", kind=UnitKind.STREET, name_zh="五一街道", parent=district)
    tax = Unit(code="tax", kind=UnitKind.DEPARTMENT, name_zh="税务", parent=district)
    units = {"city": city, "district": district, "street": street, "tax": tax}
    for code in ("demo", "b-tower"):
        units[code] = Unit(code=code, kind=UnitKind.BUILDING, name_zh=code, parent=district)
    db.add_all(units.values())
    db.flush()
    rooms: dict[str, Room] = {}
    for code in ("demo", "b-tower"):
        building = Building(code=code, name_zh=f"{code}大厦", name_en=f"{code} Tower")
        db.add(building)
        db.flush()
        for floor, number in ((12, "1201"), (12, "1202"), (15, "1501")):
            rooms[f"{code}:{number}"] = Room(building_id=building.id, floor=floor, number=number)
    db.add_all(rooms.values())
    db.commit()
    system = Actor(None, "test")

    def staff(name: str, unit: str, role: Role = Role.SUPERVISOR) -> Staff:
        return create_staff(db, name, name, STAFF_PASSWORD, role, system, unit_code=unit)

    return {
        "units": units,
        "rooms": rooms,
        "demo_chief": staff("demo-chief", "demo"),
        "demo_officer": staff("demo-officer", "demo", Role.STAFF),
        "tower_officer": staff("tower-officer", "b-tower", Role.STAFF),
        "district": staff("district-chief", "furong"),
        "tax": staff("tax-officer", "tax"),
    }
