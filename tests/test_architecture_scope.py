"""Scope holds on every route that names a record: walking the URL map, each admin and API
endpoint that takes an id (or a reference, or a kiosk's id) answers 404 to a building's officer,
and to a kiosk's token, for a record of another building or kiosk, GET and POST alike.

A new endpoint that takes an id fails `test_every_id_taking_endpoint_is_covered` until it is
given a record factory here (or, for records every building shares, a reason in SHARED).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import AnyConverter, Rule

from kiosk.db import utcnow
from kiosk.models import (
    Announcement,
    Appeal,
    AppealCategory,
    Application,
    Building,
    Channel,
    CommandKind,
    Event,
    EventType,
    Kiosk,
    KioskCommand,
    MessageState,
    Notification,
    PrintJob,
    PrintStatus,
    Role,
    Room,
    Scope,
    Tenant,
    Unit,
)
from kiosk.services import tokens
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from kiosk.validators import uscc_check_char
from printers import Receipt, Text
from tests.conftest import STAFF_PASSWORD, AuthActions
from tests.support.pages import csrf_token

OURS = ("demo", "kiosk-1")  # the test server's own building and kiosk
THEIRS = ("b-tower", "kiosk-b")
Values = dict[str, Any]
NUMBERS = itertools.count(1)  # for references: SQ-20261207-0001, …
Factory = Callable[[Session, str, str], Values]


def _kiosk(db: Session, building: str, kiosk: str) -> Values:
    if db.get(Kiosk, kiosk) is None:
        db.add(Kiosk(id=kiosk, building_code=building, name=f"{building} lobby"))
    db.commit()  # and end the read, or SQLite would refuse the next write from a stale snapshot
    return {"kiosk_id": kiosk}


def _announcement(db: Session, building: str, kiosk: str) -> Values:
    item = Announcement(building_code=building, text_zh=f"{building}的通知", starts_at=utcnow())
    db.add(item)
    db.commit()
    return {"announcement_id": item.id}


def _appeal(db: Session, building: str, kiosk: str) -> Values:
    category = db.scalar(select(AppealCategory.id).order_by(AppealCategory.id))
    key = uuid.uuid4().hex
    appeal = Appeal(
        reference=f"SQ-20261207-{next(NUMBERS):04d}", token=key, submission_key=key, kiosk_id=kiosk,
        building_code=building, company_name=f"{building}的公司", category_id=category,
        description="停车难。", contact_name="张三", contact_mobile="13812345678",
        due_date=date.today() + timedelta(days=5),
    )  # fmt: skip
    db.add(appeal)
    db.commit()
    return {"reference": appeal.reference}


def _application(db: Session, building: str, kiosk: str) -> Values:
    key = uuid.uuid4().hex
    application = Application(
        reference=f"GH-20261207-{next(NUMBERS):04d}", token=key, submission_key=key, task="union",
        kiosk_id=kiosk, building_code=building, company_name=f"{building}的公司",
        answers={"company_name": f"{building}的公司", "route": "joint_union"},
        pickup_code="123456",
    )  # fmt: skip
    db.add(application)
    db.commit()
    return {"application_id": application.id}


def _event(db: Session, building: str, kiosk: str) -> Values:
    starts = utcnow() + timedelta(days=3)
    event = Event(
        building_code=building, title=f"{building}的营商课堂", kind=EventType.CLASS,
        starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=30,
    )  # fmt: skip
    db.add(event)
    db.commit()
    return {"event_id": event.id}


def _command(db: Session, building: str, kiosk: str) -> Values:
    _kiosk(db, building, kiosk)
    command = KioskCommand(
        kiosk_id=kiosk, kind=CommandKind.SCREENSHOT, issued_by="test", attachment=b"\x89PNG"
    )
    db.add(command)
    db.commit()
    return {"command_id": command.id}


def _job(db: Session, building: str, kiosk: str) -> Values:
    _kiosk(db, building, kiosk)
    job = PrintJob(
        kiosk_id=kiosk, kind="appeal_slip", subject=f"SQ-{building}",
        document=Receipt((Text(f"{building}的回执"),)).to_dict(), status=PrintStatus.FAILED,
    )  # fmt: skip
    db.add(job)
    db.commit()
    return {"job_id": job.id}


def _message(db: Session, building: str, kiosk: str) -> Values:
    message = Notification(
        channel=Channel.SMS, audience="tenant", recipient="13812345678",
        recipient_masked="138****5678", template="appeal_answered", params={},
        dedupe_key=uuid.uuid4().hex, building_code=building, state=MessageState.FAILED,
    )  # fmt: skip
    db.add(message)
    db.commit()
    return {"message_id": message.id}


def _staff(db: Session, building: str, kiosk: str) -> Values:
    name = f"{building}-officer-{next(NUMBERS)}"
    staff = create_staff(
        db, name, name, STAFF_PASSWORD, Role.STAFF, Actor(None, "test"), unit_code=building
    )
    return {"staff_id": staff.id}


def _company(db: Session, building: str, kiosk: str) -> Values:
    from kiosk.models import Building, Tenant
    from kiosk.validators import uscc_check_char

    found = db.scalar(select(Building).where(Building.code == building))
    if found is None:
        found = Building(code=building, name_zh=f"{building}大厦", name_en=building)
        db.add(found)  # its unit comes with it
        db.flush()
    first17 = f"91430102MA5C{next(NUMBERS):05d}"
    tenant = Tenant(
        building_id=found.id, uscc=first17 + uscc_check_char(first17), name=f"{building}的公司"
    )
    db.add(tenant)
    db.commit()
    return {"tenant_id": tenant.id}


def _building(db: Session, building: str) -> Building:
    found = db.scalar(select(Building).where(Building.code == building))
    if found is None:
        found = Building(code=building, name_zh=f"{building}大厦", name_en=building)
        db.add(found)  # its unit comes with it (or is the one its staff were made under)
        db.commit()
    return found


def _unit(db: Session, building: str, kiosk: str) -> Values:
    _building(db, building)
    return {"unit_id": db.scalar(select(Unit.id).where(Unit.code == building))}


def _visit(db: Session, building: str, kiosk: str) -> Values:
    from kiosk.models import Staff, Tenant, Visit

    tenant = db.get(Tenant, _company(db, building, kiosk)["tenant_id"])
    assert tenant is not None and tenant.unit_id is not None
    officer = db.scalar(select(Staff.id).order_by(Staff.id))
    number = next(NUMBERS)
    visit = Visit(
        reference=f"ZF-20261207-{number:04d}", submission_key=uuid.uuid4().hex,
        tenant_id=tenant.id, unit_id=tenant.unit_id, building_code=building, officer_id=officer,
        visited_on=date.today(), met="李总", discussed=f"{building}的走访",
    )  # fmt: skip
    db.add(visit)
    db.commit()
    return {"visit_id": visit.id}


def _room(db: Session, building: str, kiosk: str) -> Values:
    room = Room(building_id=_building(db, building).id, floor=3, number=f"3{next(NUMBERS):03d}")
    db.add(room)
    db.commit()
    return {"room_id": room.id}


def _api_unit(db: Session, building: str, kiosk: str) -> Values:
    if db.scalar(select(Building).where(Building.code == building)) is None:
        db.add(Building(code=building, name_zh=f"{building}大厦", name_en=building))
        db.commit()
    return {"unit_code": building}


def _api_company(db: Session, building: str, kiosk: str) -> Values:
    _api_unit(db, building, kiosk)
    first17 = f"91430102MA4L{next(NUMBERS):05d}"
    found = db.scalar(select(Building).where(Building.code == building))
    assert found is not None
    tenant = Tenant(building_id=found.id, uscc=first17 + uscc_check_char(first17), name="测试公司")
    db.add(tenant)
    db.commit()
    return {"uscc": tenant.uscc}


def _hand_off(db: Session, building: str, kiosk: str) -> Values:
    from kiosk.models import Assignment, Unit, UnitKind, root_unit
    from kiosk.services.units import unit_for_code

    appeal = db.scalar(
        select(Appeal).where(Appeal.reference == _appeal(db, building, kiosk)["reference"])
    )
    assert appeal is not None
    department = db.scalar(select(Unit).where(Unit.code == "arch-dept"))
    if department is None:
        department = Unit(
            code="arch-dept", kind=UnitKind.DEPARTMENT, name_zh="测试部门", parent=root_unit(db)
        )
        db.add(department)
        db.flush()
    row = Assignment(
        appeal_id=appeal.id, building_code=building, department_id=department.id,
        from_unit_id=unit_for_code(db, building).id, due_on=date.today() + timedelta(days=5),
        working_days=5,
    )  # fmt: skip
    db.add(row)
    db.commit()
    return {"assignment_id": row.id}


def _problem(db: Session, building: str, kiosk: str) -> Values:
    from kiosk.models import CommonProblem, ProblemAppeal

    unit_id = _unit(db, building, kiosk)["unit_id"]
    appeal = db.scalar(
        select(Appeal).where(Appeal.reference == _appeal(db, building, kiosk)["reference"])
    )
    problem = CommonProblem(title=f"{building}的共性问题", unit_id=unit_id)
    db.add(problem)
    db.flush()
    db.add(ProblemAppeal(problem_id=problem.id, appeal_id=appeal.id))
    db.commit()
    return {"problem_id": problem.id}


@dataclass(frozen=True)
class Case:
    """How to make a record of a building and kiosk for an endpoint, and what else it needs."""

    make: Factory
    extra: Values = field(default_factory=dict)  # other path values (not ids)
    body: Values = field(default_factory=dict)  # JSON for an API POST


ADMIN: dict[str, Case] = {
    "admin.show_appeal": Case(_appeal),
    "admin.accept_appeal": Case(_appeal),
    "admin.assign_appeal": Case(_appeal),
    "admin.add_note": Case(_appeal),
    "admin.reopen_appeal": Case(_appeal),
    "admin.reply_to_appeal": Case(_appeal),
    "admin.resolve_appeal": Case(_appeal),
    "admin.hand_off_appeal": Case(_appeal),
    "admin.call_back_appeal": Case(_appeal),
    "admin.accept_hand_off": Case(_hand_off),
    "admin.return_hand_off": Case(_hand_off),
    "admin.reply_to_hand_off": Case(_hand_off),
    "admin.publish_hand_off": Case(_hand_off),
    "admin.send_back_hand_off": Case(_hand_off),
    "admin.urge_hand_off": Case(_hand_off),
    "admin.show_application": Case(_application),
    "admin.approve_application": Case(_application),
    "admin.cancel_booking": Case(_application),
    "admin.record_payment": Case(_application),
    "admin.reject_application": Case(_application),
    "admin.request_changes": Case(_application),
    "admin.edit_announcement": Case(_announcement),
    "admin.deactivate_announcement": Case(_announcement),
    "admin.show_event": Case(_event),
    "admin.edit_event": Case(_event),
    "admin.cancel_event": Case(_event),
    "admin.export_event_attendees": Case(_event),
    "admin.show_kiosk": Case(_kiosk),
    "admin.send_kiosk_command": Case(_kiosk, extra={"kind": "reload"}),
    "admin.change_kiosk_config": Case(_kiosk),
    "admin.rotate_kiosk_token": Case(_kiosk),
    "admin.show_kiosk_screenshot": Case(_command),
    "admin.preview_print_job": Case(_job),
    "admin.retry_print_job": Case(_job),
    "admin.cancel_print_job": Case(_job),
    "admin.reprint_print_job": Case(_job),
    "admin.retry_message": Case(_message),
    "admin.show_staff": Case(_staff),
    "admin.deactivate_staff": Case(_staff),
    "admin.reactivate_staff": Case(_staff),
    "admin.reset_second_factor": Case(_staff),
    "admin.reset_staff_password": Case(_staff),
    "admin.change_staff": Case(_staff),
    "admin.show_company": Case(_company),
    "admin.edit_company": Case(_company),
    "admin.move_company": Case(_company),
    "admin.move_out_company": Case(_company),
    "admin.show_unit": Case(_unit),
    "admin.add_unit": Case(_unit),
    "admin.rename_unit": Case(_unit),
    "admin.move_unit": Case(_unit),
    "admin.close_unit": Case(_unit),
    "admin.reopen_unit": Case(_unit),
    "admin.list_rooms": Case(_unit),
    "admin.add_rooms": Case(_unit),
    "admin.renumber_room": Case(_room),
    "admin.group_appeals": Case(_appeal),
    "admin.show_common_problem": Case(_problem),
    "admin.record_meeting": Case(_problem),
    "admin.answer_common_problem": Case(_problem),
    "admin.note_common_problem": Case(_problem),
    "admin.close_common_problem": Case(_problem),
    "admin.join_common_problem": Case(_problem),
    "admin.remove_from_common_problem": Case(_problem),
    "admin.deactivate_room": Case(_room),
    "admin.reactivate_room": Case(_room),
    "admin.record_visit": Case(_company),
    "admin.company_history": Case(_company),
    "admin.show_visit": Case(_visit),
}
API: dict[str, Case] = {
    "api.get_kiosk": Case(_kiosk),
    "api.post_heartbeat": Case(_kiosk, body={"building": THEIRS[0], "name": "x"}),
    "api.get_logs": Case(_kiosk),
    "api.list_commands": Case(_kiosk),
    "api.issue_command": Case(_kiosk, body={"kind": "reload"}),
    "api.get_command": Case(_command),
    "api.get_screenshot": Case(_command),
    "api.finish_edge_command": Case(_command, body={"ok": True, "result": {}}),
    "api.retry_print_job": Case(_job),
    "api.cancel_print_job": Case(_job),
    "api.get_unit": Case(_api_unit),
    "api.get_company": Case(_api_company),
}
# Endpoints whose id names a record every building shares, and why; what they show of a
# building's own records is checked in tests/test_scope_leaks.py.
SHARED = {
    "admin.show_policy": "the city's policy catalogue (its matched companies are scoped)",
    "admin.edit_policy": "the city's policy catalogue",
    "admin.withdraw_policy": "the city's policy catalogue",
    "admin.notify_tenant": "the city's policy catalogue (the company posted is scoped)",
    "admin.export_policy_tenants": "the city's policy catalogue (its matched companies are scoped)",
    # changed only by the city's administrators (404 to others: tests/admin/test_categories.py)
    "admin.edit_category": "the city's appeal categories",
    "admin.deactivate_category": "the city's appeal categories",
    "admin.reactivate_category": "the city's appeal categories",
}


def _ids(rule: Rule) -> set[str]:
    """The rule's path values that name something (a choice among fixed words does not)."""
    return {
        name
        for name, converter in rule._converters.items()
        if not isinstance(converter, AnyConverter)
    }


