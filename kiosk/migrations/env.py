"""Alembic environment: runs on the connection kiosk.db.upgrade() hands it."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from kiosk.db import UTCDateTime
from kiosk.models import Base
from kiosk.models.policy import outside_search_index


def _render_item(kind: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Migrations name the plain SQL type, so they never import application code."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `kiosk db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
    render_item=_render_item,
    include_name=outside_search_index,
)
with context.begin_transaction():
    context.run_migrations()
