"""Keeping the tree: paths stay right through moves, refusals say why, reach follows a move,
and two administrators moving units at once leave no broken path. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import NotFound, ValidationFailed
from kiosk.models import Building, Role, Staff, Tenant, Unit, UnitKind, root_unit
from kiosk.models.unit import CHILD_KINDS
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from kiosk.services.units import subtree_ids, tree, units_in_reach
from kiosk.services.units.tree import NotAllowed, UnitDraft
from tests.conftest import STAFF_PASSWORD

SYSTEM = Actor(None, "test")

Make = Callable[..., Unit]


@pytest.fixture
def make_unit(db: Session) -> Make:
    """Add a unit through the service (under the city unless a parent is given)."""

    def factory(code: str, kind: UnitKind, parent: Unit | None = None, **values: str) -> Unit:
        parent_id = parent.id if parent is not None else _root(db).id
        draft = UnitDraft(kind=kind.value, code=code, name_zh=values.pop("name_zh", code), **values)
        return tree.add_unit(db, parent_id, draft, SYSTEM)

    return factory


def _root(db: Session) -> Unit:
    root = root_unit(db)
    db.commit()
    return root


def _paths_are_whole(db: Session) -> None:
    """Every unit's path is its parent's path and its own id."""
    db.expire_all()
    units = {unit.id: unit for unit in db.scalars(select(Unit))}
    for unit in units.values():
        parent = units[unit.parent_id].path if unit.parent_id is not None else "/"
        assert unit.path == f"{parent}{unit.id}/", (unit.code, unit.path, parent)


def _staff(db: Session, name: str, unit: Unit, role: Role = Role.ADMIN) -> Staff:
    return create_staff(db, name, name, STAFF_PASSWORD, role, SYSTEM, unit_code=unit.code)


def _as(db: Session, app: Flask, staff: Staff) -> Actor:
    """Limit the session to what this staff member reaches, as a request would."""
    scope.enter(db, scope.for_staff(db, staff, app.config["KIOSK"]))
    return Actor(staff, "test")


def test_a_building_unit_comes_with_its_building(db: Session, make_unit: Make) -> None:
    district = make_unit("furong", UnitKind.DISTRICT, name_zh="芙蓉区")
    made = make_unit(
        "tower-9", UnitKind.BUILDING, district, name_zh="九号楼", address_zh="五一大道9号"
    )
    building = db.scalar(select(Building).where(Building.code == "tower-9"))
    assert building is not None and building.name_zh == "九号楼"
    assert building.district == "芙蓉区"  # from the district it stands in
    assert made.parent_id == district.id and made.path == f"{district.path}{made.id}/"
    _paths_are_whole(db)


def test_a_subtree_of_depth_four_moves_with_its_paths(
    db: Session, make_unit: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Streets under streets, only so the subtree is four levels deep: the rewrite is by path.
    monkeypatch.setitem(CHILD_KINDS, UnitKind.STREET, frozenset(set(UnitKind) - {UnitKind.CITY}))
    east = make_unit("east", UnitKind.DISTRICT)
    west = make_unit("west", UnitKind.DISTRICT)
    for n in range(8):  # ids past 9, so "/1/2/" and "/1/23/" both exist
        make_unit(f"filler-{n}", UnitKind.DEPARTMENT, east)
    top = make_unit("s1", UnitKind.STREET, east)
    middle = make_unit("s2", UnitKind.STREET, top)
    lower = make_unit("s3", UnitKind.STREET, middle)
    leaf = make_unit("b4", UnitKind.BUILDING, lower)
    beside = make_unit("b5", UnitKind.BUILDING, middle)
    moved_ids = set(subtree_ids(db, top))
    assert moved_ids == {top.id, middle.id, lower.id, leaf.id, beside.id}

    tree.move_unit(db, top.id, west.id, SYSTEM)

    _paths_are_whole(db)
    assert set(subtree_ids(db, db.get(Unit, west.id))) == moved_ids | {west.id}
    assert not moved_ids & set(subtree_ids(db, db.get(Unit, east.id)))
    assert db.get(Unit, leaf.id).path == f"{west.path}{top.id}/{middle.id}/{lower.id}/{leaf.id}/"


def test_a_unit_cannot_move_under_itself_or_where_its_kind_does_not_stand(
    db: Session, make_unit: Make
) -> None:
    east = make_unit("east", UnitKind.DISTRICT)
    street = make_unit("wuyi", UnitKind.STREET, east)
    building = make_unit("tower", UnitKind.BUILDING, street)
    with pytest.raises(NotAllowed) as under_itself:
        tree.move_unit(db, street.id, building.id, SYSTEM)
    assert "parent" in under_itself.value.fields
    with pytest.raises(NotAllowed):
        tree.move_unit(db, street.id, street.id, SYSTEM)
    west = make_unit("west", UnitKind.DISTRICT)
    with pytest.raises(NotAllowed) as kind:
        tree.move_unit(db, west.id, street.id, SYSTEM)  # a district under a street
    assert "kind" in str(kind.value.fields["parent"]).lower()
    with pytest.raises(ValidationFailed) as added:
        tree.add_unit(db, building.id, UnitDraft("street", "x", "某街道"), SYSTEM)
    assert set(added.value.fields) == {"kind"}
    _paths_are_whole(db)


def test_bad_drafts_are_refused_field_by_field(db: Session, make_unit: Make) -> None:
    make_unit("east", UnitKind.DISTRICT)
    draft = UnitDraft(kind="planet", code="East", name_zh="", name_en="x" * 201)
    with pytest.raises(ValidationFailed) as refused:
        tree.add_unit(db, _root(db).id, draft, SYSTEM)
    assert set(refused.value.fields) == {"kind", "code", "name_zh", "name_en"}  # East = east
    with pytest.raises(ValidationFailed) as spaces:
        tree.add_unit(db, _root(db).id, UnitDraft("district", "两 区", "两区"), SYSTEM)
    assert set(spaces.value.fields) == {"code"}


def test_closing_is_refused_with_reasons_until_nothing_is_left_in_it(
    db: Session, make_unit: Make, make_tenant: Callable[..., Tenant]
) -> None:
    district = make_unit("east", UnitKind.DISTRICT)
    street = make_unit("wuyi", UnitKind.STREET, district)
    building = make_unit("tower", UnitKind.BUILDING, street)
    person = _staff(db, "zhang", building, Role.STAFF)
    company = make_tenant("长沙某某科技有限公司", unit_id=building.id)

    with pytest.raises(NotAllowed) as refused:
        tree.close_unit(db, district.id, SYSTEM)
    message = str(refused.value.message)
    assert "wuyi" in message and "tower" in message  # the open units, by name
    assert "zhang" in message and "长沙某某科技有限公司" in message

    person.active = False
    company.moved_out_at = company.created_at
    db.commit()
    with pytest.raises(NotAllowed, match="wuyi"):
        tree.close_unit(db, district.id, SYSTEM)
    tree.close_unit(db, building.id, SYSTEM)
    tree.close_unit(db, street.id, SYSTEM)
    assert tree.close_unit(db, district.id, SYSTEM).closed_at is not None
    assert db.get(Unit, building.id) is not None  # nothing is deleted
    with pytest.raises(NotAllowed):
        tree.reopen_unit(db, street.id, SYSTEM)  # its district is closed
    tree.reopen_unit(db, district.id, SYSTEM)
    assert tree.reopen_unit(db, street.id, SYSTEM).closed_at is None


def test_a_district_admin_cannot_reach_another_districts_units(
    app: Flask, db: Session, make_unit: Make
) -> None:
    east = make_unit("east", UnitKind.DISTRICT)
    west = make_unit("west", UnitKind.DISTRICT)
    theirs = make_unit("west-tower", UnitKind.BUILDING, west)
    ours = make_unit("east-street", UnitKind.STREET, east)
    actor = _as(db, app, _staff(db, "east-admin", east))

    assert {unit.code for unit in units_in_reach(db)} == {"east", "east-street"}
    for change in (
        lambda: tree.rename_unit(db, theirs.id, "改名", "", 0, actor),
        lambda: tree.move_unit(db, theirs.id, east.id, actor),
        lambda: tree.move_unit(db, ours.id, west.id, actor),  # nor move into theirs
        lambda: tree.close_unit(db, theirs.id, actor),
        lambda: tree.add_unit(db, west.id, UnitDraft("building", "x1", "楼"), actor),
    ):
        with pytest.raises(NotFound):
            change()
    with pytest.raises(NotFound):  # its own parent, the city, is not its to change
        tree.add_unit(db, east.parent_id or 0, UnitDraft("district", "x2", "区"), actor)
    with pytest.raises(NotAllowed):
        tree.move_unit(db, east.id, east.id, actor)
    assert tree.rename_unit(db, east.id, "东区", "East", 0, actor).name_zh == "东区"


def test_reach_follows_a_move(app: Flask, db: Session, make_unit: Make) -> None:
    settings = app.config["KIOSK"]
    east = make_unit("east", UnitKind.DISTRICT)
    west = make_unit("west", UnitKind.DISTRICT)
    building = make_unit("tower", UnitKind.BUILDING, east)
    officer = _staff(db, "tower-officer", building, Role.STAFF)
    east_team = _staff(db, "east-team", east, Role.STAFF)
    west_team = _staff(db, "west-team", west, Role.STAFF)
    assert "tower" in (scope.for_staff(db, east_team, settings).buildings or ())

    tree.move_unit(db, building.id, west.id, SYSTEM)

    east_reach = scope.for_staff(db, east_team, settings)
    west_reach = scope.for_staff(db, west_team, settings)
    assert "tower" not in (east_reach.buildings or ()) and "tower" in (west_reach.buildings or ())
    assert str(officer.unit_id) in (west_reach.units or ())
    assert str(officer.unit_id) not in (east_reach.units or ())
    assert scope.for_staff(db, officer, settings).buildings == frozenset({"tower"})


def test_renaming_a_building_unit_renames_its_building(db: Session, make_unit: Make) -> None:
    made = make_unit("tower", UnitKind.BUILDING, make_unit("east", UnitKind.DISTRICT))
    tree.rename_unit(db, made.id, "新名字", "New name", 3, SYSTEM)
    building = db.scalar(select(Building).where(Building.code == "tower"))
    assert building is not None and (building.name_zh, building.name_en) == ("新名字", "New name")
    with pytest.raises(ValidationFailed) as refused:
        tree.rename_unit(db, made.id, "  ", "", 0, SYSTEM)
    assert set(refused.value.fields) == {"name_zh"}


def _race(app: Flask, moves: list[tuple[int, int]]) -> list[BaseException | None]:
    """Run these moves at once, each in its own session; what each raised (None if nothing)."""
    barrier = threading.Barrier(len(moves))
    results: list[BaseException | None] = [None] * len(moves)

    def run(n: int, unit_id: int, parent_id: int) -> None:
        with app.extensions["kiosk.sessionmaker"]() as session:
            barrier.wait()
            try:
                tree.move_unit(session, unit_id, parent_id, SYSTEM)
            except Exception as exc:
                results[n] = exc

    threads = [threading.Thread(target=run, args=(n, *move)) for n, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_moves_at_once_leave_no_broken_path(app: Flask, db: Session, make_unit: Make) -> None:
    districts = [make_unit(f"d{n}", UnitKind.DISTRICT) for n in range(4)]
    for round_ in range(8):
        street = make_unit(f"st{round_}", UnitKind.STREET, districts[0])
        building = make_unit(f"tw{round_}", UnitKind.BUILDING, street)
        # one admin moves the street (and the building under it), another the building alone
        results = _race(app, [(street.id, districts[1].id), (building.id, districts[2].id)])
        assert results == [None, None]
        _paths_are_whole(db)
        assert db.get(Unit, building.id).parent_id == districts[2].id


def test_two_units_moved_under_each_other_at_once_make_no_loop(
    app: Flask, db: Session, make_unit: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CHILD_KINDS, UnitKind.STREET, frozenset({UnitKind.STREET}))
    district = make_unit("d", UnitKind.DISTRICT)
    for round_ in range(3):
        one = make_unit(f"a{round_}", UnitKind.STREET, district)
        other = make_unit(f"b{round_}", UnitKind.STREET, district)
        results = _race(app, [(one.id, other.id), (other.id, one.id)])
        assert sorted(type(r).__name__ for r in results) == ["NoneType", "NotAllowed"], results
        _paths_are_whole(db)
