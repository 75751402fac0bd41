"""Importing a unit's company list from a spreadsheet: a plan (what every row would add or
change, and every wrong row with its line and reasons), then the whole plan written in one
transaction, or nothing.

Rows are keyed by the credit code. An empty cell keeps what is recorded (the import never
erases), and a company on the list but not in the file is left as it is (moving out is done on
the company's page). Every name in the file must be in the importer's reach: a building, room,
unit or liaison officer out of reach is a wrong row, as is a credit code already on the list of
a unit the importer cannot reach.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Building, Room, Staff, Tenant, TenantMove, Unit
from kiosk.scope import OutOfReach
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.companies.moves import PLACE_MAX, Target, place, room_label
from kiosk.services.companies.profile import FIELDS, check_profile
from kiosk.services.companies.sheet_places import Directory
from kiosk.services.companies.sheets import Sheet, SheetRow
from kiosk.validators import normalize_uscc

PROFILE = tuple(name for name in FIELDS if name != "floor_room")
SOURCE = "import"  # TenantMove.source of a move an import made
CHUNK = 500  # credit codes looked up per query


@dataclass(frozen=True)
class Change:
    """One field a row changes: column key, what is recorded, what the file says."""

    field: str
    old: Any
    new: Any


@dataclass
class Planned:
    """A row the import would write: a new company (tenant None) or changes to one."""

    line: int
    uscc: str
    name: str
    values: dict[str, Any]
    target: Target | None
    officer: Staff | None
    tenant: Tenant | None
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """A wrong row: its line, what it names, and why (column key or "", message)."""

    line: int
    uscc: str
    name: str
    reasons: list[tuple[str, Any]]


@dataclass
class Plan:
    """What importing a sheet would do; nothing is written while any row is wrong."""

    adds: list[Planned]
    changes: list[Planned]
    unchanged: int
    problems: list[Problem]

    @property
    def ready(self) -> bool:
        """Whether the import may go ahead: no wrong row, and something to write."""
        return not self.problems and bool(self.adds or self.changes)

    @property
    def digest(self) -> str:
        """A fingerprint of what would be written, so the import writes what the preview said."""
        hasher = hashlib.sha256()
        for row in (*self.adds, *self.changes):
            parts = [str(row.line), row.uscc, "new" if row.tenant is None else "old"]
            parts += [f"{c.field}={_key(c.new)}" for c in row.changes]
            hasher.update("\x1f".join(parts).encode() + b"\x1e")
        return hasher.hexdigest()[:32]


def _key(value: Any) -> str:
    return f"#{value.id}" if isinstance(value, Building | Room | Staff | Unit) else repr(value)


def plan_import(db: Session, sheet: Sheet, *, home: Unit | None, today: date) -> Plan:
    """Judge every row of `sheet` against the list in reach (`home`: the importer's unit, where
    a new company goes when the file names no building or unit)."""
    directory = Directory(db, home)
    codes = [normalize_uscc(row.cells.get("uscc", "")) for row in sheet.rows]
    known, elsewhere = _existing(db, [code for code in codes if code])
    plan = Plan([], [], 0, [])
    seen: dict[str, int] = {}
    for row, code in zip(sheet.rows, codes, strict=True):
        reasons: list[tuple[str, Any]] = []
        if code and code in seen:
            reasons.append(
                ("uscc", _l("The same credit code is on line %(line)s.", line=seen[code]))
            )
        elif code in elsewhere:
            reasons.append(
                ("uscc", _l("This company is on the list of a unit outside your reach."))
            )
        seen.setdefault(code, row.line)
        planned = _judge(row, known.get(code), directory, today, reasons)
        if reasons or planned is None:
            name = row.cells.get("name", "")[:100]
            plan.problems.append(Problem(row.line, code[:18], name, reasons))
        elif planned.tenant is None:
            plan.adds.append(planned)
        elif planned.changes:
            plan.changes.append(planned)
        else:
            plan.unchanged += 1
    return plan


def _existing(db: Session, codes: list[str]) -> tuple[dict[str, Tenant], set[str]]:
    """The companies in reach with these credit codes, and the codes taken outside reach."""
    known: dict[str, Tenant] = {}
    taken: set[str] = set()
    table = Tenant.__table__.c
    for start in range(0, len(codes), CHUNK):
        chunk = sorted(set(codes[start : start + CHUNK]))
        known.update((t.uscc, t) for t in db.scalars(select(Tenant).where(Tenant.uscc.in_(chunk))))
        # A Core statement on the table: it sees past the scope, only to say "taken".
        taken.update(db.scalars(select(table.uscc).where(table.uscc.in_(chunk))))
    return known, taken - set(known)


def _judge(
    row: SheetRow,
    tenant: Tenant | None,
    directory: Directory,
    today: date,
    reasons: list[tuple[str, Any]],
) -> Planned | None:
    """The row as a new company or as changes to `tenant`; its problems added to `reasons`."""
    cells = row.cells
    if tenant is None:
        raw = {name: cells.get(name, "") for name in PROFILE}
        values, errors = check_profile(raw, today=today)
    else:
        raw = {name: cells[name] for name in PROFILE if cells.get(name)}
        values, errors = check_profile(raw, today=today, partial=True)
    reasons.extend(errors.items())
    target = _target(cells, tenant, directory, reasons)
    officer = None
    if cells.get("officer"):
        officer, problem = directory.officer(cells["officer"])
        if problem is not None:
            reasons.append(("officer", problem))
    if reasons:
        return None
    code = values.get("uscc") or (tenant.uscc if tenant is not None else "")
    name = values.get("name") or (tenant.name if tenant is not None else "")
    planned = Planned(row.line, code, name, values, target, officer, tenant)
    planned.changes = _changes(planned)
    return planned


def _target(
    cells: dict[str, str],
    tenant: Tenant | None,
    directory: Directory,
    reasons: list[tuple[str, Any]],
) -> Target | None:
    """Where the row puts the company (None: where it is). A room is looked up in the named
    building, else the company's own, else the importer's."""
    building: Building | None = None
    unit: Unit | None = None
    if cells.get("building"):
        building, problem = directory.building(cells["building"])
        if problem is not None:
            reasons.append(("building", problem))
            return None
    if cells.get("unit"):
        unit, problem = directory.unit(cells["unit"])
        if problem is not None:
            reasons.append(("unit", problem))
            return None
        standing = directory.building_of(unit)
        if standing is not None:  # a building's own unit: the same as naming the building
            if building is not None and building.id != standing.id:
                reasons.append(("unit", _l("This is not the building's unit.")))
                return None
            building = standing
        elif building is not None and not directory.unit_of(building).path.startswith(unit.path):
            reasons.append(("unit", _l("The building is not under this unit.")))
            return None
        if building is not None:
            unit = None  # a company in a building is on the building's list
    number, floor = cells.get("room", ""), cells.get("floor", "")
    if building is None and unit is None and (number or floor):
        current = tenant.building if tenant is not None and tenant.active else None
        building = current or (directory.building_of(directory.home) if directory.home else None)
        if building is None:
            reasons.append(("building", _l("Name the building this room is in.")))
            return None
    if building is not None:
        return _in_building(building, number, floor, tenant, directory, reasons)
    if unit is not None:
        stays = tenant is not None and tenant.active and tenant.building_id is None
        return None if stays and tenant is not None and tenant.unit_id == unit.id else Target(unit)
    if tenant is None:
        return _home_target(directory, reasons)
    return None


def _in_building(
    building: Building,
    number: str,
    floor: str,
    tenant: Tenant | None,
    directory: Directory,
    reasons: list[tuple[str, Any]],
) -> Target | None:
    here = tenant is not None and tenant.active and tenant.building_id == building.id
    unit = directory.unit_of(building)
    if not number:
        if floor and not (here and tenant and tenant.room and str(tenant.room.floor) == floor):
            reasons.append(("room", _l("Give the room number as well as the floor.")))
            return None
        return None if here else Target(unit, building)
    room, problem = directory.room(building, number, floor)
    if problem is not None:
        reasons.append(("room", problem))
        return None
    if here and tenant is not None and tenant.room_id == room.id:
        return None
    return Target(unit, building, room, room_label(room))


def _home_target(directory: Directory, reasons: list[tuple[str, Any]]) -> Target | None:
    """A new company the file places nowhere goes on the importer's own list."""
    home = directory.home
    if home is not None:
        building = directory.building_of(home)
        if building is not None:
            return Target(home, building)
        if home.kind.holds_companies:
            return Target(home)
    reasons.append(("unit", _l("Name the building or the unit whose list this company is on.")))
    return None


