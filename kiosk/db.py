"""The database: engine and sessions, SQLite pragmas, Alembic upgrade, init_app(app)."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from kiosk.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
_IMMEDIATE = "kiosk_sqlite_immediate"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; refuse naive datetimes, which would be ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, so a writer can ask for BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL is durable across app crashes
        cursor.close()

    return on_connect


_TURN = "kiosk_write_turn"  # in a connection's info while it holds its process's write turn


class WriteTurns:
    """SQLite lets one connection write at a time; the others wait in its busy handler, which
    sleeps and retries (1, 2, 5 … 100 ms between tries), so under a burst a writer often slept
    long after the lock was free: the slowest terminal pages took 0.4 s. Writers of one process
    now queue on a lock of their own, woken the moment the writer before them ends; only
    another process's writer still meets the busy handler. A writer waits at most the busy
    timeout for its turn, then asks SQLite anyway (which then answers busy, as before)."""

    def __init__(self, wait_seconds: float) -> None:
        self._lock = threading.Lock()
        self._wait = wait_seconds

    def begin(self, connection: Any) -> None:
        """BEGIN, or BEGIN IMMEDIATE for a write transaction once it is this one's turn."""
        if not connection.get_execution_options().get(_IMMEDIATE, False):
            # Straight to the driver: a read's BEGIN through SQLAlchemy's statement machinery
            # cost 40 µs, on every request. Should it fail, SQLAlchemy tries again and raises
            # its own error, which callers catch.
            try:
                connection.connection.driver_connection.execute("BEGIN")
            except sqlite3.Error:
                connection.exec_driver_sql("BEGIN")
            return
        # A write transaction takes the write lock up front: with a deferred BEGIN, a reader
        # that later writes fails at once with SQLITE_BUSY instead of waiting out the timeout.
        if self._lock.acquire(timeout=self._wait):
            connection.info[_TURN] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(connection)
            raise

    def end(self, connection: Any, *_rest: Any) -> None:
        """The transaction ended (commit, rollback, or its connection went back to the pool)."""
        if connection.info.pop(_TURN, False):
            self._lock.release()

    def listen(self, engine: Engine) -> None:
        """Take turns on this engine's write transactions."""
        _TURNS[engine] = self
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.end)
        event.listen(engine, "rollback", self.end)
        event.listen(engine.pool, "checkin", self._checked_in)

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_TURN, False):
            self._lock.release()

    @property
    def taken(self) -> bool:
        """Whether a writer of this process holds the turn now."""
        return self._lock.locked()


_TURNS: weakref.WeakKeyDictionary[Engine, WriteTurns] = weakref.WeakKeyDictionary()


def write_turns(engine: Engine) -> WriteTurns | None:
    """The write turns of a SQLite engine (None on PostgreSQL, whose writers lock rows)."""
    return _TURNS.get(engine)


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured database, with SQLite tuned for a kiosk."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread is off because the pool hands a connection to one thread at a time,
        # not always the thread that opened it (request threads, the print worker).
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.db_busy_timeout_ms / 1000,
            },
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        event.listen(engine, "connect", _sqlite_pragmas(settings.db_busy_timeout_ms))
        WriteTurns(settings.db_busy_timeout_ms / 1000).listen(engine)
        return engine
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # pg_stat_activity names the kiosk behind each connection.
        connect_args={"application_name": f"lobby-kiosk {settings.id}"},
    )


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Run one write transaction: commit on success, roll back on any error."""
    if session.in_transaction():
        # End a read-only transaction a caller left open, so the write lock is taken up front.
        session.commit()
    session.connection(execution_options={_IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def probe_write(engine: Engine, tables: tuple[str, ...], timeout_ms: int) -> None:
    """Take, and give back at once, the lock a write needs; OperationalError when that takes
    longer than `timeout_ms` (another connection holds the database or one of `tables`).

    Reading proves little: SQLite's WAL and PostgreSQL's MVCC read past a held write lock."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            raw = connection.connection.driver_connection
            assert raw is not None
            (usual,) = raw.execute("PRAGMA busy_timeout").fetchone()
            raw.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
            try:
                with connection.execution_options(**{_IMMEDIATE: True}).begin():
                    pass  # BEGIN IMMEDIATE: the write lock, or SQLITE_BUSY after the timeout
            finally:
                raw.execute(f"PRAGMA busy_timeout={int(usual)}")
            return
        with connection.begin() as probe:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {2 * int(timeout_ms)}")
            names = ", ".join(engine.dialect.identifier_preparer.quote(t) for t in tables)
            # What every INSERT and UPDATE takes first; refused in a read-only transaction.
            connection.exec_driver_sql(f"LOCK TABLE {names} IN ROW EXCLUSIVE MODE")
            probe.rollback()


def get_session() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        factory: sessionmaker[Session] = current_app.extensions["kiosk.sessionmaker"]
        g.db_session = factory()
    session: Session = g.db_session
    return session


def open_request_session() -> Session | None:
    """The request's session if `get_session` has opened one, else None."""
    if not has_app_context():
        return None
    session: Session | None = g.get("db_session")
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` with Alembic."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration (False for an empty database)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


def init_app(app: Flask, settings: Settings) -> None:
    """Attach the engine and session factory to the app; opens no connection yet."""
    engine = make_engine(settings)
    app.extensions["kiosk.engine"] = engine
    app.extensions["kiosk.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    # Per request, even when a test (or CLI) keeps one application context open around many.
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)
