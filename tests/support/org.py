"""Fixtures: a small organisation for hand-off tests: a city, a district with two buildings, another
district's building, and two departments (市场监管 and 税务) with their officers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk import scope
from kiosk.models import AppealCategory, Building, Role, Staff, Unit, UnitKind, root_unit
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from tests.conftest import STAFF_PASSWORD


@dataclass
class Org:
    """The units of the test organisation, by role."""

    city: Unit
    district: Unit
    building: Unit  # "demo": the test kiosk's building
    neighbour: Unit  # "b-tower": the same district
    elsewhere: Unit  # "c-plaza": another district
    market: Unit  # 市场监管
    tax: Unit  # 税务


def _unit(db: Session, code: str, kind: UnitKind, name: str, parent: Unit) -> Unit:
    unit = Unit(code=code, kind=kind, name_zh=name, name_en=code.title(), parent=parent)
    db.add(unit)
    db.flush()
    return unit


@pytest.fixture
def org(app: Flask, db: Session) -> Org:
    """The tree, its buildings, and the market category handed to 市场监管 by default."""
    city = root_unit(db)
    district = _unit(db, "furong", UnitKind.DISTRICT, "芙蓉区专班", city)
    other = _unit(db, "yuelu", UnitKind.DISTRICT, "岳麓区专班", city)
    units = Org(
        city=city,
        district=district,
        building=_unit(db, "demo", UnitKind.BUILDING, "芙蓉国际金融中心", district),
        neighbour=_unit(db, "b-tower", UnitKind.BUILDING, "B座", district),
        elsewhere=_unit(db, "c-plaza", UnitKind.BUILDING, "C广场", other),
        market=_unit(db, "market-dept", UnitKind.DEPARTMENT, "市场监管局", city),
        tax=_unit(db, "tax-dept", UnitKind.DEPARTMENT, "税务局", city),
    )
    for code in ("demo", "b-tower", "c-plaza"):
        db.add(Building(code=code, name_zh=code, name_en=code))
    db.execute(
        update(AppealCategory)
        .where(AppealCategory.code == "market")
        .values(department_id=units.market.id)
    )
    db.commit()
    return units


@pytest.fixture
def person(db: Session, org: Org) -> Callable[..., Staff]:
    """Make an officer of a unit (by code)."""

    def factory(username: str, unit: Unit, role: Role = Role.STAFF) -> Staff:
        return create_staff(
            db, username, username.title(), STAFF_PASSWORD, role, Actor(None, "test"),
            unit_code=unit.code,
        )  # fmt: skip

    return factory


class As:
    """Sessions limited to what one officer reaches, as a request of theirs would be."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.factory: sessionmaker[Session] = app.extensions["kiosk.sessionmaker"]
        self.sessions: list[Session] = []

    def __call__(self, staff: Staff) -> tuple[Session, Actor]:
        """A session in `staff`'s reach, and the actor for their steps."""
        probe = self.factory()
        reach = scope.for_staff(probe, staff, self.app.config["KIOSK"])
        probe.close()
        db = scope.open_session(self.factory, reach)
        self.sessions.append(db)
        me = db.scalar(select(Staff).where(Staff.id == staff.id))
        assert me is not None
        return db, Actor(me, "203.0.113.9")


@pytest.fixture
def as_(app: Flask) -> Iterator[As]:
    """Sessions in an officer's reach (closed after the test), inside the app's context."""
    helper = As(app)
    with app.test_request_context():
        yield helper
    for db in helper.sessions:
        db.close()


def ids(rows: Any) -> list[int]:
    """The ids of some rows."""
    return [row.id for row in rows]
