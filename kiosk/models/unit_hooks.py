"""What keeps the tree whole as rows are written: every building has its unit, every account
and company belongs to one, and a unit's path is set when it is inserted."""

from __future__ import annotations

from sqlalchemy import Connection, event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from kiosk.models.building import Building, Tenant
from kiosk.models.staff import Staff
from kiosk.models.unit import Unit, UnitKind

ROOT_CODE = "city"  # the unit at the top of the tree, made by the first migration that has units


def root_unit(db: Session) -> Unit:
    """The unit at the top of the tree (made when missing, as on a schema built from models)."""
    for row in db.new:
        if isinstance(row, Unit) and row.parent_id is None and row.parent is None:
            return row
    found = db.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
    if found is None:
        found = Unit(code=ROOT_CODE, kind=UnitKind.CITY, name_zh="全市", name_en="City", path="/")
        db.add(found)  # in a flush's before_flush, the flush takes it too
    return found


def fill_units(db: Session, _context: object, _instances: object) -> None:
    """Before a flush: a new building has its building unit; an account without a unit belongs
    to the city; a company without a unit is on its building's list. Runs before the scope's
    check, so a row is judged with its unit."""
    with db.no_autoflush:
        fresh = [row for row in db.new if isinstance(row, (Building, Staff, Tenant, Unit))]
        for row in fresh:
            if isinstance(row, Building):
                _building_unit(db, row.code, row.name_zh, row.name_en)
        for row in fresh:
            if isinstance(row, Staff) and row.unit_id is None and row.unit is None:
                row.unit = root_unit(db)
        for row in [*fresh, *db.dirty]:
            if isinstance(row, Tenant) and row.unit_id is None and row.unit is None:
                code = _building_code(db, row)
                if code:
                    row.unit = _building_unit(db, code, code, code)


def _building_code(db: Session, tenant: Tenant) -> str:
    if tenant.building is not None:
        return tenant.building.code
    if tenant.building_id is None:
        return ""
    return db.scalar(select(Building.code).where(Building.id == tenant.building_id)) or ""


def _building_unit(db: Session, code: str, name_zh: str, name_en: str) -> Unit:
    """The unit of the building with this code, made under the city when there is none."""
    for row in db.new:
        if isinstance(row, Unit) and row.code == code:
            return row
    found = db.scalar(select(Unit).where(Unit.code == code))
    if found is None:
        root = root_unit(db)
        found = Unit(
            code=code, kind=UnitKind.BUILDING, name_zh=name_zh, name_en=name_en, parent=root
        )
        db.add(found)
    return found


def fill_paths(_mapper: object, connection: Connection, unit: Unit) -> None:
    """After a unit is inserted: its path, from its parent's (the id is known only now)."""
    parent_path = "/"
    if unit.parent_id is not None:
        parent_path = connection.scalar(select(Unit.path).where(Unit.id == unit.parent_id)) or "/"
    path = f"{parent_path}{unit.id}/"
    connection.execute(update(Unit).where(Unit.id == unit.id).values(path=path))
    set_committed_value(unit, "path", path)


# On every session, wherever it was made: the tree's wholeness is the models' own rule.
event.listen(Session, "before_flush", fill_units)
event.listen(Unit, "after_insert", fill_paths)
