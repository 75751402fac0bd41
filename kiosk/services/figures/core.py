"""The programme's figures for a set of buildings and a period, counted from the records.

Every figure is an aggregate over the records themselves (appeals, claims, applications, events),
never a counter kept beside them: a report for a past period reads the same next year, and each
figure can be opened as the list it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from kiosk.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentState,
    BenefitClaim,
    Event,
    EventSignup,
    Rating,
    SignupStatus,
    Visit,
)
from kiosk.services.figures.periods import Period
from kiosk.services.figures.sql import days_between, days_summed, on_or_before

SOLVED = (AppealStatus.RESOLVED, AppealStatus.CLOSED)
CONTENT = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


@dataclass(frozen=True)
class Figures:
    """What a unit is judged by, over one period."""

    raised: int = 0  # problems raised (appeals received) in the period
    raised_solved: int = 0  # of those, solved by now
    solved: int = 0  # problems solved in the period
    solved_on_time: int = 0  # of those, by their due date
    days_to_answer: float | None = None  # mean days from raised to solved, of those solved
    rated: int = 0  # ratings given in the period
    content: int = 0  # of those, satisfied or basically satisfied
    money_paid: Decimal = Decimal(0)  # policy money paid (惠企资金兑现), yuan
    claims_paid: int = 0  # claims paid in the period
    applications_done: int = 0  # applications approved in the period
    events: int = 0  # events held in the period
    signups: int = 0  # places taken at them
    visits: int = 0  # visits to companies (走访) in the period
    companies_visited: int = 0  # distinct companies among them

    @property
    def resolution_rate(self) -> float | None:
        """办结率: of the problems raised in the period, the share solved by now."""
        return _share(self.raised_solved, self.raised)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: of the problems solved in the period, the share solved by their due date."""
        return _share(self.solved_on_time, self.solved)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: of the ratings given in the period, the share satisfied or basically so."""
        return _share(self.content, self.rated)

    def as_dict(self) -> dict[str, Any]:
        """Every figure and rate by name (for JSON, reports and /metrics)."""
        found: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        found |= {
            "resolution_rate": self.resolution_rate,
            "on_time_rate": self.on_time_rate,
            "satisfaction_rate": self.satisfaction_rate,
        }
        return found


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def within(column: Any, buildings: frozenset[str] | None) -> ColumnElement[bool]:
    """The column names one of these buildings (None: every building)."""
    if buildings is None:
        return true()
    condition: ColumnElement[bool] = column.in_(sorted(buildings)) if buildings else false()
    return condition


def raised_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Appeals raised in [start, end)."""
    return and_(Appeal.created_at >= start, Appeal.created_at < end)


def solved_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Appeals solved (resolved or closed) in [start, end)."""
    return and_(Appeal.status.in_(SOLVED), Appeal.resolved_at >= start, Appeal.resolved_at < end)


def on_time(zone: ZoneInfo) -> ColumnElement[bool]:
    """Solved by the due day, in the city's time zone."""
    condition: ColumnElement[bool] = on_or_before(Appeal.resolved_at, Appeal.due_date, zone)
    return condition


