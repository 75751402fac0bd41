"""Claims under policies, tracked to the money: payments recorded, and 惠企资金兑现 per quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Application,
    ApplicationEventKind,
    ApplicationStatus,
    BenefitClaim,
    Policy,
)
from kiosk.services import audit
from kiosk.services.applications import add_event
from kiosk.services.audit import Actor


@dataclass(frozen=True)
class Quarter:
    """The money paid out in one calendar quarter."""

    year: int
    quarter: int  # 1-4
    paid: Decimal
    claims: int


def get(db: Session, application_id: int) -> BenefitClaim | None:
    """The money side of a claim application, once approved."""
    return db.get(BenefitClaim, application_id)


def grant(
    db: Session,
    application: Application,
    policy_id: int,
    requested: Decimal,
    granted: Decimal,
    actor: Actor,
) -> BenefitClaim:
    """Record the money of a claim being approved: asked and granted, both in the audit log."""
    claim = BenefitClaim(
        application_id=application.id,
        policy_id=policy_id,
        amount_requested=requested,
        amount_granted=granted,
    )
    db.add(claim)
    policy = db.get(Policy, policy_id)
    audit.record(
        db,
        actor,
        "claim.grant",
        "application",
        application.reference,
        policy=policy.code if policy is not None else str(policy_id),
        amount_requested=f"{requested:.2f}",
        amount_granted=f"{granted:.2f}",
    )
    return claim


def record_payment(
    db: Session, application_id: int, paid_on: date, actor: Actor, now: datetime
) -> BenefitClaim:
    """Record the day the granted amount was paid (once; a date not in the future)."""
    if paid_on > now.date():
        raise ValidationFailed(fields={"paid_on": _l("The payment date cannot be in the future.")})
    with transaction(db):
        claim = db.get(BenefitClaim, application_id)
        application = db.get(Application, application_id)
        if (
            claim is None
            or application is None
            or application.status is not ApplicationStatus.APPROVED
        ):
            raise Conflict(_l("Only an approved claim can be paid."))
        if claim.paid_on is not None:
            raise Conflict(_l("This claim's payment has already been recorded."))
        claim.paid_on = paid_on
        claim.paid_recorded_by_id = actor.staff_id
        add_event(
            db,
            application,
            ApplicationEventKind.PAID,
            now=now,
            staff_id=actor.staff_id,
            data={"amount": f"{claim.amount_granted:.2f}", "paid_on": paid_on.isoformat()},
        )
        audit.record(
            db,
            actor,
            "claim.paid",
            "application",
            application.reference,
            amount=f"{claim.amount_granted:.2f}",
            paid_on=paid_on.isoformat(),
        )
    return claim


def paid_by_quarter(db: Session, since: date) -> list[Quarter]:
    """Money paid on claims per quarter from `since` on, newest first (惠企资金兑现)."""
    rows = db.execute(
        select(BenefitClaim.paid_on, BenefitClaim.amount_granted).where(
            BenefitClaim.paid_on.is_not(None), BenefitClaim.paid_on >= since
        )
    ).all()
    totals: dict[tuple[int, int], list[Decimal]] = {}
    for paid_on, amount in rows:
        assert paid_on is not None  # the query asks for paid claims only
        key = (paid_on.year, (paid_on.month - 1) // 3 + 1)
        totals.setdefault(key, []).append(amount or Decimal(0))
    return [
        Quarter(year, quarter, sum(amounts, Decimal(0)), len(amounts))
        for (year, quarter), amounts in sorted(totals.items(), reverse=True)
    ]
