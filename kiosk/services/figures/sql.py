"""The date expressions the figures need that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, Float, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
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


class on_or_before(FunctionElement[Any]):  # lower case, as SQL names its functions
    """A UTC timestamp column falls on or before a date column's day, in a time zone."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, moment: Any, day: Any, zone: ZoneInfo) -> None:
        super().__init__(moment, day)
        self.zone = zone


@compiles(on_or_before, "postgresql")
def _on_or_before_pg(element: on_or_before, compiler: Any, **kw: Any) -> str:
    moment, day = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST(({moment} AT TIME ZONE '{element.zone.key}') AS DATE) <= {day})"


@compiles(on_or_before, "sqlite")
def _on_or_before_sqlite(element: on_or_before, compiler: Any, **kw: Any) -> str:
    moment, day = (compiler.process(c, **kw) for c in element.clauses)
    offset = datetime.now(element.zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    # SQLite keeps a UTC time as text, 'YYYY-MM-DD HH:MM:SS.ffffff', and a date as 'YYYY-MM-DD'.
    # The due day ends, in UTC, at a time of the same date east of Greenwich (Beijing's 20
    # November at '2026-11-20 16:00:00'; Greenwich's at '… 24:00:00', after every time of that
    # date) or of the next date west of it. Comparing text is exact to the microsecond (date()
    # rounds to the millisecond) and spares parsing every row's time (a third of the scan).
    if minutes >= 0:
        end, until = 24 * 60 - minutes, day
    else:
        end, until = -minutes, f"date({day}, '+1 day')"
    return f"({moment} < {until} || ' {end // 60:02d}:{end % 60:02d}:00')"


class days_summed(FunctionElement[Any]):
    """The sum, in days with fractions, of the times from one timestamp column to another."""

    type = Float()
    inherit_cache = True


@compiles(days_summed, "postgresql")
def _days_summed_pg(element: days_summed, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    # Intervals summed, then one conversion: EXTRACT per row is numeric arithmetic (slow).
    return f"(EXTRACT(EPOCH FROM sum({end} - {start})) / 86400.0)"


@compiles(days_summed, "sqlite")
def _days_summed_sqlite(element: days_summed, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"sum(julianday({end}) - julianday({start}))"


def plan_for_values(db: Session) -> None:
    """On PostgreSQL, plan the rest of this transaction's queries for the values they are given.

    psycopg prepares a statement once it has run five times, and PostgreSQL may then keep one
    generic plan for any values: for a district's year (a range of times and a list of buildings)
    that plan scanned more than the one made for the values (measured: 340 ms against 120 ms).
    The figures are a few large queries, where planning each costs little."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