def _changes(row: Planned) -> list[Change]:
    """What the row changes, field by field (every filled field, for a new company)."""
    tenant = row.tenant
    found = []
    for name, value in row.values.items():
        old = getattr(tenant, name) if tenant is not None else None
        if value not in (None, "") and value != old:
            found.append(Change(name, old, value))
    if row.target is not None:
        target = row.target
        old_building = tenant.building if tenant is not None and tenant.active else None
        old_room = tenant.room if tenant is not None and tenant.active else None
        if target.building is not old_building:
            found.append(Change("building", old_building, target.building))
        if target.room is not old_room:
            found.append(Change("room", old_room, target.room))
        if target.building is None and (tenant is None or tenant.unit is not target.unit):
            found.append(Change("unit", tenant.unit if tenant else None, target.unit))
    if row.officer is not None and (tenant is None or tenant.officer_id != row.officer.id):
        found.append(Change("officer", tenant.officer if tenant else None, row.officer))
    return found


@dataclass(frozen=True)
class Outcome:
    """What an import wrote."""

    added: int
    changed: int
    unchanged: int
    moved: int


def run_import(db: Session, plan: Plan, *, actor: Actor, now: datetime, filename: str) -> Outcome:
    """Write a ready plan (in the caller's transaction): new companies, changes, a move for
    each company that moved in or changed room, and one audit entry with the counts."""
    if not plan.ready:
        raise ValueError("a plan with wrong rows, or nothing to do, is never written")
    staff_id = actor.staff_id
    fresh = [_new_company(row) for row in plan.adds]
    db.add_all(fresh)
    db.flush()  # every new company, in its place already, gets its id in one go
    moves = [
        _moved_in(tenant, row.target, staff_id, now)
        for tenant, row in zip(fresh, plan.adds, strict=True)
        if row.target is not None
    ]
    for row in plan.changes:
        known = row.tenant
        assert known is not None
        for name, value in row.values.items():
            if value not in (None, ""):
                setattr(known, name, value)
        if row.officer is not None:
            known.officer = row.officer
        if row.target is not None:
            moves.append(place(db, known, row.target, source=SOURCE, staff_id=staff_id, now=now))
    _write_moves(db, moves)
    moved = len(moves)
    outcome = Outcome(len(plan.adds), len(plan.changes), plan.unchanged, moved)
    audit.record(
        db, actor, "company.import", "company", "", file=filename[:200],
        added=outcome.added, updated=outcome.changed, unchanged=outcome.unchanged, moved=moved,
    )  # fmt: skip
    db.flush()
    return outcome


