"""Handing an appeal to a department, and what the department does with it: accept, return
("not ours"), and reply (an answer, or a question for the company) for the sender's review."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    OWED,
    Appeal,
    AppealStatus,
    Assignment,
    AssignmentState,
    EventKind,
    Unit,
)
from kiosk.models.handoff import LIVE
from kiosk.services import notify
from kiosk.services.assignments import common
from kiosk.services.assignments.clock import DAYS_MAX, DAYS_MIN, Calendar
from kiosk.services.audit import Actor

OPEN_APPEAL = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)


def _days(value: int | None) -> int:
    if value is None or not DAYS_MIN <= value <= DAYS_MAX:
        raise ValidationFailed(
            fields={
                "days": _l(
                    "Enter a number of working days from %(low)s to %(high)s.",
                    low=DAYS_MIN,
                    high=DAYS_MAX,
                )
            }
        )
    return value


def hand_off(
    db: Session,
    settings: Settings,
    appeal_id: int,
    department_id: int | None,
    days: int | None,
    actor: Actor,
    *,
    today: date,
    co_handlers: Iterable[int] = (),
) -> Assignment:
    """Hand an open appeal to a department (交办), due `days` working days after `today`, with
    any co-handling departments; each department's officers are told."""
    days = _days(days)
    with transaction(db):
        appeal = common.locked_appeal(db, appeal_id)
        sender = common.require_building_side(db, actor, appeal)
        if appeal.status not in OPEN_APPEAL:
            raise Conflict(_l("Only an appeal still being handled can be handed off."))
        live = select(Assignment.id).where(
            Assignment.appeal_id == appeal.id, Assignment.lead, Assignment.state.in_(LIVE)
        )
        if db.scalar(live) is not None:
            raise Conflict(_l("This appeal is already with a department."))
        lead = common.department(db, department_id, "department")
        helpers = [common.department(db, i, "co_handlers") for i in set(co_handlers) - {lead.id}]
        due = Calendar.of(settings).add(today, days)
        rows = [
            _row(appeal, unit, sender, due, days, actor, lead=unit is lead)
            for unit in (lead, *helpers)
        ]
        db.add_all(rows)
        db.flush()
        if appeal.status is AppealStatus.NEW:
            appeal.status = AppealStatus.ACCEPTED
            common.event(db, appeal, EventKind.ACCEPTED, actor, public=True)
        common.copy_lead(appeal, rows[0])
        appeal.handed_off_on = today
        common.event(
            db,
            appeal,
            EventKind.HANDED_OFF,
            actor,
            department=lead.name_zh,
            co_handlers=[unit.name_zh for unit in helpers],
            due=due.isoformat(),
            days=days,
        )
        for row in rows:
            _tell(db, settings, appeal, row)
    return rows[0]


def _row(
    appeal: Appeal, unit: Unit, sender: Unit, due: date, days: int, actor: Actor, *, lead: bool
) -> Assignment:
    return Assignment(
        appeal_id=appeal.id,
        building_code=appeal.building_code,
        department_id=unit.id,
        from_unit_id=sender.id,
        lead=lead,
        state=AssignmentState.SENT,
        due_on=due,
        working_days=days,
        handed_by_id=actor.staff_id,
    )


def _tell(db: Session, settings: Settings, appeal: Appeal, row: Assignment) -> None:
    """Tell the department's officers a problem was handed to them (once per hand-off)."""
    for person in common.staff_of(db, row.department_id):
        notify.notify_staff(
            db,
            person,
            "handed_off",
            settings=settings,
            key=str(row.id),
            building_code=appeal.building_code,
            reference=appeal.reference,
            title=appeal.category.name_zh,
            due=row.due_on.isoformat(),
            link=common.admin_link(appeal.reference),
        )


def accept(db: Session, assignment_id: int, actor: Actor) -> Assignment:
    """The department takes the hand-off on (签收); the officer who does is its handler."""
    with transaction(db):
        row = common.locked(db, assignment_id)
        common.require_department(actor, row)
        common.require(row, AssignmentState.SENT)
        row.state, row.accepted_at, row.handler_id = (
            AssignmentState.ACCEPTED,
            utcnow(),
            actor.staff_id,
        )
        appeal = common.locked_appeal(db, row.appeal_id)
        common.copy_lead(appeal, row)
        common.event(db, appeal, EventKind.HANDOFF_ACCEPTED, actor, department=_name(db, row))
    return row


def return_to_sender(db: Session, assignment_id: int, reason: str, actor: Actor) -> Assignment:
    """ "Not ours": the hand-off goes back to the unit that sent it, with the reason."""
    because = common.text(reason, "reason")
    with transaction(db):
        row = common.locked(db, assignment_id)
        common.require_department(actor, row)
        common.require(row, *OWED)
        row.state, row.return_reason, row.closed_at = AssignmentState.RETURNED, because, utcnow()
        appeal = common.locked_appeal(db, row.appeal_id)
        common.copy_lead(appeal, row)
        common.event(
            db,
            appeal,
            EventKind.HANDOFF_RETURNED,
            actor,
            body=because,
            department=_name(db, row),
        )
    return row


def reply(
    db: Session, assignment_id: int, text: str, actor: Actor, *, asks_info: bool = False
) -> Assignment:
    """The department's answer (or, with `asks_info`, its question for the company): the
    sending unit reviews it before the tenant sees anything."""
    body = common.text(text, "reply")
    with transaction(db):
        row = common.locked(db, assignment_id)
        common.require_department(actor, row)
        common.require(row, *OWED)
        if row.state is AssignmentState.SENT:  # answering is taking it on
            row.accepted_at, row.handler_id = utcnow(), row.handler_id or actor.staff_id
        row.state, row.reply, row.asks_info = AssignmentState.REPLIED, body, asks_info
        row.replied_at, row.replied_by_id = utcnow(), actor.staff_id
        appeal = common.locked_appeal(db, row.appeal_id)
        common.copy_lead(appeal, row)
        asks = {"needs_info": True} if asks_info else {}
        common.event(
            db, appeal, EventKind.DEPT_REPLY, actor, body=body, department=_name(db, row), **asks
        )
    return row


def _name(db: Session, row: Assignment) -> str:
    unit = db.get(Unit, row.department_id)
    return unit.name_zh if unit is not None else ""
