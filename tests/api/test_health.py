"""GET /healthz: JSON about the kiosk and its database, never touching a printer."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests.support.fake_printer import FakePrinter


def test_health_reports_ok_without_touching_the_printer(make_app: Callable[..., Flask]) -> None:
    with FakePrinter() as printer:
        app = make_app(receipt_printer=printer.url, id="lobby-3")
        response = app.test_client().get("/healthz")
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "ok" and body["database"] == "ok" and body["kiosk"] == "lobby-3"
        assert body["print_queue"] == 0
        assert response.headers["Cache-Control"] == "no-store"
        assert printer.connections == 0


def test_health_says_when_the_database_is_unusable(
    tmp_path: Path, make_app: Callable[..., Flask]
) -> None:
    unusable = tmp_path / "a-directory"
    unusable.mkdir()
    app = make_app(database_url=f"sqlite:///{unusable}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["database"].startswith("error")


@contextmanager
def _writes_held(database_url: str) -> Iterator[None]:
    """Another connection holding what every write needs (a backup, a stuck admin export, a
    migration waiting on a lock): reads still work, writes wait."""
    if database_url.startswith("sqlite"):
        held = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        held.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            held.execute("ROLLBACK")
            held.close()
        return
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.exec_driver_sql("LOCK TABLE appeal IN EXCLUSIVE MODE")  # reads pass
            yield
            transaction.rollback()
    finally:
        engine.dispose()


def test_health_tells_a_locked_database_from_a_working_one(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    client = make_app(db_busy_timeout_ms=5000).test_client()
    assert client.get("/healthz").status_code == 200  # (and SQLite is in WAL mode, as it runs)
    with _writes_held(database_url):
        started = time.monotonic()
        response = client.get("/healthz")
        waited = time.monotonic() - started
        assert response.status_code == 503, response.get_json()
        body = response.get_json()
        assert body["status"] == "degraded" and body["database"].startswith("locked")
        assert body["print_queue"] == 0  # reading still worked
        assert waited < 2  # a short probe, not the writers' five-second wait
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"
