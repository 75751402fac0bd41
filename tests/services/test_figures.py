"""The programme's figures, counted from the records in the city's calendar, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, Rating
from kiosk.services import figures
from kiosk.services.figures.periods import Period, month_of, named, quarter_of, week_of, year_of

ZONE = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30), "month")


def _at(text: str) -> datetime:
    """A Beijing time as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def ledger(db: Session, make_appeal: Callable[..., Appeal]) -> Callable[..., Appeal]:
    def add(
        created: str,
        *,
        resolved: str | None = None,
        due: date = date(2026, 11, 20),
        building: str = "demo",
        rating: Rating | None = None,
        rated: str | None = None,
    ) -> Appeal:
        appeal = make_appeal()
        appeal.created_at, appeal.due_date, appeal.building_code = _at(created), due, building
        if resolved is not None:
            appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, _at(resolved)
        if rating is not None:
            appeal.status, appeal.rating = AppealStatus.CLOSED, rating
            appeal.rated_at = _at(rated or resolved or created)
        db.commit()
        return appeal

    return add


def test_a_month_counted_in_beijing_time(db: Session, ledger: Callable[..., Appeal]) -> None:
    # Raised on 1 November at 00:30 Beijing time (31 October in UTC): November's.
    ledger("2026-11-01 00:30", resolved="2026-11-03 00:30", due=date(2026, 11, 5))
    # Raised on 31 October at 23:30: October's, though solved in November.
    ledger("2026-10-31 23:30", resolved="2026-11-02 11:30", due=date(2026, 11, 1))
    # Solved at 23:59 on its due day: on time; at 00:01 the day after: late.
    ledger("2026-11-10 09:00", resolved="2026-11-20 23:59", due=date(2026, 11, 20))
    ledger("2026-11-10 09:00", resolved="2026-11-21 00:01", due=date(2026, 11, 20))
    ledger("2026-11-30 23:59")  # raised, not solved
    ledger("2026-12-01 00:00")  # December's
    ledger("2026-11-12 10:00", building="elsewhere")  # another building's

    mine = figures.count(db, NOVEMBER, ZONE, frozenset({"demo"}))
    assert (mine.raised, mine.raised_solved) == (4, 3)
    assert (mine.solved, mine.solved_on_time) == (4, 2)
    assert mine.resolution_rate == pytest.approx(3 / 4)
    assert mine.on_time_rate == pytest.approx(2 / 4)
    # Days from raised to solved: 2, 1.5, 10 days 14 h 59 min, 10 days 15 h 1 min.
    days = (2, 1.5, 10 + (14 + 59 / 60) / 24, 10 + (15 + 1 / 60) / 24)
    assert mine.days_to_answer == pytest.approx(sum(days) / 4, abs=1e-6)

    city = figures.count(db, NOVEMBER, ZONE, None)
    assert city.raised == 5 and city.solved == 4
    nobody = figures.count(db, NOVEMBER, ZONE, frozenset())
    assert nobody.raised == 0 and nobody.resolution_rate is None and nobody.days_to_answer is None


def test_satisfaction_counts_ratings_given_in_the_period(
    db: Session, ledger: Callable[..., Appeal]
) -> None:
    ledger(
        "2026-10-20 09:00",
        resolved="2026-10-25 09:00",
        rating=Rating.SATISFIED,
        rated="2026-11-02 09:00",
    )
    ledger("2026-11-02 09:00", resolved="2026-11-03 09:00", rating=Rating.BASICALLY_SATISFIED)
    ledger("2026-11-02 09:00", resolved="2026-11-03 09:00", rating=Rating.DISSATISFIED)
    ledger(
        "2026-11-02 09:00",
        resolved="2026-11-03 09:00",
        rating=Rating.SATISFIED,
        rated="2026-12-02 09:00",
    )
    found = figures.count(db, NOVEMBER, ZONE, None)
    assert (found.rated, found.content) == (3, 2)
    assert found.satisfaction_rate == pytest.approx(2 / 3)


