"""A 12345 hotline call entered by staff: an appeal like a kiosk's, with source "hotline"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.config import Settings
from kiosk.db import utcnow
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    EventKind,
    Source,
    Unit,
    UnitKind,
)
from kiosk.services import audit
from kiosk.services.appeals import (
    check_company_name,
    check_contact_name,
    check_description,
    check_mobile,
    check_uscc,
    due_date,
)
from kiosk.services.audit import Actor
from kiosk.services.once import create_once
from kiosk.services.references import new_token, next_reference
from kiosk.text import clean_text

TICKET_MAX = 40  # characters of a hotline work-order number (工单号)


@dataclass(frozen=True)
class HotlineCall:
    """What the officer typed from the hotline's work order."""

    submission_key: str
    building: str  # the building code the company is in
    ticket: str  # the hotline's work-order number, if it has one
    company_name: str
    company_uscc: str
    category: str
    description: str
    contact_name: str
    contact_mobile: str


def buildings(db: Session) -> list[Unit]:
    """The buildings the reader reaches (where a hotline call can be filed)."""
    reach = scope.reach_of(db)
    query = select(Unit).where(Unit.kind == UnitKind.BUILDING, Unit.closed_at.is_(None))
    if reach.buildings is not None:
        query = query.where(Unit.code.in_(sorted(reach.buildings)))
    return list(db.scalars(query.order_by(Unit.sort_order, Unit.id)))


def record_call(db: Session, settings: Settings, call: HotlineCall, actor: Actor) -> Appeal:
    """File the call as an appeal of the building (the same form sent twice files one)."""
    if len(call.submission_key) < 16:
        raise ValidationFailed(_l("This form is out of date. Please check your answers again."))

    def find() -> Appeal | None:
        return db.scalar(select(Appeal).where(Appeal.submission_key == call.submission_key))

    return create_once(db, find, lambda: _file(db, settings, call, actor, utcnow()))


def _file(
    db: Session, settings: Settings, call: HotlineCall, actor: Actor, now: datetime
) -> Appeal:
    if call.building not in {unit.code for unit in buildings(db)}:
        raise ValidationFailed(fields={"building": _l("Choose a building.")})
    category = db.scalar(
        select(AppealCategory).where(AppealCategory.code == call.category, AppealCategory.active)
    )
    if category is None:
        raise ValidationFailed(fields={"category": _l("Choose a category.")})
    ticket = clean_text(call.ticket).text[:TICKET_MAX]
    day = now.astimezone(settings.zone).date()
    appeal = Appeal(
        reference=next_reference(db, "SQ", day),
        token=new_token(),
        submission_key=call.submission_key,
        kiosk_id="",
        building_code=call.building,
        company_name=check_company_name(call.company_name).value,
        company_uscc=check_uscc(call.company_uscc).value,
        category=category,
        description=check_description(call.description).value,
        contact_name=check_contact_name(call.contact_name).value,
        contact_mobile=check_mobile(call.contact_mobile).value,
        locale=settings.default_locale,
        status=AppealStatus.NEW,
        due_date=due_date(settings, day),
        created_at=now,
        source=Source.HOTLINE,
    )
    db.add(appeal)
    db.flush()
    db.add(
        AppealEvent(
            appeal_id=appeal.id,
            kind=EventKind.SUBMITTED,
            public=True,
            created_at=now,
            staff_id=actor.staff_id,
            data={"source": "hotline", "ticket": ticket},
        )
    )
    audit.record(db, actor, "appeal.submitted", "appeal", appeal.reference, source="hotline")
    return appeal
