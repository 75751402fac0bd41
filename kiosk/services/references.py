"""Reference numbers a person can read out: SQ-20261124-0042, unique across the fleet."""

from __future__ import annotations

import secrets
from datetime import date

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
    return f"{prefix}-{key}-{value:04d}"


def new_token() -> str:
    """An unguessable URL-safe token for a tracking link."""
    return secrets.token_urlsafe(TOKEN_BYTES)
