"""Demo applications: one of each kind in the states staff meet, and a licence ready to collect.

Run inside a request context (as `kiosk demo` does): resident ID numbers are sealed with the
instance's key, as the terminal seals them.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.models import InvoiceSlot, Room, Staff, Tenant, Window
from kiosk.services import applications, claims
from kiosk.services import tenants as tenants_service
from kiosk.services.applications import Draft
from kiosk.services.audit import Actor
from kiosk.services.policies import search
from kiosk.tasks import TASKS
from kiosk.tasks.applying import application_draft, open_answers, seal_resident_id
from kiosk.tasks.base import Approval
from kiosk.tasks.invoice import slot_texts
from kiosk.validators import resident_id_check_char, uscc_check_char

# Made-up people: ID numbers with a right check digit, mobiles ending 0000 (plainly not real).
PEOPLE = (("王晓明", "43010219850312"), ("李娜", "43010419900708"), ("赵磊", "43010519880215"))


def _resident_id(body14: str, rng: random.Random) -> str:
    first17 = body14 + f"{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def _draft(task: str, answers: dict[str, Any]) -> Draft:
    """The draft the terminal would hand over for these answers."""
    paperwork = TASKS[task].paperwork
    assert paperwork is not None
    keyed = {**answers, "_key": secrets.token_hex(16)}
    return application_draft(task, paperwork, keyed, "zh_CN")


def _registration(
    name: str, room: Room, person: tuple[str, str], rng: random.Random
) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "company_name": name,
        "company_type": "llc_natural",
        "capital": "100",
        "scopes": ["software", "it_consulting", "data"],
        "scope_extra": "",
        "rep_name": person[0],
        "rep_mobile": "13800000000",
        "floor": str(room.floor),
        "room_id": room.id,
        "shareholders": [{"name": person[0], "share": "70"}, {"name": "李娜", "share": "30"}],
    }
    seal_resident_id(answers, "rep_id", _resident_id(person[1], rng))
    return answers


def _tenant_answers(tenant: Tenant, **answers: Any) -> dict[str, Any]:
    return {
        "uscc": tenant.uscc,
        "tenant_id": tenant.id,
        "company_name": tenant.name,
        "floor_room": tenant.floor_room,
        **answers,
    }


def load_applications(
    db: Session,
    settings: Settings,
    tenants: list[Tenant],
    officer: Staff,
    now: datetime,
) -> dict[str, str]:
    """Six applications and four claims; returns the approved registration's code and pickup
    code."""
    rng = random.Random(f"applications:{settings.building}")  # noqa: S311 - made-up data
    # Rooms no tenant has: where the new companies and the moving one are going.
    rooms = {room.number: room for room in tenants_service.rooms(db, settings.building)}
    actor = Actor(officer, "demo")
    task = TASKS["register"]
    assert task.paperwork is not None and task.paperwork.approve is not None
    approved = applications.submit(
        db,
        settings,
        _draft(
            "register", _registration("长沙云帆数据科技有限公司", rooms["1205"], PEOPLE[0], rng)
        ),
        now=now - timedelta(days=3),
    )
    first17 = "91430102MA4" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=6))
    issued = first17 + uscc_check_char(first17)

    def approve(session: Session, application: Any, at: datetime) -> None:
        application.issued_uscc = issued
        task.paperwork.approve(  # type: ignore[union-attr, misc]
            Approval(
                session,
                settings,
                application,
                open_answers(application.answers),
                actor,
                at,
                issued_uscc=issued,
            )
        )

    applications.approve(db, approved.id, actor, apply=approve, now=now - timedelta(days=1))
    applications.submit(
        db,
        settings,
        _draft(
            "register",
            _registration("湖南湘江明德企业管理咨询有限公司", rooms["1705"], PEOPLE[1], rng),
        ),
        now=now - timedelta(hours=5),
    )
    applications.submit(
        db,
        settings,
        _draft(
            "union",
            _tenant_answers(
                tenants[0],
                employees=18,
                members=12,
                route="joint_union",
                joint_confirmed="yes",
                contact_name="赵磊",
                contact_mobile="13900000000",
            ),
        ),
        now=now - timedelta(hours=3),
    )
    moving = rooms["908"]
    applications.submit(
        db,
        settings,
        _draft(
            "address",
            _tenant_answers(
                tenants[8],
                company_confirmed=True,
                applicant_name="孙丽",
                applicant_mobile="13600000000",
                destination="in_building",
                floor=str(moving.floor),
                room_id=moving.id,
                effective=(now + timedelta(days=14)).astimezone(settings.zone).date().isoformat(),
            ),
        ),
        now=now - timedelta(hours=2),
    )
    tax = applications.submit(
        db,
        settings,
        _draft(
            "tax",
            _tenant_answers(
                tenants[1],
                taxpayer_type="small_scale",
                accountant_name="陈静",
                accountant_mobile="13600000000",
                invoice_kinds=["e_special"],
                monthly="",
            ),
        ),
        now=now - timedelta(days=1, hours=2),
    )
    applications.request_changes(
        db,
        tax.id,
        actor,
        "申请专用发票请填写每月预计开票数量。",
        ["invoices"],
        [step.slug for step in TASKS["tax"].steps],
        now=now - timedelta(hours=20),
    )
    slot = db.scalars(
        select(InvoiceSlot)
        .where(InvoiceSlot.booked < InvoiceSlot.capacity)
        .order_by(InvoiceSlot.id)
    ).first()
    if slot is not None:
        applications.submit(
            db,
            settings,
            _draft(
                "invoice",
                _tenant_answers(
                    tenants[2],
                    slot_id=slot.id,
                    contact_name="孙八",
                    contact_mobile="13700000000",
                    desk=slot.desk,
                    slot_text=slot_texts(slot),
                ),
            ),
            now=now - timedelta(hours=1),
        )
    _claims(db, settings, tenants, actor, now)
    return {"uscc": issued, "code": approved.pickup_code}


# Claims under open policies: (company, amount claimed, granted, paid so many days ago).
CLAIMS = ((4, "120000", "100000", 75), (5, "50000", "50000", 20), (6, "300000", "260000", None),
          (7, "80000", None, None))  # fmt: skip


def _claims(
    db: Session, settings: Settings, tenants: list[Tenant], actor: Actor, now: datetime
) -> None:
    """Four claims: two paid (last quarter and this one, for 惠企资金兑现), one approved, one
    waiting for staff."""
    today = now.astimezone(settings.zone).date()
    open_now = search.find(db, today=today, window=Window.OPEN, per_page=50).policies
    fitting = [p for p in open_now if p.max_amount is not None and p.max_amount >= 300_000]
    task = TASKS["claim"]
    assert task.paperwork is not None and task.paperwork.approve is not None
    for (index, amount, granted, paid_days_ago), policy in zip(CLAIMS, fitting, strict=False):
        tenant = tenants[index % len(tenants)]
        submitted_at = now - timedelta(days=(paid_days_ago or 2) + 20)
        claim = applications.submit(
            db,
            settings,
            _draft(
                "claim",
                _tenant_answers(
                    tenant,
                    policy_id=str(policy.id),
                    policy_title=policy.title,
                    contact_name="周少敏",
                    contact_mobile="13500000000",
                    amount=f"{Decimal(amount):.2f}",
                    statement="上年度研发投入同比增长 35%，新增专利 4 项。",
                ),
            ),
            now=submitted_at,
        )
        if granted is None:
            continue

        def approve(session: Session, application: Any, at: datetime, g: str = granted) -> None:
            task.paperwork.approve(  # type: ignore[union-attr, misc]
                Approval(
                    session, settings, application, open_answers(application.answers), actor,
                    at, amount_granted=Decimal(g),
                )
            )  # fmt: skip

        decided = submitted_at + timedelta(days=7)
        applications.approve(db, claim.id, actor, apply=approve, now=decided)
        if paid_days_ago is not None:
            paid_on = today - timedelta(days=paid_days_ago)
            claims.record_payment(db, claim.id, paid_on, actor, now)
