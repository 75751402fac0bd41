"""Approving a registration or an address change moves the company on its list: its room, its
label and a TenantMove whose source is the application's reference. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import ValidationFailed
from kiosk.models import Application, AuditLog, Tenant, TenantMove
from kiosk.services.audit import Actor
from kiosk.tasks import TASKS
from kiosk.tasks.base import Approval
from kiosk.validators import uscc_check_char
from tests.support.companies import build_tree

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
FIRST17 = "91430102MA4LR0001"
ISSUED = FIRST17 + uscc_check_char(FIRST17)


@pytest.fixture
def tree(db: Session) -> dict[str, Any]:
    """City → district (two buildings with rooms, a street, a department) and its officers."""
    return build_tree(db)


def _application(db: Session, task: str, answers: dict[str, Any], **more: Any) -> Application:
    key = uuid.uuid4().hex
    application = Application(
        reference=f"{task[:2].upper()}-20261207-{key[:4]}", token=key, submission_key=key,
        task=task, kiosk_id="kiosk-1", building_code="demo", company_name="长沙星辰科技有限公司",
        answers=answers, pickup_code="123456", **more,
    )  # fmt: skip
    db.add(application)
    db.commit()
    return application


def _approve(app: Flask, db: Session, application: Application, actor: Actor) -> None:
    paperwork = TASKS[application.task].paperwork
    assert paperwork is not None and paperwork.approve is not None
    with app.test_request_context():
        paperwork.approve(
            Approval(
                db, app.config["KIOSK"], application, application.answers, actor, NOW,
                issued_uscc=ISSUED,
            )
        )  # fmt: skip
        db.commit()


def test_an_approved_registration_moves_in_with_its_room_and_history(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    room = tree["rooms"]["demo:1202"]
    answers = {
        "company_type": "llc_natural", "capital": "100", "rep_name": "张三",
        "scopes": ["software"], "room_id": str(room.id),
    }  # fmt: skip
    application = _application(db, "register", answers)
    _approve(app, db, application, Actor(tree["demo_chief"]))
    tenant = db.scalar(select(Tenant).where(Tenant.uscc == ISSUED))
    assert tenant is not None
    assert (tenant.room_id, tenant.floor_room, tenant.unit_id) == (
        room.id, "12F-1202", tree["units"]["demo"].id
    )  # fmt: skip
    assert tenant.registered_capital == Decimal("100") and tenant.legal_representative == "张三"
    assert tenant.founded_on == NOW.date()
    move = db.scalars(select(TenantMove).where(TenantMove.tenant_id == tenant.id)).one()
    assert (move.kind, move.to_building, move.to_place, move.source) == (
        "in", "demo", "12F-1202", application.reference
    )  # fmt: skip
    logged = db.scalar(select(AuditLog).where(AuditLog.action == "company.move"))
    assert logged is not None and logged.detail["source"] == application.reference


def _tenant(db: Session, tree: dict[str, Any]) -> Tenant:
    room = tree["rooms"]["demo:1201"]
    tenant = Tenant(
        building_id=room.building_id, uscc=ISSUED, name="长沙星辰科技有限公司", room_id=room.id,
        floor_room="12F-1201",
    )  # fmt: skip
    db.add(tenant)
    db.commit()
    return tenant


def test_an_approved_address_change_moves_rooms_with_the_reference(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    tenant = _tenant(db, tree)
    room = tree["rooms"]["demo:1501"]
    answers = {"destination": "in_building", "room_id": str(room.id)}
    application = _application(db, "address", answers, tenant_id=tenant.id)
    _approve(app, db, application, Actor(tree["demo_chief"]))
    db.refresh(tenant)
    assert (tenant.room_id, tenant.floor_room, tenant.active) == (room.id, "15F-1501", True)
    move = db.scalars(select(TenantMove).where(TenantMove.tenant_id == tenant.id)).one()
    assert (move.kind, move.from_place, move.to_place, move.source) == (
        "room", "12F-1201", "15F-1501", application.reference
    )  # fmt: skip


def test_an_approved_move_out_frees_the_room_and_keeps_the_company_listed(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    tenant = _tenant(db, tree)
    answers = {"destination": "moving_out", "new_address": "长沙市岳麓区麓谷大道 1 号"}
    application = _application(db, "address", answers, tenant_id=tenant.id)
    _approve(app, db, application, Actor(tree["demo_chief"]))
    db.refresh(tenant)
    assert (tenant.active, tenant.room_id, tenant.moved_out_at) == (False, None, NOW)
    assert tenant.unit_id == tree["units"]["demo"].id
    move = db.scalars(select(TenantMove).where(TenantMove.tenant_id == tenant.id)).one()
    assert (move.kind, move.from_building, move.source) == ("out", "demo", application.reference)
    with pytest.raises(ValidationFailed):  # approving it again finds it gone
        _approve(app, db, application, Actor(tree["demo_chief"]))
