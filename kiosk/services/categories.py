"""Appeal categories kept in the admin: names in both languages, order, active, and the
department a problem of the kind is usually handed to. A category's code is fixed once made.

The list is the city's: every building's kiosk offers the same categories, so only the city's
administrators (whose reach is everything) change it; to anyone else a category is absent.
A withdrawn category is no longer offered at the kiosk; old appeals keep showing its name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.db import transaction
from kiosk.errors import NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import AppealCategory, Unit, UnitKind
from kiosk.services import audit
from kiosk.services.audit import Actor
from kiosk.services.units import unit_in_reach

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NAME_ZH_MAX, NAME_EN_MAX = 40, 80


@dataclass(frozen=True)
class CategoryDraft:
    """What an administrator types for a category (the code only when adding one)."""

    name_zh: str
    name_en: str
    sort_order: int = 0
    department_id: int | None = None
    code: str = ""


def may_change(db: Session) -> bool:
    """Whether the request may change the city's list (its reach is the whole city)."""
    return scope.reach_of(db).everything


def categories(db: Session) -> list[AppealCategory]:
    """Every category, withdrawn ones too, in the order the kiosk offers them."""
    return list(
        db.scalars(select(AppealCategory).order_by(AppealCategory.sort_order, AppealCategory.id))
    )


def departments(db: Session) -> dict[int, Unit]:
    """The department units, by id (to name a category's usual department)."""
    return {
        unit.id: unit for unit in db.scalars(select(Unit).where(Unit.kind == UnitKind.DEPARTMENT))
    }


def category(db: Session, category_id: int) -> AppealCategory:
    """A category the request may change (NotFound otherwise)."""
    found = db.get(AppealCategory, category_id) if may_change(db) else None
    if found is None:
        raise NotFound()
    return found


def _check(db: Session, draft: CategoryDraft) -> dict[str, object]:
    problems: dict[str, object] = {}
    for name, value, limit, missing in (
        ("name_zh", draft.name_zh, NAME_ZH_MAX, _l("Enter the category's Chinese name.")),
        ("name_en", draft.name_en, NAME_EN_MAX, _l("Enter the category's English name.")),
    ):
        if not value.strip():
            problems[name] = missing
        elif len(value.strip()) > limit:
            problems[name] = _l("Use at most %(n)s characters.", n=limit)
    if draft.department_id is not None:
        unit = unit_in_reach(db, draft.department_id)
        if unit is None or unit.kind is not UnitKind.DEPARTMENT or unit.closed_at is not None:
            problems["department"] = _l("Choose an open department, or none.")
    return problems


def create_category(db: Session, draft: CategoryDraft, actor: Actor) -> AppealCategory:
    """A new category at the end of the kiosk's list (or where its order puts it)."""
    if not may_change(db):
        raise NotFound()
    problems = _check(db, draft)
    code = draft.code.strip().lower()
    if not CODE.match(code):
        problems["code"] = _l(
            "Use up to 40 lower-case letters, digits, - and _, starting with a letter or digit."
        )
    elif db.scalar(select(func.count()).where(AppealCategory.code == code)):
        problems["code"] = _l("That code is taken: codes are never reused.")
    if problems:
        raise ValidationFailed(fields=problems)
    with transaction(db):
        made = AppealCategory(
            code=code, name_zh=draft.name_zh.strip(), name_en=draft.name_en.strip(),
            sort_order=draft.sort_order, department_id=draft.department_id,
        )  # fmt: skip
        db.add(made)
        db.flush()
        audit.record(
            db, actor, "category.create", "category", code, name_zh=made.name_zh,
            name_en=made.name_en, sort_order=made.sort_order, department=_code(db, made),
        )  # fmt: skip
    return made


def _code(db: Session, item: AppealCategory) -> str:
    """The code of the category's usual department ("" for none), as the audit log keeps it."""
    if item.department_id is None:
        return ""
    return db.scalar(select(Unit.code).where(Unit.id == item.department_id)) or ""


def update_category(
    db: Session, category_id: int, draft: CategoryDraft, actor: Actor
) -> AppealCategory:
    """New names, order or usual department (the code stays)."""
    item = category(db, category_id)
    problems = _check(db, draft)
    if problems:
        raise ValidationFailed(fields=problems)
    with transaction(db):
        old_department = _code(db, item)
        changes: dict[str, list[object]] = {}
        for name, value in (
            ("name_zh", draft.name_zh.strip()),
            ("name_en", draft.name_en.strip()),
            ("sort_order", draft.sort_order),
            ("department_id", draft.department_id),
        ):
            if getattr(item, name) != value:
                changes[name] = [getattr(item, name), value]
                setattr(item, name, value)
        if "department_id" in changes:
            changes.pop("department_id")
            changes["department"] = [old_department, _code(db, item)]
        if changes:
            audit.record(db, actor, "category.update", "category", item.code, **changes)
    return item


def set_active(db: Session, category_id: int, active: bool, actor: Actor) -> AppealCategory:
    """Withdraw a category (no longer offered at the kiosk) or put it back."""
    item = category(db, category_id)
    if item.active == active:
        return item
    with transaction(db):
        item.active = active
        action = "category.reactivate" if active else "category.deactivate"
        audit.record(db, actor, action, "category", item.code, active=[not active, active])
    return item
