"""The application service: one row per submit, slots never overbooked, decisions audited."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.db import utcnow
from kiosk.errors import Conflict, ValidationFailed
from kiosk.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Building,
    InvoiceSlot,
    Staff,
    Tenant,
)
from kiosk.services import applications
from kiosk.services.applications import Draft
from kiosk.services.audit import Actor


def _draft(tenant: Tenant, slot: InvoiceSlot | None = None, **values: object) -> Draft:
    fields: dict[str, object] = {
        "task": "invoice",
        "reference_prefix": "FP",
        "submission_key": uuid.uuid4().hex,
        "answers": {"contact_name": "孙八"},
        "company_name": tenant.name,
        "company_uscc": tenant.uscc,
        "tenant_id": tenant.id,
        "locale": "zh_CN",
        "approved_on_submit": True,
        "slot_id": slot.id if slot else None,
    }
    fields.update(values)
    return Draft(**fields)  # type: ignore[arg-type]


@pytest.fixture
def slot(db: Session, building: Building) -> InvoiceSlot:
    start = utcnow() + timedelta(days=1)
    made = InvoiceSlot(
        building_code="demo", starts_at=start, ends_at=start + timedelta(hours=1), capacity=1
    )
    db.add(made)
    db.commit()
    return made


def test_two_kiosks_booking_the_last_place_at_once_get_one_booking(
    app: Flask, db: Session, slot: InvoiceSlot, make_tenant: Callable[..., Tenant]
) -> None:
    """Run on SQLite (one file, two connections) and on PostgreSQL (the fleet)."""
    tenants = [make_tenant(), make_tenant()]
    settings = app.config["KIOSK"]
    factory = sessionmaker(app.extensions["kiosk.engine"], expire_on_commit=False)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def book(tenant: Tenant) -> None:
        with factory() as session:
            barrier.wait()
            try:
                applications.submit(session, settings, _draft(tenant, slot))
                outcomes.append("booked")
            except ValidationFailed as exc:
                outcomes.append("full" if "slot_id" in exc.fields else "other")

    threads = [threading.Thread(target=book, args=(tenant,)) for tenant in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "full"]
    db.rollback()
    assert db.scalar(select(InvoiceSlot.booked).where(InvoiceSlot.id == slot.id)) == 1
    assert db.scalar(select(func.count()).select_from(Application)) == 1


def test_a_past_slot_cannot_be_booked(
    app: Flask, db: Session, slot: InvoiceSlot, make_tenant: Callable[..., Tenant]
) -> None:
    slot.starts_at = utcnow() - timedelta(minutes=1)
    db.commit()
    with pytest.raises(ValidationFailed):
        applications.submit(db, app.config["KIOSK"], _draft(make_tenant(), slot))


def test_cancelling_a_booking_frees_its_place_and_is_audited(
    app: Flask,
    db: Session,
    slot: InvoiceSlot,
    make_tenant: Callable[..., Tenant],
    make_staff: Callable[..., Staff],
) -> None:
    officer = make_staff()
    booked = applications.submit(db, app.config["KIOSK"], _draft(make_tenant(), slot))
    assert booked.status is ApplicationStatus.APPROVED
    applications.cancel_booking(db, booked.id, Actor(officer), "税务窗口当天停止办公")
    db.rollback()
    assert db.get(InvoiceSlot, slot.id).booked == 0  # type: ignore[union-attr]
    assert db.get(Application, booked.id).status is ApplicationStatus.CANCELLED  # type: ignore[union-attr]
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "application.cancel")).one()
    assert entry.staff_id == officer.id and entry.target_id == booked.reference
    with pytest.raises(Conflict):
        applications.cancel_booking(db, booked.id, Actor(officer), "again")


def test_a_decision_is_taken_once(
    app: Flask,
    db: Session,
    make_tenant: Callable[..., Tenant],
    make_staff: Callable[..., Staff],
) -> None:
    officer = make_staff()
    draft = _draft(make_tenant(), task="union", reference_prefix="GH", approved_on_submit=False)
    application = applications.submit(db, app.config["KIOSK"], draft)
    assert application.reference.startswith("GH-") and application.status.is_open
    applications.approve(db, application.id, Actor(officer))
    with pytest.raises(Conflict):
        applications.reject(db, application.id, Actor(officer), "晚了一步")
    with pytest.raises(ValidationFailed):
        applications.request_changes(db, application.id, Actor(officer), "x", [], ["staff"])


def test_request_changes_keeps_only_real_steps(
    app: Flask, db: Session, make_tenant: Callable[..., Tenant], make_staff: Callable[..., Staff]
) -> None:
    officer = make_staff()
    draft = _draft(make_tenant(), task="tax", reference_prefix="SW", approved_on_submit=False)
    application = applications.submit(db, app.config["KIOSK"], draft)
    applications.request_changes(
        db, application.id, Actor(officer), "请补充发票数量", ["invoices", "../admin"],
        ["company", "taxpayer", "accountant", "invoices"],
    )  # fmt: skip
    db.rollback()
    assert db.get(Application, application.id).fix_steps == ["invoices"]  # type: ignore[union-attr]


def test_pickup_codes_are_six_digits_and_vary() -> None:
    codes = {applications.new_pickup_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 190
