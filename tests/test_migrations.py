"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from kiosk.models import Base
from kiosk.models.policy import outside_search_index


def test_models_and_migrations_agree(app: Flask) -> None:
    engine = app.extensions["kiosk.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": outside_search_index}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], (
        "a model changed without a migration: run alembic revision --autogenerate"
    )


def test_categories_are_seeded(app: Flask) -> None:
    from sqlalchemy import text

    with app.extensions["kiosk.engine"].connect() as connection:
        codes = [
            row[0]
            for row in connection.execute(
                text("SELECT code FROM appeal_category ORDER BY sort_order")
            )
        ]
    assert codes == ["policy", "market", "finance", "labour", "transport", "property", "other"]
