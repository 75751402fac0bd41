"""A building's rooms in the admin: a range added at once, vacant or occupied and by whom,
renumbered, taken off the list (not while occupied), with refusals on their fields and
another building's rooms out of reach. The kiosk offers exactly the active rooms."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Building, Role, Room, Staff, Tenant, Unit, UnitKind, root_unit
from kiosk.services import tenants
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from kiosk.services.units import tree
from kiosk.services.units.tree import UnitDraft
from tests.admin.conftest import Admin
from tests.conftest import STAFF_PASSWORD
from tests.support.pages import csrf_token

SYSTEM = Actor(None, "test")


@pytest.fixture
def tower(db: Session, building: Building) -> Unit:
    """The test building's unit, under a district; its administrator "tower-admin"."""
    root = root_unit(db)
    db.commit()
    district = tree.add_unit(db, root.id, UnitDraft("district", "east", "东区"), SYSTEM)
    unit = db.scalar(select(Unit).where(Unit.code == building.code))
    assert unit is not None
    tree.move_unit(db, unit.id, district.id, SYSTEM)
    create_staff(db, "tower-admin", "Tower Admin", STAFF_PASSWORD, Role.ADMIN, SYSTEM, "demo")
    return unit


def _post(admin: Admin, page: str, action: str, **data: str) -> tuple[int, str]:
    token = csrf_token(admin.text(page))
    answer = admin.client.post(action, data={"csrf_token": token, **data})
    if answer.status_code == 303:
        return 303, admin.text(answer.location)
    return answer.status_code, answer.get_data(as_text=True)


def test_a_range_of_rooms_is_added_and_shown_vacant_or_occupied(
    admin: Admin, db: Session, tower: Unit, building: Building,
    make_tenant: Callable[..., Tenant],
) -> None:  # fmt: skip
    assert admin.sign_in("tower-admin").status_code == 303
    page = f"/admin/units/{tower.id}/rooms"
    status, html = _post(admin, page, page, floor="23", first="2301", last="2312")
    assert status == 303 and "Rooms added: 12." in html
    numbers = db.scalars(select(Room.number).where(Room.building_id == building.id)).all()
    assert sorted(numbers) == [str(n) for n in range(2301, 2313)]
    status, html = _post(admin, page, page, floor="-1", first="B1-08", last="B1-10")
    assert status == 303 and 'data-room="B1-09"' in html

    room = db.scalar(select(Room).where(Room.number == "2305"))
    assert room is not None
    db.commit()  # end the read, or SQLite refuses the next write from a stale snapshot
    make_tenant("长沙入驻科技有限公司", room_id=room.id, unit_id=tower.id)
    unit_page = admin.text(f"/admin/units/{tower.id}")
    assert 'data-room="2305" data-room-state="occupied"' in unit_page
    assert "长沙入驻科技有限公司" in unit_page
    assert 'data-room="2306" data-room-state="vacant"' in unit_page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"floor": "", "first": "2301"}, "floor", "Enter the floor."),
        ({"floor": "twenty", "first": "2301"}, "floor", "whole number"),
        ({"floor": "23", "first": ""}, "first", "as on the door"),
        ({"floor": "23", "first": "23 01"}, "first", "as on the door"),
        ({"floor": "23", "first": "2312", "last": "2301"}, "last", "must come after"),
        ({"floor": "23", "first": "2301", "last": "2999"}, "last", "at most 200"),
        ({"floor": "23", "first": "A-01", "last": "B-09"}, "last", "differ only"),
        (
            {"floor": "23", "first": "2301", "last": "2302"},
            "first",
            "already has these rooms: 2301",
        ),
    ],
)
def test_bad_rooms_are_refused_on_their_field(
    admin: Admin, db: Session, tower: Unit, building: Building,
    data: dict[str, str], field: str, message: str,
) -> None:  # fmt: skip
    db.add(Room(building_id=building.id, floor=23, number="2301"))
    db.commit()
    assert admin.sign_in("tower-admin").status_code == 303
    page = f"/admin/units/{tower.id}/rooms"
    status, html = _post(admin, page, page, **({"last": ""} | data))
    assert status == 400, html[-2000:]
    assert f'id="{field}-error"' in html and message in html


