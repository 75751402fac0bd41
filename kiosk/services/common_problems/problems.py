"""Grouping appeals into a common problem, and what its owner does with it.

A common problem is owned by a district or the city (a unit the officer reaches, above every
appeal's building) and its officer (指标长). Only those who reach its owner change it; those
who reach one of its appeals (a building's officer) see it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    Appeal,
    CommonProblem,
    ProblemAppeal,
    ProblemEvent,
    ProblemEventKind,
    ProblemState,
    Staff,
    Unit,
    UnitKind,
)
from kiosk.scope import reach_of
from kiosk.services import audit
from kiosk.services.appeals.checks import REPLY_MAX, checked_text
from kiosk.services.audit import Actor
from kiosk.services.common_problems.similar import OPEN

TITLE_MAX = 200
OWNER_KINDS = (UnitKind.CITY, UnitKind.DISTRICT)


def get(db: Session, problem_id: int, *, lock: bool = False) -> CommonProblem:
    """The common problem with this id, if the session reaches it (else NotFound)."""
    problem = db.get(
        CommonProblem, problem_id, with_for_update=lock or None, populate_existing=lock
    )
    if problem is None:
        raise NotFound()
    return problem


def owns(db: Session, problem: CommonProblem) -> bool:
    """Whether the session reaches the problem's owner (may change it), not only an appeal."""
    units = reach_of(db).units
    return units is None or str(problem.unit_id) in units


def _owned(db: Session, problem_id: int) -> CommonProblem:
    problem = get(db, problem_id, lock=True)
    if not owns(db, problem):
        raise NotFound()  # seen through an appeal, changed only by its owner
    return problem


def owners(db: Session, appeals: Sequence[Appeal]) -> list[Unit]:
    """The units that may own a problem of these appeals: the districts and the city above
    every one of their buildings that the session reaches, nearest first."""
    common: set[int] | None = None
    for appeal in appeals:
        path = db.scalar(select(Unit.path).where(Unit.code == appeal.building_code)) or ""
        above = {int(part) for part in path.strip("/").split("/") if part}
        common = above if common is None else common & above
    if not common:
        return []
    units = reach_of(db).units
    found = db.scalars(select(Unit).where(Unit.id.in_(common), Unit.kind.in_(OWNER_KINDS)))
    return sorted(
        (u for u in found if u.closed_at is None and (units is None or str(u.id) in units)),
        key=lambda u: -u.depth,
    )


def officers(db: Session, unit: Unit) -> list[Staff]:
    """The active officers of a unit and the units under it (the choices of 指标长)."""
    under = select(Unit.id).where(Unit.path.startswith(unit.path))
    return list(
        db.scalars(
            select(Staff)
            .where(Staff.active, Staff.unit_id.in_(under))
            .order_by(Staff.display_name, Staff.id)
        )
    )


def _event(
    db: Session,
    problem: CommonProblem,
    kind: ProblemEventKind,
    actor: Actor,
    body: str = "",
    **data: object,
) -> None:
    problem.events.append(ProblemEvent(kind=kind, body=body, staff_id=actor.staff_id, data=data))


def _appeals(db: Session, appeal_ids: Sequence[int]) -> list[Appeal]:
    """The open appeals with these ids, each in reach and in no common problem yet."""
    wanted = sorted(set(appeal_ids))
    if not wanted:
        raise ValidationFailed(fields={"appeals": _l("Choose the appeals to group.")})
    found = list(db.scalars(select(Appeal).where(Appeal.id.in_(wanted)).order_by(Appeal.id)))
    if len(found) != len(wanted):
        raise NotFound()
    if any(not appeal.status.is_open for appeal in found):
        raise Conflict(_l("Only open appeals can join a common problem."))
    taken = db.scalar(select(ProblemAppeal.id).where(ProblemAppeal.appeal_id.in_(wanted)))
    if taken is not None:
        raise Conflict(_l("One of these appeals is already in a common problem."))
    return found


