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
