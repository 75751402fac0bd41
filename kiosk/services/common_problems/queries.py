"""Reading common problems: the list of those in reach, one problem's page, an appeal's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, CommonProblem, ProblemAppeal, ProblemState
from kiosk.services.common_problems.similar import OPEN

PAGE = 50


@dataclass(frozen=True)
class Listed:
    """A common problem on the list, with its counts."""

    problem: CommonProblem
    appeals: int  # the appeals in it the reader reaches
    open: int  # of them, still open
    flagged: int  # reopened by their tenant after the answer ("not resolved")


def listing(db: Session, state: ProblemState | None = None, limit: int = PAGE) -> list[Listed]:
    """The common problems in reach, flagged first, then the newest."""
    is_open = case((Appeal.status.in_(OPEN), 1), else_=0)
    reopened = case((Appeal.status == AppealStatus.REOPENED, 1), else_=0)
    counts = (
        select(
            ProblemAppeal.problem_id.label("problem_id"),
            func.count().label("appeals"),
            func.sum(is_open).label("open"),
            func.sum(reopened).label("reopened"),
        )
        .join(Appeal, Appeal.id == ProblemAppeal.appeal_id)
        .group_by(ProblemAppeal.problem_id)
        .subquery()
    )
    query = select(
        CommonProblem,
        func.coalesce(counts.c.appeals, 0),
        func.coalesce(counts.c.open, 0),
        func.coalesce(counts.c.reopened, 0),
    ).outerjoin(counts, counts.c.problem_id == CommonProblem.id)
    if state is not None:
        query = query.where(CommonProblem.state == state)
    answered = CommonProblem.state == ProblemState.ANSWERED
    flagged = case((answered & (func.coalesce(counts.c.open, 0) > 0), 0), else_=1)
    rows = db.execute(query.order_by(flagged, CommonProblem.id.desc()).limit(limit)).all()
    return [
        Listed(problem, int(n), int(o), int(r) if problem.state is ProblemState.ANSWERED else 0)
        for problem, n, o, r in rows
    ]


def members(db: Session, problem: CommonProblem) -> list[tuple[ProblemAppeal, Appeal]]:
    """The problem's appeals the reader reaches, in the order they joined."""
    rows = db.execute(
        select(ProblemAppeal, Appeal)
        .join(Appeal, Appeal.id == ProblemAppeal.appeal_id)
        .where(ProblemAppeal.problem_id == problem.id)
        .order_by(ProblemAppeal.id)
    ).all()
    return [(link, appeal) for link, appeal in rows]


def flagged(problem: CommonProblem, rows: list[tuple[ProblemAppeal, Appeal]]) -> int:
    """How many tenants said the answer did not resolve it (their appeals open again)."""
    if problem.state is not ProblemState.ANSWERED:
        return 0
    return sum(1 for _, appeal in rows if appeal.status.is_open)


def for_appeal(db: Session, appeal_id: int) -> CommonProblem | None:
    """The common problem the appeal is in, when the session reaches it."""
    return db.scalar(
        select(CommonProblem)
        .join(ProblemAppeal, ProblemAppeal.problem_id == CommonProblem.id)
        .where(ProblemAppeal.appeal_id == appeal_id)
    )


def size(db: Session, problem: CommonProblem) -> int:
    """How many appeals the problem holds, all of them (for a tenant's page: no names)."""
    count = select(func.count()).where(ProblemAppeal.problem_id == problem.id)
    return int(db.scalar(count) or 0)