def group(
    db: Session,
    actor: Actor,
    appeal_ids: Sequence[int],
    *,
    title: str,
    unit_id: int | None,
    officer_id: int | None,
) -> CommonProblem:
    """Group open appeals (two or more) into a new common problem owned by `unit_id`."""
    name = checked_text(title, "title", TITLE_MAX).value
    with transaction(db):
        appeals = _appeals(db, appeal_ids)
        if len(appeals) < 2:
            raise ValidationFailed(fields={"appeals": _l("A common problem needs two appeals.")})
        owner = next((u for u in owners(db, appeals) if u.id == unit_id), None)
        if owner is None:
            raise ValidationFailed(
                fields={"unit": _l("Choose a district or the city above every appeal.")}
            )
        officer = next((s for s in officers(db, owner) if s.id == officer_id), None)
        if officer is None:
            raise ValidationFailed(fields={"officer": _l("Choose an officer of that unit.")})
        problem = CommonProblem(
            title=name, unit_id=owner.id, officer_id=officer.id, created_by_id=actor.staff_id
        )
        db.add(problem)
        db.flush()
        _join(db, problem, appeals, actor)
        _event(db, problem, ProblemEventKind.CREATED, actor, count=len(appeals))
        audit.record(
            db, actor, "common_problem.create", "common_problem", str(problem.id), title=name
        )
    return problem


def _join(db: Session, problem: CommonProblem, appeals: Sequence[Appeal], actor: Actor) -> None:
    for appeal in appeals:
        db.add(
            ProblemAppeal(problem_id=problem.id, appeal_id=appeal.id, added_by_id=actor.staff_id)
        )
        audit.record(
            db, actor, "common_problem.add", "appeal", appeal.reference, problem=problem.id
        )


def add(db: Session, actor: Actor, problem_id: int, appeal_ids: Sequence[int]) -> int:
    """Add open appeals to an open common problem; how many joined."""
    with transaction(db):
        problem = _owned(db, problem_id)
        if problem.state is not ProblemState.OPEN:
            raise Conflict(_l("Take the common problem up again before adding appeals."))
        appeals = _appeals(db, appeal_ids)
        if any(unit.id == problem.unit_id for unit in owners(db, appeals)) is False:
            raise Conflict(_l("These appeals are outside the unit that owns the problem."))
        _join(db, problem, appeals, actor)
        references = [a.reference for a in appeals]
        _event(db, problem, ProblemEventKind.ADDED, actor, appeals=references)
    return len(appeals)


def remove(db: Session, actor: Actor, problem_id: int, appeal_id: int) -> None:
    """Take an appeal out of a common problem (it goes on as an appeal of its own)."""
    with transaction(db):
        problem = _owned(db, problem_id)
        link = db.scalar(
            select(ProblemAppeal).where(
                ProblemAppeal.problem_id == problem.id, ProblemAppeal.appeal_id == appeal_id
            )
        )
        if link is None:
            raise NotFound()
        reference = link.appeal.reference
        db.delete(link)
        _event(db, problem, ProblemEventKind.REMOVED, actor, appeals=[reference])
        audit.record(db, actor, "common_problem.remove", "appeal", reference, problem=problem.id)


def note_progress(db: Session, actor: Actor, problem_id: int, text: str) -> None:
    """Record progress on the problem (seen by staff only)."""
    body = checked_text(text, "body", REPLY_MAX, multiline=True).value
    with transaction(db):
        problem = _owned(db, problem_id)
        _event(db, problem, ProblemEventKind.PROGRESS, actor, body)
        audit.record(db, actor, "common_problem.progress", "common_problem", str(problem.id))


def close(db: Session, actor: Actor, problem_id: int) -> None:
    """Close an answered problem (nothing more to do), or take a closed one up again."""
    with transaction(db):
        problem = _owned(db, problem_id)
        if problem.state is ProblemState.CLOSED:
            problem.state = ProblemState.ANSWERED if problem.answer else ProblemState.OPEN
            problem.closed_at = None
            _event(db, problem, ProblemEventKind.REOPENED, actor)
            audit.record(db, actor, "common_problem.reopen", "common_problem", str(problem.id))
            return
        if problem.state is not ProblemState.ANSWERED:
            raise Conflict(_l("Answer the common problem before closing it."))
        if any(link.appeal.status in OPEN for link in problem.members):
            raise Conflict(_l("Some companies say it is not resolved: answer them first."))
        problem.state, problem.closed_at = ProblemState.CLOSED, utcnow()
        _event(db, problem, ProblemEventKind.CLOSED, actor)
        audit.record(db, actor, "common_problem.close", "common_problem", str(problem.id))