def test_breakdowns_and_the_weekly_trend(db: Session, ledger: Callable[..., Appeal]) -> None:
    ledger("2026-11-02 09:00", resolved="2026-11-04 09:00", due=date(2026, 11, 3))  # late
    ledger("2026-11-03 09:00", resolved="2026-11-09 09:00", building="other")
    ledger("2026-11-10 09:00")
    assert figures.by_building(db, NOVEMBER, ZONE, None) == {"demo": (2, 1, 0), "other": (1, 1, 1)}
    assert figures.by_building(db, NOVEMBER, ZONE, frozenset({"other"})) == {"other": (1, 1, 1)}
    (counts,) = figures.by_category(db, NOVEMBER, ZONE, None).values()
    assert counts == (3, 2, 1)
    trend = figures.weekly(db, NOVEMBER, ZONE, None)
    assert trend[0] == (date(2026, 10, 26), 0, 0)  # 1 November is a Sunday
    assert trend[1] == (date(2026, 11, 2), 2, 1)
    assert trend[2] == (date(2026, 11, 9), 1, 1)
    assert sum(r for _, r, _ in trend) == 3 and len(trend) == 6


def test_periods() -> None:
    today = date(2026, 12, 7)  # a Monday
    assert week_of(today) == Period(date(2026, 12, 7), date(2026, 12, 13), "week")
    assert month_of(today) == Period(date(2026, 12, 1), date(2026, 12, 31), "month")
    assert quarter_of(today) == Period(date(2026, 10, 1), date(2026, 12, 31), "quarter")
    assert year_of(today).days == 365
    assert month_of(date(2028, 2, 10)).last == date(2028, 2, 29)
    assert Period(date(2028, 2, 29), date(2028, 2, 29)).a_year_before().first == date(2027, 2, 28)
    assert month_of(today).before() == Period(date(2026, 11, 1), date(2026, 11, 30), "month")
    assert quarter_of(today).before().first == date(2026, 7, 1)
    # Two dates the wrong way round are swapped; a period is cut to three years.
    custom = named("custom", today, date(2026, 12, 1), date(2026, 11, 1))
    assert (custom.first, custom.last) == (date(2026, 11, 1), date(2026, 12, 1))
    long = named("custom", today, date(2010, 1, 1), date(2026, 1, 1))
    assert long.days == 3 * 366
    assert named("nonsense", today) == month_of(today)
    assert named("custom", today, None, date(2026, 1, 1)) == month_of(today)
    start, end = NOVEMBER.bounds(ZONE)
    assert (start.isoformat(), end - start) == ("2026-10-31T16:00:00+00:00", timedelta(days=30))


def test_departments_by_their_replies_on_time(db: Session, ledger: Callable[..., Appeal]) -> None:
    from kiosk.models import Assignment, AssignmentState, Unit, UnitKind, root_unit

    city = root_unit(db)
    market = Unit(code="market", kind=UnitKind.DEPARTMENT, name_zh="市场监管局", parent=city)
    tax = Unit(code="tax", kind=UnitKind.DEPARTMENT, name_zh="税务局", parent=city)
    db.add_all([market, tax])
    db.flush()

    def hand(
        department: Unit, handed: str, replied: str | None, due: date, lead: bool = True
    ) -> None:
        appeal = ledger(handed)
        db.add(
            Assignment(
                appeal_id=appeal.id, building_code="demo", department_id=department.id,
                from_unit_id=city.id, lead=lead, due_on=due, working_days=5,
                created_at=_at(handed),
                state=AssignmentState.PUBLISHED if replied else AssignmentState.ACCEPTED,
                replied_at=_at(replied) if replied else None,
                closed_at=_at(replied) if replied else None,
            )
        )  # fmt: skip
        db.commit()

    hand(market, "2026-11-02 09:00", "2026-11-04 09:00", date(2026, 11, 6))  # on time, 2 days
    hand(market, "2026-11-02 09:00", "2026-11-10 09:00", date(2026, 11, 6))  # late, 8 days
    hand(market, "2026-11-02 09:00", None, date(2026, 11, 6))  # still with it
    hand(market, "2026-11-02 09:00", "2026-11-03 09:00", date(2026, 11, 6), lead=False)  # 协办
    hand(tax, "2026-11-03 09:00", "2026-11-04 21:00", date(2026, 11, 4))  # 21:00 on the due day
    found = figures.by_department(db, NOVEMBER, ZONE, None)
    assert (found[market.id].handed, found[market.id].answered) == (3, 2)
    assert found[market.id].answered_on_time == 1
    assert found[market.id].days_to_reply == pytest.approx(5.0)
    assert found[tax.id].on_time_rate == 1.0
    assert figures.by_department(db, NOVEMBER, ZONE, frozenset({"elsewhere"})) == {}
    only_tax = figures.by_department(db, NOVEMBER, ZONE, None, frozenset({tax.id}))
    assert list(only_tax) == [tax.id]
