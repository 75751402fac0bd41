"""An account's role and unit: changed within the admin's reach, never above their own role,
never leaving the city without an active administrator at its top; every change ends the
account's sessions and is audited old → new."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import NotFound, ValidationFailed
from kiosk.models import AuditLog, Role, Staff, Unit, UnitKind, root_unit
from kiosk.services import accounts
from kiosk.services.account_units import assignable_units
from kiosk.services.accounts import NotAllowed
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from tests.conftest import STAFF_PASSWORD


@pytest.fixture
def tree(db: Session) -> dict[str, Unit]:
    """The city; 芙蓉区 with a street and a building under it; 岳麓区 with a building; a
    department under the city."""
    city = root_unit(db)
    made: dict[str, Unit] = {"city": city}

    def add(code: str, kind: UnitKind, name: str, parent: Unit) -> None:
        made[code] = Unit(code=code, kind=kind, name_zh=name, name_en=code, parent=parent)
        db.add(made[code])
        db.flush()

    add("furong", UnitKind.DISTRICT, "芙蓉区专班", city)
    add("wuyi", UnitKind.STREET, "五一大道街道", made["furong"])
    add("f-tower", UnitKind.BUILDING, "芙蓉大厦", made["wuyi"])
    add("yuelu", UnitKind.DISTRICT, "岳麓区专班", city)
    add("y-tower", UnitKind.BUILDING, "麓谷大厦", made["yuelu"])
    add("samr", UnitKind.DEPARTMENT, "市场监管局", city)
    db.commit()
    return made


@pytest.fixture
def person(db: Session) -> Callable[..., Staff]:
    def make(name: str, role: Role = Role.STAFF, unit: str = "") -> Staff:
        return create_staff(db, name, name, STAFF_PASSWORD, role, Actor(None, "test"), unit)

    return make


def _as(db: Session, app: Flask, staff: Staff) -> Actor:
    scope.enter(db, scope.for_staff(db, staff, app.config["KIOSK"]))
    return Actor(staff, "test")


def test_a_change_of_role_and_unit_ends_sessions_and_is_audited_old_to_new(
    app: Flask, db: Session, tree: dict[str, Unit], person: Callable[..., Staff]
) -> None:
    boss = person("boss", Role.ADMIN)
    officer = person("officer", Role.STAFF, "f-tower")
    before = officer.session_version
    with app.test_request_context():
        changed = accounts.change_account(db, officer.id, Role.SUPERVISOR, "yuelu", Actor(boss))
    assert changed.role is Role.SUPERVISOR and changed.unit_id == tree["yuelu"].id
    assert changed.session_version == before + 1
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "staff.change"))
    assert entry is not None and entry.target_id == "officer" and entry.staff_id == boss.id
    assert entry.detail == {"role": ["staff", "supervisor"], "unit": ["f-tower", "yuelu"]}


def test_nothing_changed_is_neither_audited_nor_a_reason_to_sign_out(
    app: Flask, db: Session, tree: dict[str, Unit], person: Callable[..., Staff]
) -> None:
    boss, officer = person("boss", Role.ADMIN), person("officer", Role.STAFF, "f-tower")
    accounts.change_account(db, officer.id, Role.STAFF, "f-tower", Actor(boss))
    assert officer.session_version == 0
    assert db.scalar(select(AuditLog).where(AuditLog.action == "staff.change")) is None


def test_a_district_admin_moves_accounts_only_within_the_district(
    app: Flask, db: Session, tree: dict[str, Unit], person: Callable[..., Staff]
) -> None:
    district = person("district", Role.ADMIN, "furong")
    ours, theirs = person("ours", Role.STAFF, "f-tower"), person("theirs", Role.STAFF, "y-tower")
    db.commit()
    actor = _as(db, app, district)
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            accounts.change_account(db, ours.id, Role.STAFF, "y-tower", actor)  # out of reach
        assert set(refused.value.fields) == {"unit"}
        with pytest.raises(ValidationFailed):
            accounts.change_account(db, ours.id, Role.STAFF, "city", actor)  # above their unit
        with pytest.raises(NotFound):
            accounts.change_account(db, theirs.id, Role.STAFF, "f-tower", actor)
        with pytest.raises(ValidationFailed):
            accounts.change_account(db, ours.id, Role.STAFF, "no-such-unit", actor)
        accounts.change_account(db, ours.id, Role.STAFF, "wuyi", actor)
    assert db.get(Staff, ours.id).unit_id == tree["wuyi"].id  # type: ignore[union-attr]
    offered = [choice.unit.code for choice in assignable_units(db)]
    assert offered == ["furong", "wuyi", "f-tower"]
    assert [c.depth for c in assignable_units(db)] == [0, 1, 2]


def test_no_one_gives_a_role_above_their_own(
    app: Flask, db: Session, tree: dict[str, Unit], person: Callable[..., Staff]
) -> None:
    supervisor = person("super", Role.SUPERVISOR, "furong")
    officer = person("officer", Role.STAFF, "f-tower")
    db.commit()
    actor = _as(db, app, supervisor)
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            accounts.change_account(db, officer.id, Role.ADMIN, "f-tower", actor)
        assert set(refused.value.fields) == {"role"}
        with pytest.raises(ValidationFailed):
            accounts.create_account(db, "newbie", "New", Role.ADMIN, "f-tower", actor)


def test_the_last_city_administrator_cannot_step_down_or_leave_the_top(
    app: Flask, db: Session, tree: dict[str, Unit], person: Callable[..., Staff]
) -> None:
    boss = person("boss", Role.ADMIN)
    with app.test_request_context():
        for role, unit in ((Role.SUPERVISOR, "city"), (Role.ADMIN, "furong")):
            with pytest.raises(NotAllowed):
                accounts.change_account(db, boss.id, role, unit, Actor(boss))
        assert db.get(Staff, boss.id).role is Role.ADMIN  # type: ignore[union-attr]
        gone = person("gone", Role.ADMIN)
        gone.active = False  # a deactivated administrator does not count
        district = person("district", Role.ADMIN, "furong")  # nor does a district's
        db.commit()
        with pytest.raises(NotAllowed):
            accounts.change_account(db, boss.id, Role.STAFF, "city", Actor(boss))
        deputy = person("deputy", Role.ADMIN)
        accounts.change_account(db, boss.id, Role.STAFF, "city", Actor(boss))
        with pytest.raises(NotAllowed):  # now the deputy is the last one
            accounts.change_account(db, deputy.id, Role.ADMIN, "furong", Actor(deputy))
    assert district.role is Role.ADMIN


def test_two_city_administrators_stepping_down_at_once_leave_one(
    app: Flask, db: Session, tree: dict[str, Unit], person: Callable[..., Staff]
) -> None:
    first, second = person("first", Role.ADMIN), person("second", Role.ADMIN)
    db.commit()
    sessions = app.extensions["kiosk.sessionmaker"]
    barrier, outcomes = threading.Barrier(2), []

    def step_down(staff_id: int) -> None:
        with sessions() as own, app.test_request_context():
            me = own.get(Staff, staff_id)
            assert me is not None
            barrier.wait()
            try:
                accounts.change_account(own, staff_id, Role.STAFF, "city", Actor(me))
                outcomes.append("changed")
            except NotAllowed:
                outcomes.append("refused")

    threads = [threading.Thread(target=step_down, args=(s.id,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["changed", "refused"]
    db.expire_all()
    admins = db.scalars(select(Staff).where(Staff.role == Role.ADMIN, Staff.active)).all()
    assert len(admins) == 1
