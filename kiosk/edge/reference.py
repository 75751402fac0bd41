"""Reference data: what a terminal's screens show, copied down from the central by kind.

The central answers each kind for the asking terminal's building (its token's reach) with an
ETag over the rows; the terminal sends the ETag it has, gets 304 when nothing changed, and
otherwise replaces that kind in one transaction (rows keep the central's ids, so a tenant or an
event a submission names is the same row at both ends). Columns that point at what a terminal
never holds (the staff who last edited a policy) come down empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, inspect, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from kiosk.db import transaction, utcnow
from kiosk.edge.outbox import plain
from kiosk.models import (
    Announcement,
    AppealCategory,
    Building,
    ConfigVersion,
    EdgeSync,
    Event,
    InvoiceSlot,
    Policy,
    Room,
    Tenant,
)


def _building(code: str) -> Any:
    return select(Building.id).where(Building.code == code).scalar_subquery()


# kind → (model, the rows of a building); in the order a terminal applies them (keys first).
KINDS: dict[str, tuple[type[Any], Callable[[str], Select[Any]]]] = {
    "building": (Building, lambda b: select(Building).where(Building.code == b)),
    "tenant": (Tenant, lambda b: select(Tenant).where(Tenant.building_id == _building(b))),
    "room": (Room, lambda b: select(Room).where(Room.building_id == _building(b))),
    "appeal_category": (AppealCategory, lambda b: select(AppealCategory)),
    "event": (Event, lambda b: select(Event).where(Event.building_code.in_((b, "")))),
    "announcement": (
        Announcement, lambda b: select(Announcement).where(Announcement.building_code == b),
    ),
    "invoice_slot": (
        InvoiceSlot,
        lambda b: select(InvoiceSlot).where(
            InvoiceSlot.building_code == b, InvoiceSlot.starts_at > utcnow() - timedelta(days=1)
        ),
    ),
    "policy": (Policy, lambda b: select(Policy)),
    # The central configuration of the fleet and of this kiosk (the token's reach).
    "config": (ConfigVersion, lambda b: select(ConfigVersion)),
}  # fmt: skip
HELD = {model.__tablename__ for model, _ in KINDS.values()}


def rows_of(db: Session, kind: str, building: str) -> tuple[list[dict[str, Any]], str]:
    """The rows of `kind` for `building` as JSON, and their ETag (the central's side)."""
    model, query = KINDS[kind]
    mapper = inspect(model)
    keys = [attr.key for attr in mapper.column_attrs]
    rows = [
        {key: plain(getattr(row, key)) for key in keys}
        for row in db.scalars(query(building).order_by(*mapper.primary_key))
    ]
    digest = hashlib.sha256(
        json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    return rows, f'"{kind}-{digest[:32]}"'


def _convert(column: Any, value: Any) -> Any:
    """A JSON value back into what the column takes."""
    if value is None:
        return None
    sa_type = column.type
    if isinstance(sa_type, TypeDecorator):
        sa_type = sa_type.impl_instance
    try:
        kind = sa_type.python_type
    except NotImplementedError:
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value


def _local_row(model: type[Any], row: dict[str, Any]) -> dict[str, Any]:
    table = model.__table__
    values = {}
    for column in table.columns:
        if column.key not in row:
            continue  # a column the central does not have yet: its default
        foreign = {fk.column.table.name for fk in column.foreign_keys}
        values[column.key] = None if foreign - HELD else _convert(column, row[column.key])
    return values


def apply(db: Session, kind: str, rows: list[dict[str, Any]], etag: str) -> None:
    """Replace this terminal's copy of `kind` with `rows` (the terminal's side)."""
    model, _ = KINDS[kind]
    (pk,) = inspect(model).primary_key
    with transaction(db):
        values = [_local_row(model, row) for row in rows]
        kept = [row[pk.key] for row in values]
        # What the central no longer has goes first, so a unique name it moved to another row
        # is free; a row still named by a submission here stays until the submission goes.
        for gone in db.scalars(select(pk).where(or_(pk.not_in(kept), pk.is_(None)))).all():
            try:
                with db.begin_nested():
                    db.execute(delete(model).where(pk == gone))
            except IntegrityError:
                pass
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            statement = sqlite_insert(model).values(chunk)
            columns = {c: statement.excluded[c] for c in chunk[0] if c != pk.key}
            db.execute(statement.on_conflict_do_update(index_elements=[pk.key], set_=columns))
        if model is Policy and values:
            from kiosk.services.policies import search

            search.index(db, db.scalars(select(Policy)).all())
        state = db.get(EdgeSync, kind) or EdgeSync(kind=kind)
        state.etag, state.synced_at, state.rows = etag, utcnow(), len(values)
        db.add(state)


def touch(db: Session, kind: str) -> None:
    """The central said `kind` has not changed: the copy is as of now."""
    with transaction(db):
        state = db.get(EdgeSync, kind) or EdgeSync(kind=kind, etag="", rows=0)
        state.synced_at = utcnow()
        db.add(state)
