"""A period's appeals counted once for every way the dashboard breaks them down: per building,
per category, per source and per day of the city's calendar (the weekly trend). The totals are
the sum of any one of them.

Each event (raised in the period; solved in it) is counted in two scans: one grouped by
building, category and source together (summed here into each), one grouped by day. PostgreSQL
could do both in one scan with GROUPING SETS, but measured on a city's year it was slower than
the two (each grouping set evaluates the aggregates again), and SQLite has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from kiosk.models import Appeal
from kiosk.services.figures import core
from kiosk.services.figures.core import Slice
from kiosk.services.figures.periods import Period
from kiosk.services.figures.sql import days_summed, local_date


@dataclass
class Sliced:
    """A period's appeal counts per building code, category id, source and local day."""

    buildings: dict[str, Slice] = field(default_factory=dict)
    categories: dict[int, Slice] = field(default_factory=dict)
    sources: dict[str, Slice] = field(default_factory=dict)
    days: dict[date, Slice] = field(default_factory=dict)

    def total(self) -> Slice:
        """The whole period (every appeal has exactly one source)."""
        found = Slice()
        for part in self.sources.values():
            found.add(part)
        return found

    def part(self, index: int) -> dict[Any, Slice]:
        """Per building (0), category (1) or source (2)."""
        if index == 0:
            return self.buildings
        return self.categories if index == 1 else self.sources


def slices(db: Session, period: Period, zone: ZoneInfo, buildings: frozenset[str] | None) -> Sliced:
    """The period's appeals per building, category, source and day."""
    start, end = period.bounds(zone)
    here = core.within(Appeal.building_code, buildings)
    raised = [here, core.raised_in(start, end)]
    solved = [here, core.solved_in(start, end)]
    raised_counts = [func.count(), func.count().filter(Appeal.status.in_(core.SOLVED))]
    solved_counts = [
        func.count(),
        func.count().filter(core.on_time(zone)),
        days_summed(Appeal.created_at, Appeal.resolved_at),
    ]
    found = Sliced()
    # Through the connection: the session's ORM layer, row by row, cost as much as the scans.
    conn = db.connection()
    for where, counts, when, add in (
        (raised, raised_counts, Appeal.created_at, _add_raised),
        (solved, solved_counts, Appeal.resolved_at, _add_solved),
    ):
        for building, category, source, *values in conn.execute(
            select(*KEYS, *counts).where(*where).group_by(*KEYS)
        ):
            add(found.buildings, building, values)
            add(found.categories, category, values)
            add(found.sources, source, values)
        # The weekly trend draws only how many: the day's other counts are left at nought.
        day = local_date(when, zone)
        for on, n in conn.execute(select(day, func.count()).where(*where).group_by(day)):
            add(found.days, _day(on), [n, 0, 0])
    return found


# The source as its stored text: an Enum column's result processing, row by row, was a third
# of a city's year.
KEYS = (Appeal.building_code, Appeal.category_id, type_coerce(Appeal.source, String()))


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _add_raised(into: dict[Any, Slice], key: Any, values: list[Any]) -> None:
    row = into.setdefault(key, Slice())
    row.raised += values[0]
    row.raised_solved += values[1]


def _add_solved(into: dict[Any, Slice], key: Any, values: list[Any]) -> None:
    row = into.setdefault(key, Slice())
    row.solved += values[0]
    row.on_time += values[1]
    row.days += float(values[2] or 0.0)


def summed(sliced: Sliced, part: int) -> dict[Any, tuple[int, int, int]]:
    """Raised, solved and solved on time per building (part 0), category (1) or source (2)."""
    return {
        key: (row.raised, row.solved, row.on_time)
        for key, row in sliced.part(part).items()
        if row.raised or row.solved or row.on_time
    }


def weeks_of(sliced: Sliced, period: Period) -> list[tuple[date, int, int]]:
    """Per week of the period (its Monday): problems raised and solved."""
    rows = {monday: [0, 0] for monday in period.weeks()}
    for day, counts in sliced.days.items():
        monday = day.fromordinal(day.toordinal() - day.weekday())
        if monday in rows:
            rows[monday][0] += counts.raised
            rows[monday][1] += counts.solved
    return [(monday, r[0], r[1]) for monday, r in rows.items()]


def by_building(
    db: Session, period: Period, zone: ZoneInfo, buildings: frozenset[str] | None
) -> dict[str, tuple[int, int, int]]:
    """Problems raised, solved and solved on time in the period, per building code (for the
    breakdown by a unit's children, which sums its buildings)."""
    return summed(slices(db, period, zone, buildings), 0)


def by_category(
    db: Session, period: Period, zone: ZoneInfo, buildings: frozenset[str] | None
) -> dict[int, tuple[int, int, int]]:
    """Problems raised, solved and solved on time in the period, per category id."""
    return summed(slices(db, period, zone, buildings), 1)


def by_source(
    db: Session, period: Period, zone: ZoneInfo, buildings: frozenset[str] | None
) -> dict[str, tuple[int, int, int]]:
    """Problems raised, solved and solved on time in the period, per source (kiosk, visit …)."""
    return summed(slices(db, period, zone, buildings), 2)


def weekly(
    db: Session, period: Period, zone: ZoneInfo, buildings: frozenset[str] | None
) -> list[tuple[date, int, int]]:
    """Per week of the period (its Monday): problems raised and solved."""
    return weeks_of(slices(db, period, zone, buildings), period)
