"""The database engine: on PostgreSQL a kiosk's connections are named after it and its pool is
the size the settings say, so a fleet's connections can be counted and found."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import text


def test_a_kiosks_connections_carry_its_id_and_its_pool_size(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's connections: SQLite has none to name or count")
    app = make_app(id="lobby-b-2", db_pool_size=2, db_max_overflow=1)
    engine = app.extensions["kiosk.engine"]
    assert (engine.pool.size(), engine.pool._max_overflow) == (2, 1)
    with engine.connect() as connection:
        names = connection.scalars(
            text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        ).all()
    assert names == ["lobby-kiosk lobby-b-2"]


def test_a_request_holds_one_connection_at_a_time(
    app: Flask, building: object, make_tenant: Callable[..., object]
) -> None:
    # Two at once per request (the page's, then the session store's) would let 8 server
    # threads wait on each other for a pool of 6 until the pool times out: 500s for everyone.
    from sqlalchemy import event

    from tests.support.terminal import Terminal

    engine = app.extensions["kiosk.engine"]
    held = {"now": 0, "most": 0}

    def checkout(*_: object) -> None:
        held["now"] += 1
        held["most"] = max(held["most"], held["now"])

    def checkin(*_: object) -> None:
        held["now"] -= 1

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    tenant = make_tenant()
    terminal = Terminal(app.test_client())
    terminal.language("en")  # writes the session
    terminal.fill_appeal(tenant=tenant.id)  # type: ignore[attr-defined]
    assert terminal.submit().status_code == 303
    assert terminal.page("/policies").status_code == 200
    assert held == {"now": 0, "most": 1}


def _sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer: PostgreSQL's writers lock rows, not the database")


def test_a_writer_waits_for_its_turn_in_the_process_not_in_sqlites_busy_handler(
    app: Flask, database_url: str
) -> None:
    """While one thread writes, another thread's write waits on the process's own queue (woken
    the moment the first ends) and has not yet asked SQLite for the lock, whose busy handler
    would have it sleep and retry."""
    import threading

    from sqlalchemy import event

    from kiosk.db import transaction, write_turns

    _sqlite_only(database_url)
    engine = app.extensions["kiosk.engine"]
    turns = write_turns(engine)
    assert turns is not None
    asked: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            asked.append(threading.current_thread().name)

    event.listen(engine, "before_cursor_execute", seen)
    factory = app.extensions["kiosk.sessionmaker"]
    first_in, first_may_end, second_done = (threading.Event() for _ in range(3))

    def first() -> None:
        with factory() as db, transaction(db):
            db.execute(text("UPDATE unit SET name_en = name_en"))
            first_in.set()
            first_may_end.wait(10)

    def second() -> None:
        with factory() as db, transaction(db):
            db.execute(text("UPDATE unit SET name_en = name_en"))
        second_done.set()

    one = threading.Thread(target=first, name="first")
    two = threading.Thread(target=second, name="second")
    try:
        one.start()
        assert first_in.wait(10)
        two.start()
        assert not second_done.wait(0.3)  # it waits for the first writer
        assert asked == ["first"] and turns.taken  # …in the queue, not in SQLite
        first_may_end.set()
        assert second_done.wait(10)
        assert asked == ["first", "second"]
    finally:
        first_may_end.set()
        one.join(10)
        two.join(10)
        event.remove(engine, "before_cursor_execute", seen)
    assert not turns.taken


def test_a_failed_write_gives_its_turn_back(app: Flask, database_url: str) -> None:
    from kiosk.db import transaction, write_turns

    _sqlite_only(database_url)
    turns = write_turns(app.extensions["kiosk.engine"])
    assert turns is not None
    factory = app.extensions["kiosk.sessionmaker"]
    with pytest.raises(RuntimeError), factory() as db, transaction(db):
        db.execute(text("UPDATE unit SET name_en = name_en"))
        assert turns.taken
        raise RuntimeError("the write failed")
    assert not turns.taken
    with factory() as db:  # a write left open when its session closes
        db.connection(execution_options={"kiosk_sqlite_immediate": True})
        assert turns.taken
    assert not turns.taken
    with factory() as db, transaction(db):
        db.execute(text("UPDATE unit SET name_en = name_en"))
    assert not turns.taken


def test_a_read_whose_begin_fails_raises_sqlalchemys_error(app: Flask, database_url: str) -> None:
    """A read's BEGIN goes straight to the driver; when it fails, callers still get the
    error they catch (SQLAlchemy's), not the driver's."""
    from sqlalchemy.exc import OperationalError

    _sqlite_only(database_url)
    engine = app.extensions["kiosk.engine"]
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("BEGIN")  # so the next BEGIN fails: a transaction is open already
        with pytest.raises(OperationalError, match="within a transaction"):
            connection.execute(text("SELECT 1"))
    with engine.connect() as connection:  # and the pool's connections still work
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_servers_threads_at_once_open_no_connection_per_request(app: Flask) -> None:
    """`kiosk serve`'s 8 request threads, all busy at once, again and again: each connection is
    opened once and kept. With fewer kept than threads, the extra ones were opened and closed
    on every request (and a new SQLite connection reads the whole schema again)."""
    import threading

    from sqlalchemy import event

    engine = app.extensions["kiosk.engine"]
    engine.dispose()
    opened: list[object] = []
    threads = 8
    together = threading.Barrier(threads)

    def request() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            together.wait(10)

    def note(dbapi_connection: object, _record: object) -> None:
        opened.append(dbapi_connection)

    event.listen(engine, "connect", note)
    try:
        for _round in range(3):
            workers = [threading.Thread(target=request) for _ in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(10)
    finally:
        event.remove(engine, "connect", note)
    assert len(opened) == threads
