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


def test_every_breakdown_sums_the_records_it_counts(
    db: Session, ledger: Callable[..., Appeal]
) -> None:
    """Per building, category, source and week, as the dashboard counts them, equals the records
    counted one by one in Python."""
    import random

    from sqlalchemy import select

    from kiosk.models import AppealCategory, Source
    from kiosk.services.figures import slices

    rng = random.Random(17)
    categories = list(db.scalars(select(AppealCategory.id)))[:3]
    made = []
    for _ in range(60):
        created = datetime(2026, 10, 25, tzinfo=ZONE) + timedelta(hours=rng.randrange(40 * 24))
        resolved = created + timedelta(hours=rng.randrange(1, 15 * 24))
        appeal = ledger(
            created.strftime("%Y-%m-%d %H:%M"),
            resolved=resolved.strftime("%Y-%m-%d %H:%M") if rng.random() < 0.7 else None,
            due=(created + timedelta(days=rng.randrange(1, 10))).date(),
            building=rng.choice(["demo", "other", "third"]),
        )
        appeal.category_id = rng.choice(categories)
        appeal.source = rng.choice([Source.KIOSK, Source.VISIT, Source.PHONE])
        made.append(appeal)
    db.commit()

    start, end = NOVEMBER.bounds(ZONE)
    expected: dict[tuple[int, object], list[int]] = {}
    weeks: dict[date, list[int]] = {}
    for a in made:
        raised = start <= a.created_at < end
        solved = a.resolved_at is not None and start <= a.resolved_at < end
        in_time = solved and a.resolved_at.astimezone(ZONE).date() <= a.due_date
        for part, key in enumerate((a.building_code, a.category_id, str(a.source))):
            row = expected.setdefault((part, key), [0, 0, 0])
            row[0] += raised
            row[1] += solved
            row[2] += in_time
        for index, when in ((0, a.created_at if raised else None), (1, a.resolved_at)):
            if when is not None and (index == 0 or solved):
                day = when.astimezone(ZONE).date()
                weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0])[index] += 1
    found = slices.slices(db, NOVEMBER, ZONE, None)
    for part in range(3):
        assert slices.summed(found, part) == {
            key: tuple(row) for (p, key), row in expected.items() if p == part and any(row)
        }
    assert {m: [r, s] for m, r, s in slices.weeks_of(found, NOVEMBER) if r or s} == weeks
    once = figures.count(db, NOVEMBER, ZONE, None, found.total()).as_dict()
    alone = figures.count(db, NOVEMBER, ZONE, None).as_dict()
    assert once.pop("days_to_answer") == pytest.approx(alone.pop("days_to_answer"))
    assert once == alone


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/Bogota"])
def test_on_time_ends_at_midnight_in_the_city_s_zone(
    db: Session, ledger: Callable[..., Appeal], zone: str
) -> None:
    """Solved by the last microsecond of the due day is on time; at midnight after, late: east of
    Greenwich, at it, and west of it (no summer time in any, as SQLite reads the offset now)."""
    city = ZoneInfo(zone)
    due = date(2026, 11, 20)
    midnight = datetime(2026, 11, 21, tzinfo=city)
    for resolved in (midnight - timedelta(microseconds=1), midnight, midnight + timedelta(hours=1)):
        appeal = ledger("2026-11-10 09:00", due=due)
        appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, resolved.astimezone(UTC)
    db.commit()
    found = figures.count(db, NOVEMBER, city, None)
    assert (found.solved, found.solved_on_time) == (3, 1)


def test_the_dashboard_plans_its_queries_for_their_own_values(db: Session) -> None:
    """On PostgreSQL a dashboard is never counted with a generic plan kept from other values
    (psycopg prepares a statement after five runs), and the setting ends with its transaction."""
    from sqlalchemy import text

    from kiosk.models import root_unit
    from kiosk.services.figures import dashboard

    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL plans")
    dashboard.build(db, root_unit(db), NOVEMBER, ZONE, "zh_CN")
    assert db.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    db.commit()
    assert db.scalar(text("SHOW plan_cache_mode")) == "auto"