def test_renumbering_and_taking_a_room_off_the_list(
    admin: Admin, db: Session, tower: Unit, building: Building,
    make_tenant: Callable[..., Tenant],
) -> None:  # fmt: skip
    free = Room(building_id=building.id, floor=12, number="1201")
    taken = Room(building_id=building.id, floor=12, number="1202")
    db.add_all([free, taken])
    db.commit()
    make_tenant("长沙占用有限公司", room_id=taken.id, unit_id=tower.id, floor_room="12F-1202")
    assert admin.sign_in("tower-admin").status_code == 303
    page = f"/admin/units/{tower.id}/rooms"

    status, html = _post(admin, page, f"/admin/rooms/{taken.id}/renumber", number="1202A")
    assert status == 303 and 'data-room="1202A"' in html
    db.commit()
    db.expire_all()
    company = db.scalar(select(Tenant).where(Tenant.name == "长沙占用有限公司"))
    assert company is not None and company.floor_room == "12F-1202A"
    status, html = _post(admin, page, f"/admin/rooms/{free.id}/renumber", number="1202A")
    assert status == 400 and "already has that room" in html and 'id="number-error"' in html

    status, html = _post(admin, page, f"/admin/rooms/{taken.id}/deactivate")
    assert status == 303 and "Companies are still in this room: 长沙占用有限公司" in html
    status, html = _post(admin, page, f"/admin/rooms/{free.id}/deactivate")
    assert status == 303 and 'data-room="1201" data-room-state="off"' in html
    db.commit()
    db.expire_all()
    assert [r.number for r in tenants.rooms(db, "demo")] == ["1202A"]
    status, html = _post(admin, page, f"/admin/rooms/{free.id}/reactivate")
    assert 'data-room="1201" data-room-state="vacant"' in html

    log = admin.text("/admin/audit")
    assert "Renumbered a room" in log and "1202 → 1202A" in log
    assert "Took a room off the list" in log


def test_another_buildings_rooms_are_out_of_reach(admin: Admin, db: Session, tower: Unit) -> None:
    other = Building(code="b-tower", name_zh="乙楼", name_en="B Tower")
    db.add(other)
    db.commit()
    room = Room(building_id=other.id, floor=3, number="301")
    db.add(room)
    db.commit()
    other_unit = db.scalar(select(Unit.id).where(Unit.code == "b-tower"))
    assert admin.sign_in("tower-admin").status_code == 303
    token = csrf_token(admin.text(f"/admin/units/{tower.id}/rooms"))
    assert admin.get(f"/admin/units/{other_unit}/rooms").status_code == 404
    for action in ("renumber", "deactivate", "reactivate"):
        answer = admin.client.post(
            f"/admin/rooms/{room.id}/{action}", data={"csrf_token": token, "number": "9"}
        )
        assert answer.status_code == 404, action
    db.refresh(room)
    assert (room.number, room.active) == ("301", True)


def test_a_non_building_unit_has_no_rooms(admin: Admin, db: Session, tower: Unit) -> None:
    assert admin.sign_in("tower-admin").status_code == 303
    staff = db.scalar(select(Staff).where(Staff.username == "tower-admin"))
    assert staff is not None
    create_staff(db, "east-admin", "East", STAFF_PASSWORD, Role.ADMIN, SYSTEM, "east")
    admin.sign_out()
    assert admin.sign_in("east-admin").status_code == 303
    east = db.scalar(select(Unit).where(Unit.code == "east", Unit.kind == UnitKind.DISTRICT))
    assert east is not None
    assert admin.get(f"/admin/units/{east.id}/rooms").status_code == 404
    assert admin.get(f"/admin/units/{tower.id}/rooms").status_code == 200  # below: in reach


def test_rooms_page_in_chinese(make_app: Callable[..., Flask], db: Session, tower: Unit) -> None:
    chinese = Admin(make_app().test_client())
    assert chinese.sign_in("tower-admin").status_code == 303
    page = f"/admin/units/{tower.id}/rooms"
    status, html = _post(chinese, page, page, floor="二十", first="2301", last="")
    assert status == 400 and "请输入-9至200之间的整数" in html