def _new_company(row: Planned) -> Tenant:
    """A new company where the row puts it (as `place` would, without a flush of its own)."""
    target = row.target
    tenant = Tenant(active=True, **row.values)
    tenant.officer = row.officer
    if target is not None:
        tenant.unit, tenant.building, tenant.room = target.unit, target.building, target.room
        tenant.floor_room = target.place[:PLACE_MAX]
    return tenant


def _moved_in(tenant: Tenant, target: Target, staff_id: int | None, now: datetime) -> TenantMove:
    """A new company's first move: in, from nowhere on record."""
    return TenantMove(
        tenant_id=tenant.id, at=now, kind="in", from_building="", from_place="",
        to_building=target.building_code,
        to_place=target.place[:PLACE_MAX], source=SOURCE, staff_id=staff_id,
    )  # fmt: skip


def _write_moves(db: Session, moves: list[TenantMove]) -> None:
    """Write the moves `place` made in one statement: the session would check each one's
    company with a query of its own; here one query checks them all (every company in reach,
    through the session's scope, or OutOfReach), as `scope.admit` asks of a Core write."""
    for move in moves:
        if move in db:
            db.expunge(move)
    wanted = {move.tenant_id for move in moves}
    found: set[int] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        found.update(db.scalars(select(Tenant.id).where(Tenant.id.in_(chunk))))
    if found != wanted:
        raise OutOfReach()
    columns = [c.key for c in TenantMove.__table__.columns if c.key != "id"]
    rows = [{key: getattr(move, key) for key in columns} for move in moves]
    if rows:
        db.execute(insert(TenantMove), rows)
