"""What the dashboard shows for one unit and period: its figures against last year's and the
period before, its children's, its categories' and its weeks'."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import AppealCategory, Unit, UnitKind
from kiosk.services.figures import core, slices
from kiosk.services.figures.periods import Period
from kiosk.services.figures.sql import plan_for_values
from kiosk.services.units import subtree_units


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: problems raised, solved and solved on time."""

    key: str
    label: str
    raised: int
    solved: int
    on_time: int
    unit_id: int | None = None  # a child unit, to drill down into

    @property
    def on_time_rate(self) -> float | None:
        """The share solved by their due date."""
        return self.on_time / self.solved if self.solved else None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard draws for one unit and one period."""

    unit: Unit
    period: Period
    buildings: frozenset[str] | None  # None: the whole city
    now: core.Figures
    last_year: core.Figures
    before: core.Figures
    children: list[Row]
    categories: list[Row]
    sources: list[Row]
    departments: list[tuple[Unit, core.DepartmentFigures]]
    weeks: list[tuple[str, int, int]]


def buildings_under(db: Session, unit: Unit) -> frozenset[str] | None:
    """The codes of the buildings in this unit's subtree (None for the city: every record,
    including those filed under a building the tree does not know yet)."""
    if unit.parent_id is None:
        return None
    return frozenset(u.code for u in subtree_units(db, unit) if u.kind == UnitKind.BUILDING)


def build(db: Session, unit: Unit, period: Period, zone: ZoneInfo, locale: str) -> Dashboard:
    """The dashboard of `unit` over `period`."""
    plan_for_values(db)
    buildings = buildings_under(db, unit)
    sliced = slices.slices(db, period, zone, buildings)
    last_year = core.count(db, period.a_year_before(), zone, buildings)
    # A year's period before is last year: counted once.
    before = period.before()
    return Dashboard(
        unit=unit,
        period=period,
        buildings=buildings,
        now=core.count(db, period, zone, buildings, sliced.total()),
        last_year=last_year,
        before=last_year
        if before == period.a_year_before()
        else core.count(db, before, zone, buildings),
        children=_children(db, unit, slices.summed(sliced, 0), locale),
        categories=_categories(db, slices.summed(sliced, 1), locale),
        sources=[Row(key, key, *n) for key, n in sorted(slices.summed(sliced, 2).items())],
        departments=_departments(db, unit, period, zone, buildings),
        weeks=[(m.isoformat(), r, s) for m, r, s in slices.weeks_of(sliced, period)],
    )


def _children(
    db: Session, unit: Unit, per_building: dict[str, tuple[int, int, int]], locale: str
) -> list[Row]:
    """The unit's children that hold buildings, each with the sum of its buildings."""
    below = [u for u in subtree_units(db, unit) if u.parent_id == unit.id]
    everyone = subtree_units(db, unit)
    rows = []
    for child in below:
        if child.kind == UnitKind.DEPARTMENT:
            continue
        codes = {
            u.code
            for u in everyone
            if u.path.startswith(child.path) and u.kind == UnitKind.BUILDING
        }
        counts = [per_building.get(code, (0, 0, 0)) for code in codes]
        rows.append(
            Row(
                key=child.code,
                label=child.name(locale),
                raised=sum(c[0] for c in counts),
                solved=sum(c[1] for c in counts),
                on_time=sum(c[2] for c in counts),
                unit_id=child.id,
            )
        )
    return rows


def _categories(db: Session, counts: dict[int, tuple[int, int, int]], locale: str) -> list[Row]:
    rows = []
    for category in db.scalars(select(AppealCategory).order_by(AppealCategory.sort_order)):
        raised, solved, on_time = counts.get(category.id, (0, 0, 0))
        if raised or solved or category.active:
            rows.append(Row(category.code, category.name(locale), raised, solved, on_time))
    return rows


def _departments(
    db: Session, unit: Unit, period: Period, zone: ZoneInfo, buildings: frozenset[str] | None
) -> list[tuple[Unit, core.DepartmentFigures]]:
    """Departments by on-time rate (worst first), then by days to a reply; a department's own
    officers see their department's hand-offs from every unit that handed them one."""
    if unit.kind == UnitKind.DEPARTMENT:
        found = core.by_department(db, period, zone, None, frozenset({unit.id}))
    else:
        found = core.by_department(db, period, zone, buildings)
    units = {u.id: u for u in db.scalars(select(Unit).where(Unit.id.in_(sorted(found))))}
    rows = [(units[key], figures) for key, figures in found.items() if key in units]
    return sorted(
        rows,
        key=lambda row: (
            row[1].on_time_rate if row[1].on_time_rate is not None else 2.0,
            -(row[1].days_to_reply or 0.0),
        ),
    )
