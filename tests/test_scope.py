"""The scope is applied by the session, to every statement: reads, `Session.get`, ORM updates and
deletes, and writes at flush; rows loaded before it was set do not leak through the identity map."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.db import utcnow
from kiosk.models import (
    Announcement,
    ApiToken,
    AuditLog,
    Building,
    ConfigVersion,
    Event,
    EventType,
    Kiosk,
    PrintJob,
    PrintStatus,
    Role,
    Scope,
    Staff,
    Tenant,
    Unit,
    root_unit,
)
from kiosk.scope import EVERYTHING, OutOfReach, Reach
from kiosk.services import audit, tokens
from kiosk.services.audit import Actor
from kiosk.services.units import unit_for_code


def _demo(db: Session) -> Reach:
    """The "demo" building's reach: its code, its kiosk and its unit (made with its building)."""
    unit = db.scalar(select(Unit.id).where(Unit.code == "demo"))
    return Reach(frozenset({"demo"}), frozenset({"kiosk-a"}), frozenset({str(unit)}))


def _two_buildings(db: Session) -> dict[str, Any]:
    """One of each scoped thing in building "demo" (kiosk-a) and in "b-tower" (kiosk-b)."""
    made: dict[str, Any] = {}
    now = utcnow()
    for code, kiosk in (("demo", "kiosk-a"), ("b-tower", "kiosk-b")):
        building = Building(code=code, name_zh=code, name_en=code)
        db.add(building)
        db.flush()
        made[f"tenant {code}"] = Tenant(building_id=building.id, uscc=f"{code[:1]}" * 18, name=code)
        made[f"kiosk {code}"] = Kiosk(id=kiosk, building_code=code)
        made[f"notice {code}"] = Announcement(building_code=code, text_zh=code, starts_at=now)
        made[f"job {code}"] = PrintJob(kiosk_id=kiosk, kind="appeal_slip", document={})
        made[f"event {code}"] = Event(
            building_code=code, title=code, kind=EventType.CLASS, starts_at=now,
            ends_at=now + timedelta(hours=1), capacity=10,
        )  # fmt: skip
    made["event shared"] = Event(
        building_code="", title="all", kind=EventType.CLASS, starts_at=now,
        ends_at=now + timedelta(hours=1), capacity=10,
    )  # fmt: skip
    db.add_all(made.values())
    db.commit()
    return made


def test_reads_and_session_get_see_only_what_is_in_reach(db: Session) -> None:
    made = _two_buildings(db)
    theirs, ours = made["notice b-tower"], made["notice demo"]
    # Everything above is in the identity map: entering the scope must not leave it findable.
    scope.enter(db, _demo(db))
    assert db.get(Announcement, theirs.id) is None
    assert db.get(Announcement, ours.id) is not None
    assert [a.building_code for a in db.scalars(select(Announcement))] == ["demo"]
    assert db.scalar(select(func.count()).select_from(PrintJob)) == 1
    assert list(db.scalars(select(PrintJob.kiosk_id))) == ["kiosk-a"]
    assert sorted(e.title for e in db.scalars(select(Event))) == ["all", "demo"]  # "" is shared
    assert [t.name for t in db.scalars(select(Tenant))] == ["demo"]  # through its building
    assert [k.id for k in db.scalars(select(Kiosk))] == ["kiosk-a"]
    building = db.scalar(select(Building).where(Building.code == "b-tower"))
    assert building is not None  # buildings themselves are not scoped: their names are public
    assert [t.name for t in building.tenants] == []  # but a relationship load is


def test_orm_updates_and_deletes_touch_only_what_is_in_reach(app: Flask, db: Session) -> None:
    _two_buildings(db)
    scope.enter(db, _demo(db))
    db.execute(update(PrintJob).values(status=PrintStatus.CANCELLED))
    db.execute(delete(Announcement))
    db.commit()
    with app.extensions["kiosk.sessionmaker"]() as everyone:
        jobs = {j.kiosk_id: j.status for j in everyone.scalars(select(PrintJob))}
        assert jobs == {"kiosk-a": PrintStatus.CANCELLED, "kiosk-b": PrintStatus.PENDING}
        assert [a.building_code for a in everyone.scalars(select(Announcement))] == ["b-tower"]


@pytest.mark.parametrize(
    "row",
    [
        lambda: Announcement(building_code="b-tower", text_zh="x", starts_at=utcnow()),
        lambda: PrintJob(kiosk_id="kiosk-b", kind="appeal_slip", document={}),
        lambda: ConfigVersion(kiosk_id="", changed_by="x"),  # the whole fleet's: not one kiosk's
        lambda: Event(
            building_code="",
            title="x",
            kind=EventType.CLASS,
            starts_at=utcnow(),
            ends_at=utcnow(),
            capacity=1,
        ),
    ],
    ids=["another building", "another kiosk", "the fleet", "every building"],
)
def test_a_write_out_of_reach_is_refused_at_flush(db: Session, row: object) -> None:
    _two_buildings(db)
    scope.enter(db, _demo(db))
    db.add(row() if callable(row) else row)
    with pytest.raises(OutOfReach):
        db.flush()
    db.rollback()


