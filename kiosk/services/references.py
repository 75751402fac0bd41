"""Reference numbers a person can read out: SQ-20261124-0042, unique across the fleet."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.models import ReferenceCounter

TOKEN_BYTES = 24  # 192 bits: tracking links must not be guessable


def next_reference(db: Session, prefix: str, day: date) -> str:
    """Take the next number for `prefix` on `day`, atomically, in the caller's transaction.

    The counter row is upserted and incremented in one statement, so processes writing at
    once (one SQLite file, or many kiosks on one PostgreSQL) never get the same number.
    """
    key = day.strftime("%Y%m%d")
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReferenceCounter)
        .values(prefix=prefix, day=key, value=1)
        .on_conflict_do_update(
            index_elements=["prefix", "day"], set_={"value": ReferenceCounter.value + 1}
        )
        .returning(ReferenceCounter.value)
    )
    value = db.execute(statement).scalar_one()
    edge = _edge_identity()
    if edge is not None:  # a fleet's terminal counts on its own: its short code keeps it unique
        from kiosk.edge.links import reference

        return reference(prefix, key, edge.short_code, value)
    return f"{prefix}-{key}-{value:04d}"


def new_token() -> str:
    """An unguessable URL-safe token for a tracking link (a terminal's also names it)."""
    edge = _edge_identity()
    if edge is not None:
        from kiosk.db import utcnow
        from kiosk.edge.links import mint_token

        return mint_token(edge, utcnow())
    return secrets.token_urlsafe(TOKEN_BYTES)


def _edge_identity() -> Any:
    """The enrolled identity when this process is a fleet's edge terminal, else None."""
    return current_app.extensions.get("kiosk.edge.identity") if has_app_context() else None