def _routes(app: Flask, prefix: str) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(prefix) and _ids(rule):
            yield rule


def test_every_id_taking_endpoint_is_covered(app: Flask) -> None:
    found = {rule.endpoint for prefix in ("admin.", "api.") for rule in _routes(app, prefix)}
    missing = found - set(ADMIN) - set(API) - set(SHARED)
    assert not missing, f"give these a record factory in this file: {sorted(missing)}"
    assert not (set(ADMIN) | set(API) | set(SHARED)) - found, "the table names a gone endpoint"


def _url(app: Flask, endpoint: str, values: Values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def _methods(app: Flask, endpoint: str) -> list[str]:
    methods: set[str] = set()
    for rule in app.url_map.iter_rules(endpoint=endpoint):
        methods |= (rule.methods or set()) & {"GET", "POST"}
    return sorted(methods)


@pytest.fixture
def officer(app: Flask, db: Session, client: FlaskClient) -> FlaskClient:
    """An admin limited to the server's own building, signed in."""
    create_staff(
        db, "demo-admin", "本楼管理员", STAFF_PASSWORD, Role.ADMIN, Actor(None, "test"),
        unit_code=OURS[0],
    )  # fmt: skip
    assert AuthActions(client).sign_in("demo-admin").status_code in (302, 303)
    return client


def test_a_building_officer_gets_404_for_another_buildings_records(
    app: Flask, db: Session, officer: FlaskClient
) -> None:
    token = csrf_token(officer.get("/admin/appeals").get_data(as_text=True))
    wrong = []
    for endpoint, case in ADMIN.items():
        theirs = _url(app, endpoint, {**case.make(db, *THEIRS), **case.extra})
        for method in _methods(app, endpoint):
            data = {"csrf_token": token} if method == "POST" else None
            answer = officer.open(theirs, method=method, data=data)
            if answer.status_code != 404:
                wrong.append((endpoint, method, answer.status_code))
        if "GET" in _methods(app, endpoint):  # the same page of their own building opens
            ours = _url(app, endpoint, {**case.make(db, *OURS), **case.extra})
            if (status := officer.get(ours).status_code) != 200:
                wrong.append((endpoint, "GET our own", status))
    assert wrong == []


def test_a_kiosks_token_gets_404_for_another_kiosks_records(app: Flask, db: Session) -> None:
    _kiosk(db, *OURS)
    made = tokens.create(db, "kiosk-1's agent", Scope.ADMIN, kiosk_id=OURS[1])
    headers = {"Authorization": f"Bearer {made.token}"}
    client = app.test_client()
    wrong = []
    for endpoint, case in API.items():
        theirs = _url(app, endpoint, {**case.make(db, *THEIRS), **case.extra})
        for method in _methods(app, endpoint):
            body = case.body if method == "POST" else None
            answer = client.open(theirs, method=method, json=body, headers=headers)
            if answer.status_code != 404 or answer.get_json()["error"] != "not_found":
                wrong.append((endpoint, method, answer.status_code))
        if "GET" in _methods(app, endpoint):  # the same for its own kiosk answers
            ours = _url(app, endpoint, {**case.make(db, *OURS), **case.extra})
            if (status := client.get(ours, headers=headers).status_code) != 200:
                wrong.append((endpoint, "GET our own", status))
    assert wrong == []