def test_a_change_that_moves_a_row_out_of_reach_is_refused(db: Session) -> None:
    made = _two_buildings(db)
    scope.enter(db, _demo(db))
    ours = db.get(Announcement, made["notice demo"].id)
    assert ours is not None
    ours.building_code = "b-tower"
    with pytest.raises(OutOfReach):
        db.flush()
    db.rollback()


def test_writes_in_reach_and_audit_entries_are_kept(db: Session, make_staff: object) -> None:
    _two_buildings(db)
    scope.enter(db, _demo(db))
    db.add(Announcement(building_code="demo", text_zh="本楼通知", starts_at=utcnow()))
    db.add(PrintJob(kiosk_id="kiosk-a", kind="appeal_slip", document={}))
    audit.record(db, Actor(None, "test"), "fleet.config", "fleet", "*")  # fleet-wide: ""
    db.commit()
    assert db.scalar(select(func.count()).select_from(AuditLog)) == 0  # written, not readable
    scope.enter(db, EVERYTHING)
    assert db.scalar(select(func.count()).select_from(AuditLog)) == 1


def test_audit_entries_are_filed_under_the_target_building(db: Session) -> None:
    made = _two_buildings(db)
    theirs = made["notice b-tower"]
    officer = Staff(
        username="b", display_name="B", password_hash="x", role=Role.STAFF,
        unit=unit_for_code(db, "demo"),
    )  # fmt: skip
    db.add(officer)
    db.commit()
    entry = audit.record(db, Actor(officer), "announcement.update", "announcement", str(theirs.id))
    job = audit.record(db, Actor(None), "print_job.retry", "print_job", str(made["job b-tower"].id))
    mine = audit.record(db, Actor(officer), "appeal.export", "appeal", "*")
    db.commit()
    assert (entry.building_code, job.building_code, mine.building_code) == (
        "b-tower", "b-tower", "demo"
    )  # fmt: skip


def test_who_reaches_what(app: Flask, db: Session) -> None:
    _two_buildings(db)
    settings = app.config["KIOSK"]  # this server is kiosk-1 in "demo"
    city = Staff(
        username="c", display_name="C", password_hash="x", role=Role.ADMIN, unit=root_unit(db)
    )
    demo = unit_for_code(db, "demo")
    officer = Staff(username="o", display_name="O", password_hash="x", role=Role.ADMIN, unit=demo)
    nowhere = Staff(username="n", display_name="N", password_hash="x", role=Role.ADMIN)
    db.add_all([city, officer])
    db.flush()
    assert scope.for_staff(db, city, settings) is EVERYTHING
    assert scope.for_staff(db, officer, settings) == Reach(
        frozenset({"demo"}), frozenset({"kiosk-a", "kiosk-1"}), frozenset({str(demo.id)})
    )
    # An account that belongs to no unit (never written so: the flush gives it the city)
    # reaches nothing, rather than everything.
    assert scope.for_staff(db, nowhere, settings) == scope.NOTHING
    maintainer = tokens.create(db, "on call", Scope.ADMIN).row
    kiosk_b = tokens.create(db, "kiosk b", Scope.OPERATE, kiosk_id="kiosk-b").row
    unseen = tokens.create(db, "new kiosk", Scope.OPERATE, kiosk_id="kiosk-9").row
    assert isinstance(maintainer, ApiToken)
    assert scope.for_token(db, maintainer, settings) is EVERYTHING
    b_unit = db.scalar(select(Unit.id).where(Unit.code == "b-tower"))
    assert scope.for_token(db, kiosk_b, settings) == Reach(
        frozenset({"b-tower"}), frozenset({"kiosk-b"}), frozenset({str(b_unit)})
    )
    assert scope.for_token(db, unseen, settings) == Reach(
        frozenset(), frozenset({"kiosk-9"}), frozenset()
    )


def test_a_streamed_export_keeps_the_reach(app: Flask, db: Session) -> None:
    _two_buildings(db)
    with scope.open_session(app.extensions["kiosk.sessionmaker"], _demo(db)) as other:
        assert [a.building_code for a in other.scalars(select(Announcement))] == ["demo"]


def test_a_row_scoped_through_its_parent_is_written_only_under_a_parent_in_reach(
    db: Session,
) -> None:
    made = _two_buildings(db)
    ours, theirs = made["tenant demo"].building_id, made["tenant b-tower"].building_id
    scope.enter(db, _demo(db))
    db.add(Tenant(building_id=ours, uscc="9" * 18, name="新入驻公司"))
    db.flush()  # a company moving into the officer's own building
    db.add(Tenant(building_id=theirs, uscc="8" * 18, name="别楼公司"))
    with pytest.raises(OutOfReach):
        db.flush()
    db.rollback()
