"""The sending unit's side: review the department's reply (publish it to the tenant, or send
it back with a note), urge (催办) a hand-off, and record the follow-up call (回访)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction, utcnow
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    OWED,
    Appeal,
    AppealStatus,
    Assignment,
    AssignmentState,
    Callback,
    EventKind,
    Staff,
)
from kiosk.services import notify
from kiosk.services.assignments import common
from kiosk.services.assignments.clock import Calendar, Cutoffs, Timing
from kiosk.services.audit import Actor

OPEN_APPEAL = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)


def publish(db: Session, assignment_id: int, actor: Actor) -> Assignment:
    """Publish the department's reply: the lead department's answer resolves the appeal (the
    tenant is asked to rate it); a co-handler's answer is a reply; a question goes to the
    company and the hand-off stays with the department. The tenant is told by SMS."""
    with transaction(db):
        row = common.locked(db, assignment_id)
        common.require_reviewer(db, actor, row)
        common.require(row, AssignmentState.REPLIED)
        appeal = common.locked_appeal(db, row.appeal_id)
        row.reviewer_id, row.reviewed_at, row.review_note = actor.staff_id, utcnow(), ""
        if row.asks_info:
            row.state = AssignmentState.ACCEPTED  # the department goes on once the company answers
            common.event(
                db, appeal, EventKind.REPLY, actor, public=True, body=row.reply, needs_info=True
            )
            notify.tell_tenant(db, appeal, "appeal_needs_info", row.reply)
        else:
            row.state, row.closed_at = AssignmentState.PUBLISHED, utcnow()
            _answer(db, appeal, row, actor)
        common.copy_lead(appeal, row)
        common.event(db, appeal, EventKind.PUBLISHED, actor, handoff=row.id)
    return row


def _answer(db: Session, appeal: Appeal, row: Assignment, actor: Actor) -> None:
    if row.lead and appeal.status in OPEN_APPEAL:
        appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, utcnow()
        common.event(db, appeal, EventKind.RESOLVED, actor, public=True, body=row.reply)
        notify.tell_tenant(db, appeal, "appeal_resolved", row.reply)
    else:
        common.event(db, appeal, EventKind.REPLY, actor, public=True, body=row.reply)
        notify.tell_tenant(db, appeal, "appeal_answered", row.reply)


def send_back(db: Session, assignment_id: int, note: str, actor: Actor) -> Assignment:
    """Send the reply back to the department to answer again, saying what is missing."""
    body = common.text(note, "note")
    with transaction(db):
        row = common.locked(db, assignment_id)
        common.require_reviewer(db, actor, row)
        common.require(row, AssignmentState.REPLIED)
        row.state, row.review_note = AssignmentState.SENT_BACK, body
        row.reviewer_id, row.reviewed_at = actor.staff_id, utcnow()
        appeal = common.locked_appeal(db, row.appeal_id)
        common.copy_lead(appeal, row)
        common.event(db, appeal, EventKind.SENT_BACK, actor, body=body, handoff=row.id)
    return row


def urge(
    db: Session, settings: Settings, assignment_id: int, note: str, actor: Actor, *, today: date
) -> Assignment:
    """催办: press the department for an answer; recorded, and its handler is told."""
    body = common.text(note, "note", required=False)
    with transaction(db):
        row = common.locked(db, assignment_id)
        appeal = common.locked_appeal(db, row.appeal_id)
        common.require_building_side(db, actor, appeal)
        common.require(row, *OWED)
        row.urge_count += 1
        row.last_urged_at = utcnow()
        common.event(
            db, appeal, EventKind.URGED, actor, body=body, handoff=row.id, times=row.urge_count
        )
        late = Cutoffs.on(Calendar.of(settings), today).timing(row.due_on)
        event = "overdue" if late in (Timing.OVERDUE, Timing.SERIOUS) else "due_soon"
        for person in handlers(db, row):
            notify.notify_staff(
                db,
                person,
                event,
                settings=settings,
                key=f"{row.id}:urge:{row.urge_count}",
                building_code=appeal.building_code,
                reference=appeal.reference,
                title=appeal.category.name_zh,
                due=row.due_on.isoformat(),
                link=common.admin_link(appeal.reference),
            )
    return row


def handlers(db: Session, row: Assignment) -> list[Staff]:
    """Who hears about a hand-off: its handler once accepted, else the department's officers."""
    if row.handler is not None and row.handler.active:
        return [row.handler]
    return common.staff_of(db, row.department_id)


def call_back(db: Session, appeal_id: int, result: str, note: str, actor: Actor) -> Appeal:
    """Record the officer's follow-up call (回访) on a resolved appeal: reached or not, and
    whether the company is satisfied; beside the tenant's own rating."""
    try:
        outcome = Callback(result)
    except ValueError:
        raise ValidationFailed(fields={"result": _l("Choose how the call went.")}) from None
    body = common.text(note, "note", required=False)
    with transaction(db):
        appeal = common.locked_appeal(db, appeal_id)
        common.require_building_side(db, actor, appeal)
        if appeal.status not in (AppealStatus.RESOLVED, AppealStatus.CLOSED):
            raise ValidationFailed(_l("A follow-up call is made once the appeal is resolved."))
        appeal.callback, appeal.callback_at = outcome, utcnow()
        common.event(db, appeal, EventKind.CALLBACK, actor, body=body, result=outcome.value)
    return appeal
