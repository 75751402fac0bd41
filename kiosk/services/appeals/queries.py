"""Finding appeals, and what the tenant and the home screen may see of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from kiosk.errors import NotFound
from kiosk.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    EventKind,
    ProblemAppeal,
    Rating,
)


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


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One public entry of an appeal's timeline, as the status page shows it."""

    kind: EventKind
    body: str
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StatusPage:
    """What a tracking link's page shows of an appeal: read as plain rows, not ORM objects
    (building them was a third of the page's database time), and nothing the page does not
    show but the contact mobile it masks."""

    id: int
    reference: str
    status: AppealStatus
    category_zh: str
    category_en: str
    created_at: datetime
    due_date: date
    contact_mobile: str
    locale: str
    rating: Rating | None
    rated_at: datetime | None
    grouped: bool  # in a common problem
    events: tuple[TimelineEntry, ...]  # public ones only, oldest first

    def category_name(self, locale: str) -> str:
        """The category's name in the given locale."""
        return self.category_en if locale == "en" else self.category_zh


# Built once, with the token bound per request: one row per public event (one with no event
# columns when there is none), the appeal and its category repeated on each. On the tables'
# columns, not the mapped classes', so the rows skip the ORM's compiling and loading too.
_A, _C, _E, _P = (m.__table__.c for m in (Appeal, AppealCategory, AppealEvent, ProblemAppeal))
_STATUS_PAGE = (
    select(
        _A.id,
        _A.reference,
        _A.status,
        _C.name_zh,
        _C.name_en,
        _A.created_at,
        _A.due_date,
        _A.contact_mobile,
        _A.locale,
        _A.rating,
        _A.rated_at,
        select(_P.id).where(_P.appeal_id == _A.id).exists(),
        _E.id,
        _E.kind,
        _E.body,
        _E.data,
        _E.created_at,
    )
    .select_from(Appeal.__table__)
    .join(AppealCategory.__table__, _C.id == _A.category_id)
    .outerjoin(AppealEvent.__table__, (_E.appeal_id == _A.id) & _E.public.is_(True))
    .where(_A.token == bindparam("token"))
    .order_by(_E.id)
)


def get_for_status_page(db: Session, token: str) -> StatusPage:
    """The appeal a tracking link points to, with its category, its public timeline and
    whether it is in a common problem, in one statement; NotFound for anything else."""
    if len(token) >= 100:
        raise NotFound()
    rows = db.execute(_STATUS_PAGE, {"token": token}).all()
    if not rows:
        raise NotFound()
    first: tuple[Any, ...] = tuple(rows[0])
    (id_, reference, status, zh, en, created, due, mobile, locale, rating, rated_at, grouped) = (
        first[:12]
    )
    return StatusPage(
        id=id_,
        reference=reference,
        status=status,
        category_zh=zh,
        category_en=en,
        created_at=created,
        due_date=due,
        contact_mobile=mobile,
        locale=locale,
        rating=rating,
        rated_at=rated_at,
        grouped=bool(grouped),
        events=tuple(
            TimelineEntry(row[13], row[14], row[15] or {}, row[16])
            for row in rows
            if row[12] is not None
        ),
    )


def get_by_reference(db: Session, reference: str) -> Appeal:
    """The appeal with this reference number."""
    appeal = db.scalar(select(Appeal).where(Appeal.reference == reference.strip().upper()))
    if appeal is None:
        raise NotFound()
    return appeal
