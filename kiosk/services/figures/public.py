"""The programme's headline figures for anyone to see: a building's and the city's, this year,
with nothing about any person or company. They are read often (every attract screen, the city's
public page, each /metrics scrape), so each is kept for a minute in the process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, Application, BenefitClaim, Unit, UnitKind
from kiosk.services.figures import core
from kiosk.services.figures.periods import Period, year_of

KEEP = 60.0  # seconds a figure is kept before it is counted again
T = TypeVar("T")


@dataclass(frozen=True)
class Headline:
    """The three figures the programme is reported by (visits once they are recorded)."""

    solved: int
    money_paid: Decimal
    claims_paid: int


_lock = threading.Lock()
_kept: dict[object, tuple[float, object]] = {}


def _remembered(key: object, make: Callable[[], T]) -> T:
    now = time.monotonic()
    with _lock:
        found = _kept.get(key)
        if found is not None and now - found[0] < KEEP:
            return found[1]  # type: ignore[return-value]
    value = make()
    with _lock:
        _kept[key] = (now, value)
    return value


def forget() -> None:
    """Count everything again at the next read (tests; after a bulk import)."""
    with _lock:
        _kept.clear()


def headline(
    db: Session, zone: ZoneInfo, today: date, buildings: frozenset[str] | None
) -> Headline:
    """This year's headline figures for these buildings (None: the whole city)."""
    period = year_of(today)
    key = ("headline", db.get_bind().engine.url, period, buildings)
    return _remembered(key, lambda: _headline(db, zone, period, buildings))


def _headline(
    db: Session, zone: ZoneInfo, period: Period, buildings: frozenset[str] | None
) -> Headline:
    start, end = period.bounds(zone)
    solved = db.scalar(
        select(func.count()).where(
            core.within(Appeal.building_code, buildings), core.solved_in(start, end)
        )
    )
    paid = db.execute(
        select(func.count(), func.coalesce(func.sum(BenefitClaim.amount_granted), 0))
        .join(Application, Application.id == BenefitClaim.application_id)
        .where(
            core.within(Application.building_code, buildings),
            BenefitClaim.paid_on >= period.first,
            BenefitClaim.paid_on <= period.last,
        )
    ).one()
    return Headline(solved or 0, Decimal(paid[1] or 0).quantize(Decimal("0.01")), paid[0])


def per_unit(db: Session, zone: ZoneInfo, today: date) -> dict[str, Headline]:
    """This year's headline figures of every unit, summed from its buildings (three grouped
    queries for the whole tree; /metrics exports them per unit)."""
    period = year_of(today)
    key = ("per_unit", db.get_bind().engine.url, period)
    return _remembered(key, lambda: _per_unit(db, zone, period))


def _per_unit(db: Session, zone: ZoneInfo, period: Period) -> dict[str, Headline]:
    start, end = period.bounds(zone)
    solved = dict(
        db.execute(
            select(Appeal.building_code, func.count())
            .where(core.solved_in(start, end))
            .group_by(Appeal.building_code)
        ).all()
    )
    paid = {
        code: (n, amount)
        for code, n, amount in db.execute(
            select(Application.building_code, func.count(), func.sum(BenefitClaim.amount_granted))
            .join(Application, Application.id == BenefitClaim.application_id)
            .where(BenefitClaim.paid_on >= period.first, BenefitClaim.paid_on <= period.last)
            .group_by(Application.building_code)
        )
    }
    units = list(db.execute(select(Unit.code, Unit.kind, Unit.path, Unit.parent_id)).all())
    found = {}
    for code, _kind, path, parent in units:
        if parent is None:  # the city: every record, also of buildings the tree does not know
            inside = set(solved) | set(paid)
        else:
            inside = {c for c, k, p, _ in units if k == UnitKind.BUILDING and p.startswith(path)}
        found[code] = Headline(
            sum(solved.get(c, 0) for c in inside),
            Decimal(sum(Decimal(paid[c][1] or 0) for c in inside if c in paid)).quantize(
                Decimal("0.01")
            ),
            sum(paid[c][0] for c in inside if c in paid),
        )
    return found
