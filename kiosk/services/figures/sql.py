"""Two date expressions the figures need that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class local_date(FunctionElement[Any]):  # lower case, as SQL names its functions
    """The calendar day, in a time zone, of a UTC timestamp column."""

    type = Date()
    inherit_cache = False

    def __init__(self, column: Any, zone: ZoneInfo) -> None:
        super().__init__(column)
        self.zone = zone


@compiles(local_date, "postgresql")
def _local_date_pg(element: local_date, compiler: Any, **kw: Any) -> str:
    column = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(({column} AT TIME ZONE '{element.zone.key}') AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    # SQLite knows no time zones: the zone's offset now (China keeps no summer time).
    offset = datetime.now(element.zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    column = compiler.process(next(iter(element.clauses)), **kw)
    return f"date({column}, '{minutes:+d} minutes')"


class days_between(FunctionElement[Any]):
    """Days (with fractions) from one timestamp column to another."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"
