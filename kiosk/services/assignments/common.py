"""What every hand-off step shares: locking rows, the timeline entry, who may act."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Appeal,
    Assignment,
    AssignmentState,
    Staff,
    Unit,
    UnitKind,
    root_unit,
)
from kiosk.services.appeals.actions import locked_appeal as locked_appeal
from kiosk.services.appeals.actions import record_event
from kiosk.services.appeals.checks import REPLY_MAX, checked_text
from kiosk.services.audit import Actor

TEXT_MAX = REPLY_MAX

# A hand-off's steps go on the appeal's timeline exactly as the appeal's own do.
event = record_event


def text(value: str, field: str, *, required: bool = True) -> str:
    """A typed reply, reason or note: cleaned, within the limit, and there when required."""
    if not required and not value.strip():
        return ""
    return checked_text(value, field, TEXT_MAX, multiline=True).value


def locked(db: Session, assignment_id: int) -> Assignment:
    """The hand-off, locked for this transaction, so two people acting at once act in turn."""
    row = db.get(Assignment, assignment_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound()
    return row


def require(row: Assignment, *states: AssignmentState) -> None:
    """Refuse a step the hand-off's state no longer allows (a colleague was quicker)."""
    if row.state not in states:
        from kiosk.labels import HANDOFF_STATE

        raise Conflict(
            _l(
                "This hand-off is now “%(state)s”; that is not possible any more.",
                state=HANDOFF_STATE[row.state],
            )
        )


def unit_of(db: Session, actor: Actor) -> Unit:
    """The acting officer's unit (the city's for the command line)."""
    unit_id = actor.staff.unit_id if actor.staff is not None else None
    unit = db.get(Unit, unit_id) if unit_id is not None else None
    return unit if unit is not None else root_unit(db)


def is_department(staff: Staff | None) -> bool:
    """Whether this officer works in a department (they answer hand-offs, nothing else)."""
    return staff is not None and staff.unit is not None and staff.unit.kind is UnitKind.DEPARTMENT


def require_building_side(db: Session, actor: Actor, appeal: Appeal) -> Unit:
    """The unit of an officer who reaches the appeal through its building (not as a department
    it was handed to): only they hand off, urge and call back."""
    unit = unit_of(db, actor)
    reach = scope.reach_of(db)
    in_building = reach.buildings is None or appeal.building_code in reach.buildings
    if unit.kind is UnitKind.DEPARTMENT or not in_building:
        raise Conflict(_l("Only the building's or district's officers can do this."))
    return unit


def require_department(actor: Actor, row: Assignment) -> None:
    """Only the department's own staff accept, return and answer what was handed to it."""
    if actor.staff is None or actor.staff.unit_id != row.department_id:
        raise Conflict(_l("Only the department it was handed to can do this."))


def require_reviewer(db: Session, actor: Actor, row: Assignment) -> None:
    """The unit that handed it off (or a unit above it) reviews the department's reply."""
    units = scope.reach_of(db).units
    if is_department(actor.staff) or (units is not None and str(row.from_unit_id) not in units):
        raise Conflict(_l("Only the unit that handed it off can review the reply."))


def department(db: Session, unit_id: int | None, field: str) -> Unit:
    """An open department unit, or a clear refusal on `field`."""
    unit = db.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or unit.kind is not UnitKind.DEPARTMENT or unit.closed_at is not None:
        raise ValidationFailed(fields={field: _l("Choose a department.")})
    return unit


def departments(db: Session) -> list[Unit]:
    """Every open department, in the tree's order (hand-offs go to any of them)."""
    query = (
        select(Unit)
        .where(Unit.kind == UnitKind.DEPARTMENT, Unit.closed_at.is_(None))
        .order_by(Unit.sort_order, Unit.id)
    )
    return list(db.scalars(query))


def lead_of(db: Session, appeal_id: int) -> Assignment | None:
    """The appeal's newest lead hand-off (None if it was never handed off)."""
    query = (
        select(Assignment)
        .where(Assignment.appeal_id == appeal_id, Assignment.lead)
        .order_by(Assignment.id.desc())
        .limit(1)
    )
    return db.scalar(query)


def copy_lead(appeal: Appeal, row: Assignment) -> None:
    """Keep the ledger's copy of the lead hand-off in step with it."""
    if row.lead:
        appeal.department_id = row.department_id
        appeal.handoff_due_on = row.due_on
        appeal.handoff_state = row.state


def staff_of(db: Session, unit_id: int) -> list[Staff]:
    """The active officers of a unit (who hear of a hand-off to it)."""
    query = select(Staff).where(Staff.unit_id == unit_id, Staff.active).order_by(Staff.id)
    return list(db.scalars(query))


def admin_link(reference: str) -> str:
    """The absolute link to an appeal's page in the admin (for messages to officers)."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("admin.show_appeal", {"reference": reference})
    return str(current_app.config["KIOSK"].link_base + path)
