"""How many staff, companies and kiosks each unit of the tree has, itself and below."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Kiosk, Staff, Tenant, Unit, UnitKind


@dataclass(frozen=True)
class Counts:
    """Active staff accounts, active companies and kiosks in a unit and every unit under it."""

    staff: int = 0
    companies: int = 0
    kiosks: int = 0


def subtree_counts(db: Session, units: Sequence[Unit]) -> dict[int, Counts]:
    """Counts for each of these units, summed over its subtree (three grouped queries)."""
    ids = [unit.id for unit in units]
    staff = Counter(
        dict(
            db.execute(
                select(Staff.unit_id, func.count())
                .where(Staff.unit_id.in_(ids), Staff.active)
                .group_by(Staff.unit_id)
            ).all()
        )
    )
    companies = Counter(
        dict(
            db.execute(
                select(Tenant.unit_id, func.count())
                .where(Tenant.unit_id.in_(ids), Tenant.active, Tenant.moved_out_at.is_(None))
                .group_by(Tenant.unit_id)
            ).all()
        )
    )
    by_code = {unit.code: unit.id for unit in units if unit.kind is UnitKind.BUILDING}
    kiosks: Counter[int] = Counter()
    for code, n in db.execute(
        select(Kiosk.building_code, func.count())
        .where(Kiosk.building_code.in_(sorted(by_code)))
        .group_by(Kiosk.building_code)
    ).all():
        kiosks[by_code[code]] += n
    totals: dict[int, list[int]] = {unit.id: [0, 0, 0] for unit in units}
    for unit in units:
        own = (staff[unit.id], companies[unit.id], kiosks[unit.id])
        for part in unit.path.strip("/").split("/"):
            total = totals.get(int(part)) if part.isdigit() else None
            if total is not None:
                for i, n in enumerate(own):
                    total[i] += n
    return {key: Counts(*value) for key, value in totals.items()}
