"""Finding appeals, and what the tenant and the home screen may see of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from kiosk.errors import NotFound
from kiosk.models import Appeal, AppealEvent, AppealStatus, ProblemAppeal, Rating


@dataclass(frozen=True)
class Figures:
    """How a building's appeals have gone since a date: the home screen's promise, in numbers."""

    received: int
    answered: int
    rated: int
    satisfied: int

    @property
    def satisfaction_percent(self) -> int | None:
        """Share of ratings that were 满意 or 基本满意, if anyone rated."""
        return round(100 * self.satisfied / self.rated) if self.rated else None


def building_figures(db: Session, building_code: str, since: datetime) -> Figures:
    """Counts for the building's appeals submitted since `since` (one aggregate query)."""
    answered = Appeal.status.in_([AppealStatus.RESOLVED, AppealStatus.CLOSED])
    happy = Appeal.rating.in_([Rating.SATISFIED, Rating.BASICALLY_SATISFIED])
    row = db.execute(
        select(
            func.count(),
            func.count().filter(answered),
            func.count().filter(Appeal.rating.is_not(None)),
            func.count().filter(happy),
        ).where(Appeal.building_code == building_code, Appeal.created_at >= since)
    ).one()
    return Figures(*(int(value or 0) for value in row))


def get_by_token(db: Session, token: str) -> Appeal:
    """The appeal a tracking link points to; NotFound for anything else."""
    appeal = db.scalar(select(Appeal).where(Appeal.token == token)) if len(token) < 100 else None
    if appeal is None:
        raise NotFound()
    return appeal


# Built once: making the statement and its loader options anew took a fifth of the lookup.
_STATUS_PAGE = (
    select(Appeal, select(ProblemAppeal.id).where(ProblemAppeal.appeal_id == Appeal.id).exists())
    .where(Appeal.token == bindparam("token"))
    .options(joinedload(Appeal.category), joinedload(Appeal.events))
)


def get_for_status_page(db: Session, token: str) -> tuple[Appeal, bool]:
    """The appeal a tracking link points to, with its category and timeline, and whether it is
    in a common problem, in one statement (the page reads them all); NotFound for anything
    else."""
    if len(token) >= 100:
        raise NotFound()
    row = db.execute(_STATUS_PAGE, {"token": token}).unique().one_or_none()
    if row is None:
        raise NotFound()
    return row[0], bool(row[1])


def get_by_reference(db: Session, reference: str) -> Appeal:
    """The appeal with this reference number."""
    appeal = db.scalar(select(Appeal).where(Appeal.reference == reference.strip().upper()))
    if appeal is None:
        raise NotFound()
    return appeal


def public_events(appeal: Appeal) -> list[AppealEvent]:
    """The timeline the tenant may see: never internal notes."""
    return [event for event in appeal.events if event.public]
