"""Emptying the test run's PostgreSQL schema before each test, in milliseconds.

`TRUNCATE … RESTART IDENTITY CASCADE` over every table took about 200 ms a test (it makes new
files for each table and commits them); a `DELETE` per table, children before parents, on
tables that hold a test's few rows takes a few, and restarting the sequences gives the same
ids starting again at 1. Should an order ever fail (a cycle of foreign keys between tables),
the reset falls back to the TRUNCATE, so a test always starts from the same empty schema.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

CATEGORY_COLUMNS = "id, code, name_zh, name_en, sort_order"
_SEQUENCES = text(
    "SELECT format('%I.%I', schemaname, sequencename), start_value FROM pg_sequences"
    " WHERE schemaname = current_schema()"
)


class SchemaReset:
    """Empties one migrated schema: every table but alembic_version, sequences restarted,
    and the migration's appeal categories put back as it made them."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
        sorted_tables = inspect(self.engine).get_sorted_table_and_fkc_names()
        tables = [name for name, _ in sorted_tables if name and name != "alembic_version"]
        self._deletes = [f'DELETE FROM "{name}"' for name in reversed(tables)]  # children first
        self._truncate = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
        with self.engine.connect() as conn:
            seeded = conn.execute(text(f"SELECT {CATEGORY_COLUMNS} FROM appeal_category"))
            self._categories: list[dict[str, Any]] = [dict(row) for row in seeded.mappings()]
            sequences = [(str(name), int(start)) for name, start in conn.execute(_SEQUENCES)]
        restarts = [f"setval('{name}', {start}, false)" for name, start in sequences]
        self._restart = f"SELECT {', '.join(restarts)}" if restarts else ""

    def __call__(self) -> None:
        """Empty the schema (see the module's docstring)."""
        try:
            with self.engine.begin() as conn:
                for delete in self._deletes:
                    conn.exec_driver_sql(delete)
                if self._restart:
                    conn.exec_driver_sql(self._restart)
                self._put_back_categories(conn)
        except DBAPIError:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(self._truncate)
                self._put_back_categories(conn)

    def _put_back_categories(self, conn: Connection) -> None:
        # Categories name a department (a unit), so emptying the units empties them too.
        values = ", ".join(f":{name.strip()}" for name in CATEGORY_COLUMNS.split(","))
        insert = f"INSERT INTO appeal_category ({CATEGORY_COLUMNS}, active) VALUES ({values}, true)"
        conn.execute(text(insert), self._categories)
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('appeal_category', 'id'), max(id))"
                " FROM appeal_category"
            )
        )
