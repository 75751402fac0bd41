"""Finding hand-offs: an appeal's, a department's queue, a reviewer's queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from kiosk import scope
from kiosk.models import (
    OWED,
    Appeal,
    AppealStatus,
    Assignment,
    AssignmentState,
)

QUEUE_MAX = 200  # rows per section of a queue; the ledger lists everything


def for_appeal(db: Session, appeal_id: int) -> list[Assignment]:
    """Every hand-off of an appeal the reader may see, oldest first, units and people loaded."""
    query = (
        select(Assignment)
        .where(Assignment.appeal_id == appeal_id)
        .options(
            joinedload(Assignment.department),
            joinedload(Assignment.from_unit),
            joinedload(Assignment.handler),
        )
        .order_by(Assignment.id)
    )
    return list(db.scalars(query).unique())


@dataclass(frozen=True)
class Queues:
    """A reader's hand-offs, by what is to be done with them."""

    to_accept: list[Assignment]  # handed to my department, not yet accepted
    in_hand: list[Assignment]  # accepted or sent back: my department owes an answer
    to_review: list[Assignment]  # replies from departments, waiting for my unit's review
    returned: list[Assignment]  # "not ours": back with my unit, to hand to someone else

    @property
    def empty(self) -> bool:
        """Whether there is nothing in any queue."""
        return not (self.to_accept or self.in_hand or self.to_review or self.returned)


def _listed(db: Session, *conditions: object) -> list[Assignment]:
    query = (
        select(Assignment)
        .where(*conditions)  # type: ignore[arg-type]
        .options(
            joinedload(Assignment.appeal).joinedload(Appeal.category),
            joinedload(Assignment.department),
            joinedload(Assignment.from_unit),
            joinedload(Assignment.handler),
        )
        .order_by(Assignment.due_on, Assignment.id)
        .limit(QUEUE_MAX)
    )
    return list(db.scalars(query).unique())


def queues(db: Session, unit_id: int, *, department: bool) -> Queues:
    """What waits for the reader's unit: a department's hand-offs, or a sending unit's reviews
    and returns (those of the units it reaches)."""
    if department:
        mine = Assignment.department_id == unit_id
        return Queues(
            _listed(db, mine, Assignment.state == AssignmentState.SENT),
            _listed(db, mine, Assignment.state.in_(OWED[1:])),
            [],
            [],
        )
    units = scope.reach_of(db).units
    sent_by_us = (
        Assignment.from_unit_id.in_(sorted(int(u) for u in units)) if units is not None else None
    )
    conditions = [] if sent_by_us is None else [sent_by_us]
    returned = _listed(
        db,
        *conditions,
        Assignment.lead,
        Assignment.state == AssignmentState.RETURNED,
        Assignment.appeal.has(Appeal.handoff_state == AssignmentState.RETURNED),
        Assignment.appeal.has(
            Appeal.status.in_((AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED))
        ),
    )
    # Only the newest return of an appeal (an appeal returned twice is one thing to do).
    newest: dict[int, Assignment] = {}
    for row in returned:
        if row.appeal_id not in newest or row.id > newest[row.appeal_id].id:
            newest[row.appeal_id] = row
    to_review = _listed(db, *conditions, Assignment.state == AssignmentState.REPLIED)
    return Queues([], [], to_review, list(newest.values()))


def get(db: Session, assignment_id: int) -> Assignment:
    """One hand-off the reader may see, with its appeal (NotFound otherwise)."""
    from kiosk.errors import NotFound

    row = db.scalar(
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.appeal), joinedload(Assignment.department))
    )
    if row is None:
        raise NotFound()
    return row
