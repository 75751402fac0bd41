"""Keeping the tree: add, rename, move, close and reopen a unit.

Only administrators change the tree, and only below their own unit: an administrator of a
district adds, renames, moves and closes the units under it (renames it too), never its parent.
A unit another administrator cannot reach is absent to them (NotFound).

A move rewrites the `path` of the unit and of its whole subtree in one statement. Every change
that reads or writes paths first locks, FOR UPDATE and in id order, the rows named by the
paths it depends on (their ancestors, down to the root): two moves at once therefore queue
behind each other instead of each writing paths from a stale read. SQLite takes the database's
write lock at the start of the transaction instead (see kiosk.db.transaction).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import String, func, literal, select, update
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.errors import NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Building, Role, Staff, Tenant, Unit, UnitKind
from kiosk.models.unit import CHILD_KINDS
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.units import unit_in_reach

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NAME_ZH_MAX, NAME_EN_MAX = 100, 200
ADDRESS_ZH_MAX, ADDRESS_EN_MAX, DISTRICT_MAX = 200, 300, 40
NAMES_SHOWN = 5  # how many blockers a refusal names before "and N more"


class NotAllowed(ValidationFailed):
    """A change to the tree that its rules refuse (the message says why)."""

    code = "not_allowed"
    status = 409


@dataclass(frozen=True)
class UnitDraft:
    """What an administrator types for a new unit (a building's address and district too)."""

    kind: str
    code: str
    name_zh: str
    name_en: str = ""
    sort_order: int = 0
    address_zh: str = ""
    address_en: str = ""
    district: str = ""


def managed_unit(db: Session, unit_id: int, actor: Actor) -> Unit:
    """A unit the acting administrator may change (NotFound when out of their reach)."""
    if actor.staff is not None and actor.staff.role is not Role.ADMIN:
        raise NotFound()
    unit = unit_in_reach(db, unit_id)
    if unit is None:
        raise NotFound()
    return unit


def _own_or_above(unit: Unit, actor: Actor) -> bool:
    """Whether the unit is the administrator's own (or the root, which no one moves)."""
    mine = actor.staff.unit_id if actor.staff is not None else None
    return unit.parent_id is None or unit.id == mine


def add_unit(db: Session, parent_id: int, draft: UnitDraft, actor: Actor) -> Unit:
    """A new unit under `parent_id`; a building unit comes with its Building row."""
    parent = managed_unit(db, parent_id, actor)
    kind, code, problems = _check_draft(db, draft)
    if kind is not None and "kind" not in problems and kind not in CHILD_KINDS[parent.kind]:
        problems["kind"] = _l("A unit of this kind cannot stand under that unit.")
    if parent.closed_at is not None:
        problems["parent"] = _l("That unit is closed: reopen it first.")
    if problems or kind is None:
        raise ValidationFailed(fields=problems)
    with transaction(db):
        parent = _lock_paths(db, [parent.id])[parent.id]
        unit = Unit(
            code=code, kind=kind, name_zh=draft.name_zh.strip(), name_en=draft.name_en.strip(),
            parent=parent, sort_order=draft.sort_order,
        )  # fmt: skip
        db.add(unit)
        detail: dict[str, object] = {"kind": kind.value, "parent": parent.code}
        if kind is UnitKind.BUILDING:
            district = draft.district.strip() or _district_name(db, parent)
            db.add(
                Building(
                    code=code, name_zh=unit.name_zh, name_en=unit.name_en,
                    address_zh=draft.address_zh.strip(), address_en=draft.address_en.strip(),
                    district=district,
                )
            )  # fmt: skip
            detail["district"] = district
        db.flush()
        audit.record(db, actor, "unit.create", "unit", code, name_zh=unit.name_zh, **detail)
    return unit


def _check_draft(db: Session, draft: UnitDraft) -> tuple[UnitKind | None, str, dict[str, object]]:
    """The draft's kind and code, and what is wrong with it, field by field."""
    problems: dict[str, object] = {}
    kind = UnitKind(draft.kind) if draft.kind in set(UnitKind) else None
    if kind is None or kind is UnitKind.CITY:
        problems["kind"] = _l("Choose what kind of unit this is.")
    code = draft.code.strip().lower()
    if not CODE.match(code):
        problems["code"] = _l(
            "Use up to 40 lower-case letters, digits, - and _, starting with a letter or digit."
        )
    elif db.scalar(select(func.count()).where(Unit.code == code)) or db.scalar(
        select(func.count()).where(Building.code == code)
    ):
        problems["code"] = _l("That code is taken: codes are never reused.")
    problems.update(_check_names(draft.name_zh, draft.name_en))
    if kind is UnitKind.BUILDING:
        for name, value, limit in (
            ("address_zh", draft.address_zh, ADDRESS_ZH_MAX),
            ("address_en", draft.address_en, ADDRESS_EN_MAX),
            ("district", draft.district, DISTRICT_MAX),
        ):
            if len(value.strip()) > limit:
                problems[name] = _l("Use at most %(n)s characters.", n=limit)
    return kind, code, problems


def _check_names(name_zh: str, name_en: str) -> dict[str, object]:
    problems: dict[str, object] = {}
    if not name_zh.strip():
        problems["name_zh"] = _l("Enter the unit's Chinese name.")
    elif len(name_zh.strip()) > NAME_ZH_MAX:
        problems["name_zh"] = _l("Use at most %(n)s characters.", n=NAME_ZH_MAX)
    if len(name_en.strip()) > NAME_EN_MAX:
        problems["name_en"] = _l("Use at most %(n)s characters.", n=NAME_EN_MAX)
    return problems


def _district_name(db: Session, unit: Unit) -> str:
    """The Chinese name of the district a unit stands in ("" if none), as policies name it."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    found = db.scalars(
        select(Unit.name_zh).where(Unit.id.in_(ids), Unit.kind == UnitKind.DISTRICT)
    ).first()
    return found or ""


def rename_unit(
    db: Session, unit_id: int, name_zh: str, name_en: str, sort_order: int, actor: Actor
) -> Unit:
    """New names in both languages (and the order among its siblings); a building's own
    names follow its unit's."""
    unit = managed_unit(db, unit_id, actor)
    problems = _check_names(name_zh, name_en)
    if problems:
        raise ValidationFailed(fields=problems)
    with transaction(db):
        changes: dict[str, list[object]] = {}
        for field, value in (
            ("name_zh", name_zh.strip()),
            ("name_en", name_en.strip()),
            ("sort_order", sort_order),
        ):
            old = getattr(unit, field)
            if old != value:
                changes[field] = [old, value]
                setattr(unit, field, value)
        if not changes:
            return unit
        if unit.kind is UnitKind.BUILDING:
            building = db.scalar(select(Building).where(Building.code == unit.code))
            if building is not None:
                building.name_zh, building.name_en = unit.name_zh, unit.name_en
        audit.record(db, actor, "unit.update", "unit", unit.code, **changes)
    return unit


def move_unit(db: Session, unit_id: int, parent_id: int, actor: Actor) -> Unit:
    """Put a unit (and everything under it) under another parent; its paths are rewritten in
    one statement, and everyone's reach follows at their next request."""
    unit = managed_unit(db, unit_id, actor)
    parent = managed_unit(db, parent_id, actor)
    if _own_or_above(unit, actor):
        raise NotAllowed(fields={"parent": _l("You cannot move your own unit or the city.")})
    with transaction(db):
        locked = _lock_paths(db, [unit.id, parent.id])
        unit, parent = locked[unit.id], locked[parent.id]
        if parent.path.startswith(unit.path):
            raise NotAllowed(
                fields={"parent": _l("A unit cannot move under itself or a unit under it.")}
            )
        if unit.kind not in CHILD_KINDS[parent.kind]:
            raise NotAllowed(fields={"parent": _l("A unit of this kind cannot stand there.")})
        if parent.closed_at is not None:
            raise NotAllowed(fields={"parent": _l("That unit is closed: reopen it first.")})
        if unit.parent_id == parent.id:
            return unit
        old_path, new_path = unit.path, f"{parent.path}{unit.id}/"
        old_parent = db.scalar(select(Unit.code).where(Unit.id == unit.parent_id)) or ""
        db.execute(
            update(Unit)
            .where(Unit.path.startswith(old_path))
            .values(
                path=literal(new_path, String)
                + func.substr(Unit.path, len(old_path) + 1, type_=String)
            ),
            execution_options={"synchronize_session": False},
        )
        db.execute(update(Unit).where(Unit.id == unit.id).values(parent_id=parent.id))
        audit.record(db, actor, "unit.move", "unit", unit.code, parent=[old_parent, parent.code])
    db.expire_all()  # the subtree's paths changed in the database, not in the loaded rows
    return managed_unit(db, unit_id, actor)


def _lock_paths(db: Session, unit_ids: list[int]) -> dict[int, Unit]:
    """Lock, in id order, these units and every ancestor of theirs; their rows, read afresh.

    Whatever a concurrent change did to their paths is seen here once its transaction ends.
    If a concurrent move changed the ancestors, the set is read again and locked the same way.
    """
    for _ in range(5):
        paths = db.scalars(select(Unit.path).where(Unit.id.in_(unit_ids))).all()
        wanted = {int(part) for path in paths for part in path.strip("/").split("/") if part}
        wanted |= set(unit_ids)
        rows = db.scalars(
            select(Unit)
            .where(Unit.id.in_(sorted(wanted)))
            .order_by(Unit.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        by_id = {row.id: row for row in rows}
        needed = {int(p) for i in unit_ids for p in by_id[i].path.strip("/").split("/") if p}
        if needed <= wanted:
            return by_id
    raise NotAllowed(_l("The tree is being changed by someone else. Please try again."))


def close_unit(db: Session, unit_id: int, actor: Actor) -> Unit:
    """Close a unit: it keeps its records and its place; nothing new is filed under it.
    Refused, naming them, while open units, active accounts or companies are in it."""
    unit = managed_unit(db, unit_id, actor)
    if _own_or_above(unit, actor):
        raise NotAllowed(_l("You cannot close your own unit or the city."))
    if unit.closed_at is not None:
        return unit
    with transaction(db):
        unit = _lock_paths(db, [unit.id])[unit.id]
        blockers = _blockers(db, unit)
        if blockers:
            raise NotAllowed("; ".join(str(b) for b in blockers))
        unit.closed_at = utcnow()
        audit.record(db, actor, "unit.close", "unit", unit.code, closed=[False, True])
    return unit


def _blockers(db: Session, unit: Unit) -> list[object]:
    """What keeps a unit open, in words: its open units, active accounts, active companies."""
    inside = select(Unit.id).where(Unit.path.startswith(unit.path))
    units = db.scalars(
        select(Unit.name_zh)
        .where(Unit.path.startswith(unit.path), Unit.id != unit.id, Unit.closed_at.is_(None))
        .order_by(Unit.path)
    ).all()
    staff = db.scalars(
        select(Staff.display_name)
        .where(Staff.unit_id.in_(inside), Staff.active)
        .order_by(Staff.display_name)
    ).all()
    companies = db.scalars(
        select(Tenant.name)
        .where(Tenant.unit_id.in_(inside), Tenant.active, Tenant.moved_out_at.is_(None))
        .order_by(Tenant.name)
    ).all()
    found: list[object] = []
    if units:
        found.append(_l("Close the units under it first: %(names)s", names=_listed(units)))
    if staff:
        found.append(
            _l(
                "Deactivate or move its active staff accounts first: %(names)s",
                names=_listed(staff),
            )
        )
    if companies:
        found.append(_l("Move its active companies out first: %(names)s", names=_listed(companies)))
    return found


def _listed(names: Sequence[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown if more <= 0 else str(_l("%(names)s and %(n)s more", names=shown, n=more))


def reopen_unit(db: Session, unit_id: int, actor: Actor) -> Unit:
    """Take a closed unit back into use (its parent must be open)."""
    unit = managed_unit(db, unit_id, actor)
    if unit.closed_at is None:
        return unit
    with transaction(db):
        locked = _lock_paths(db, [unit.id])
        unit = locked[unit.id]
        parent = locked.get(unit.parent_id) if unit.parent_id is not None else None
        if parent is not None and parent.closed_at is not None:
            raise NotAllowed(_l("Its parent unit is closed: reopen that first."))
        unit.closed_at = None
        audit.record(db, actor, "unit.reopen", "unit", unit.code, closed=[True, False])
    return unit