def rated_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Appeals the tenant rated in [start, end)."""
    return and_(Appeal.rating.is_not(None), Appeal.rated_at >= start, Appeal.rated_at < end)


CONTENT_RATING = Appeal.rating.in_(CONTENT)


@dataclass
class Slice:
    """Appeal counts of one building, category, source or day (or all of them) over a period."""

    raised: int = 0
    raised_solved: int = 0
    solved: int = 0
    on_time: int = 0
    days: float = 0.0  # days from raised to solved, summed over those solved

    def add(self, other: Slice) -> None:
        """Count `other` in too."""
        self.raised += other.raised
        self.raised_solved += other.raised_solved
        self.solved += other.solved
        self.on_time += other.on_time
        self.days += other.days


def count(
    db: Session,
    period: Period,
    zone: ZoneInfo,
    buildings: frozenset[str] | None,
    appeals: Slice | None = None,
) -> Figures:
    """The figures of these buildings (None: the whole city) over `period` (with `appeals`,
    the period's appeal counts, when the caller has them already)."""
    start, end = period.bounds(zone)
    here = within(Appeal.building_code, buildings)
    total = appeals if appeals is not None else _totals(db, here, start, end, zone)
    solved = total.solved
    rated = db.execute(
        select(func.count(), func.count().filter(CONTENT_RATING)).where(here, rated_in(start, end))
    ).one()
    paid = db.execute(
        select(func.count(), func.coalesce(func.sum(BenefitClaim.amount_granted), 0))
        .join(Application, Application.id == BenefitClaim.application_id)
        .where(
            within(Application.building_code, buildings),
            BenefitClaim.paid_on >= period.first,
            BenefitClaim.paid_on <= period.last,
        )
    ).one()
    done = db.scalar(
        select(func.count()).where(
            within(Application.building_code, buildings),
            Application.status == ApplicationStatus.APPROVED,
            Application.decided_at >= start,
            Application.decided_at < end,
        )
    )
    events, signups = _events(db, start, end, buildings)
    visits, visited = _visits(db, period, buildings)
    return Figures(
        raised=total.raised,
        raised_solved=total.raised_solved,
        solved=solved,
        solved_on_time=total.on_time,
        days_to_answer=total.days / solved if solved else None,
        rated=rated[0],
        content=rated[1],
        money_paid=Decimal(paid[1] or 0).quantize(Decimal("0.01")),
        claims_paid=paid[0],
        applications_done=done or 0,
        events=events,
        signups=signups,
        visits=visits,
        companies_visited=visited,
    )


def _visits(db: Session, period: Period, buildings: frozenset[str] | None) -> tuple[int, int]:
    """Visits made in the period (by the day of the visit) and the distinct companies visited."""
    found = db.execute(
        select(func.count(), func.count(func.distinct(Visit.tenant_id))).where(
            within(Visit.building_code, buildings),
            Visit.visited_on >= period.first,
            Visit.visited_on <= period.last,
        )
    ).one()
    return int(found[0]), int(found[1])


def _totals(
    db: Session, here: ColumnElement[bool], start: datetime, end: datetime, zone: ZoneInfo
) -> Slice:
    """The period's appeal counts as one slice (two scans, no grouping)."""
    raised = db.execute(
        select(func.count(), func.count().filter(Appeal.status.in_(SOLVED))).where(
            here, raised_in(start, end)
        )
    ).one()
    solved = db.execute(
        select(
            func.count(),
            func.count().filter(on_time(zone)),
            days_summed(Appeal.created_at, Appeal.resolved_at),
        ).where(here, solved_in(start, end))
    ).one()
    return Slice(raised[0], raised[1], solved[0], solved[1], float(solved[2] or 0.0))


def _events(db: Session, start: Any, end: Any, buildings: frozenset[str] | None) -> tuple[int, int]:
    """Events held in the period (a building's own, or the city's for every building, counted
    once for the city) and the places taken at them."""
    if buildings is None:
        mine: ColumnElement[bool] = true()
    else:
        mine = or_(within(Event.building_code, buildings), Event.building_code == "")
    held = and_(
        mine, Event.published, ~Event.cancelled, Event.starts_at >= start, Event.starts_at < end
    )
    events = db.scalar(select(func.count()).select_from(Event).where(held)) or 0
    signups = db.scalar(
        select(func.count())
        .select_from(EventSignup)
        .join(Event, Event.id == EventSignup.event_id)
        .where(held, EventSignup.status == SignupStatus.CONFIRMED)
    )
    return events, signups or 0


@dataclass(frozen=True)
class DepartmentFigures:
    """One department's hand-offs in a period: what a 专班 asks about first."""

    handed: int  # problems handed to it (as the lead department) in the period
    answered: int  # replies of it published in the period
    answered_on_time: int  # of those, replied by the hand-off's due day
    days_to_reply: float | None  # mean days from hand-off to its reply, of those answered

    @property
    def on_time_rate(self) -> float | None:
        """The share of published replies given by the due day."""
        return _share(self.answered_on_time, self.answered)


def by_department(
    db: Session,
    period: Period,
    zone: ZoneInfo,
    buildings: frozenset[str] | None,
    departments: frozenset[int] | None = None,
) -> dict[int, DepartmentFigures]:
    """Per department (lead hand-offs only): handed, answered, on time and days to a reply."""
    start, end = period.bounds(zone)
    here = [within(Assignment.building_code, buildings), Assignment.lead]
    if departments is not None:
        here.append(Assignment.department_id.in_(sorted(departments)))
    handed = dict(
        db.execute(
            select(Assignment.department_id, func.count())
            .where(*here, Assignment.created_at >= start, Assignment.created_at < end)
            .group_by(Assignment.department_id)
        ).all()
    )
    answered = {
        department: (n, in_time, days)
        for department, n, in_time, days in db.execute(
            select(
                Assignment.department_id,
                func.count(),
                func.count().filter(on_or_before(Assignment.replied_at, Assignment.due_on, zone)),
                func.avg(days_between(Assignment.created_at, Assignment.replied_at)),
            )
            .where(
                *here,
                Assignment.state == AssignmentState.PUBLISHED,
                Assignment.closed_at >= start,
                Assignment.closed_at < end,
            )
            .group_by(Assignment.department_id)
        )
    }
    return {
        department: DepartmentFigures(
            handed.get(department, 0),
            answered.get(department, (0, 0, None))[0],
            answered.get(department, (0, 0, None))[1],
            float(answered[department][2])
            if department in answered and answered[department][2] is not None
            else None,
        )
        for department in sorted({*handed, *answered})
    }
