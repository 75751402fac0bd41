"""A unit's report for a period (weekly, monthly or any two dates): the dashboard's figures and
breakdowns, and the problems overdue at the period's end and those rated 不满意 in it — what a
district prints for its 会商会. Everything is counted from the records as they stand, so a past
period's report reads the same later (save for records changed since)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealCategory, Rating, Unit
from kiosk.services.figures import core, dashboard
from kiosk.services.figures.periods import Period

LISTED = 500  # problems listed per section; a longer list says how many more there are


@dataclass(frozen=True)
class Problem:
    """One line of a report's list."""

    reference: str
    company: str
    category: str
    building: str
    raised: datetime
    due: str
    note: str  # the tenant's reason for 不满意, or how many days overdue


@dataclass(frozen=True)
class Report:
    """Everything a report prints."""

    board: dashboard.Dashboard
    overdue: list[Problem]
    overdue_total: int
    dissatisfied: list[Problem]
    dissatisfied_total: int
    made_at: datetime


def build(
    db: Session, unit: Unit, period: Period, zone: ZoneInfo, locale: str, now: datetime
) -> Report:
    """The report of `unit` over `period`."""
    board = dashboard.build(db, unit, period, zone, locale)
    start, end = period.bounds(zone)
    here = core.within(Appeal.building_code, board.buildings)
    # Overdue at the period's end: raised before it, due before its last day, not solved then.
    late: list[ColumnElement[bool]] = [
        here,
        Appeal.created_at < end,
        Appeal.due_date < period.last,
        or_(Appeal.resolved_at.is_(None), Appeal.resolved_at >= end),
    ]
    unhappy: list[ColumnElement[bool]] = [
        here,
        core.rated_in(start, end),
        Appeal.rating == Rating.DISSATISFIED,
    ]
    names = {c.id: c.name(locale) for c in db.scalars(select(AppealCategory))}
    overdue = [_line(a, names, zone, f"{(period.last - a.due_date).days}") for a in _rows(db, late)]
    dissatisfied = [_line(a, names, zone, a.rating_reason) for a in _rows(db, unhappy)]
    return Report(
        board=board,
        overdue=overdue,
        overdue_total=_count(db, late),
        dissatisfied=dissatisfied,
        dissatisfied_total=_count(db, unhappy),
        made_at=now,
    )


def _rows(db: Session, where: list[ColumnElement[bool]]) -> list[Appeal]:
    return list(
        db.scalars(select(Appeal).where(*where).order_by(Appeal.due_date, Appeal.id).limit(LISTED))
    )


def _count(db: Session, where: list[ColumnElement[bool]]) -> int:
    return db.scalar(select(func.count()).select_from(Appeal).where(*where)) or 0


def _line(appeal: Appeal, names: dict[int, str], zone: ZoneInfo, note: str) -> Problem:
    return Problem(
        reference=appeal.reference,
        company=appeal.company_name,
        category=names.get(appeal.category_id, ""),
        building=appeal.building_code,
        raised=appeal.created_at.astimezone(zone),
        due=appeal.due_date.isoformat(),
        note=note,
    )
