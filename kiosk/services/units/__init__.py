"""The organisation's tree: finding units, what the officer's own unit is, and which units a
request's reach shows (the one place that limits a list of units: Unit is not in scope.RULES)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Unit, UnitKind, root_unit


def unit_for_code(db: Session, code: str, *, field: str = "unit") -> Unit:
    """The unit with this code ("" is the city at the root). A code no unit has names a building
    set up by its code alone (as `kiosk staff create --building` always has): its unit is made
    under the city."""
    code = code.strip().lower()
    if not code:
        return root_unit(db)
    found = db.scalar(select(Unit).where(Unit.code == code))
    if found is not None:
        return found
    if len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationFailed(fields={field: _l("No unit has that code.")})
    made = Unit(code=code, kind=UnitKind.BUILDING, name_zh=code, name_en=code, parent=root_unit(db))
    db.add(made)
    db.flush()
    return made


def subtree_ids(db: Session, unit: Unit) -> list[int]:
    """The ids of this unit and every unit under it (one prefix match on the path)."""
    return list(db.scalars(select(Unit.id).where(Unit.path.startswith(unit.path))))


def subtree_units(db: Session, unit: Unit) -> list[Unit]:
    """This unit and every unit under it, in the tree's order."""
    return in_tree_order(db.scalars(select(Unit).where(Unit.path.startswith(unit.path))))


def reachable(db: Session, statement: Select[Unit]) -> Select[Unit]:
    """Limit a select of units to those the request's reach shows (all of them for the city)."""
    allowed = scope.reach_of(db).allowed("unit")
    if allowed is None:
        return statement
    return statement.where(Unit.id.in_(sorted(int(u) for u in allowed)))


def units_in_reach(db: Session) -> list[Unit]:
    """The units the request's reach shows — the staff's unit and its subtree; every unit for
    the city's officers — in the tree's order (closed ones too)."""
    return in_tree_order(db.scalars(reachable(db, select(Unit))))


def unit_in_reach(db: Session, unit_id: int) -> Unit | None:
    """One unit by id if the request's reach shows it, else None."""
    return db.scalar(reachable(db, select(Unit)).where(Unit.id == unit_id))


def unit_choices(
    db: Session,
    kinds: Collection[UnitKind] | None = None,
    *,
    locale: str = "zh_CN",
    include_closed: bool = False,
) -> list[tuple[int, str]]:
    """(id, label) for a form's select: the units in reach of these kinds (any kind if None),
    open ones only unless asked, in the tree's order, indented by depth."""
    found = []
    for unit in units_in_reach(db):
        if kinds is not None and unit.kind not in kinds:
            continue
        if unit.closed_at is not None and not include_closed:
            continue
        found.append((unit.id, "\u3000" * unit.depth + unit.name(locale)))
    return found


# Siblings of equal order: the tree's own units first, from the top down, departments last.
KIND_RANK = {kind: rank for rank, kind in enumerate(UnitKind)}
KIND_RANK[UnitKind.DEPARTMENT] = len(KIND_RANK)


def in_tree_order(units: Iterable[Unit]) -> list[Unit]:
    """Units ordered as the tree shows them: each after its parent; siblings by their order,
    then kind (districts before streets, parks and buildings; departments last), then name."""
    rows = list(units)
    by_id = {row.id: row for row in rows}

    def key(unit: Unit) -> list[tuple[int, int, str, int]]:
        steps = []
        for part in unit.path.strip("/").split("/"):
            ancestor = by_id.get(int(part)) if part.isdigit() else None
            if ancestor is None:
                steps.append((0, 0, "", int(part) if part.isdigit() else 0))
            else:
                rank = KIND_RANK[ancestor.kind]
                steps.append((ancestor.sort_order, rank, ancestor.name_zh, ancestor.id))
        return steps

    return sorted(rows, key=key)
