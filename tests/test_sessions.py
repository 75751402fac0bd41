"""Server-side sessions: an id in the cookie, hashed at rest, expiring, safe under contention."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db import transaction, utcnow
from kiosk.models import PrintJob, Tenant, WebSession
from tests.support.terminal import Terminal


def test_cookie_holds_only_a_random_id_stored_hashed(
    client: FlaskClient, building: object, db: Session
) -> None:
    terminal = Terminal(client)
    terminal.language("en")
    cookie = client.get_cookie("kiosk_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert len(cookie.value) >= 40 and "locale" not in cookie.value  # a token, not the data
    (row,) = db.scalars(select(WebSession)).all()
    assert row.id == hashlib.sha256(cookie.value.encode()).hexdigest()
    assert row.data["locale"] == "en"


def test_a_visitor_who_only_looks_leaves_no_row(app: Flask, db: Session, building: object) -> None:
    app.test_client().get("/healthz")
    assert db.scalars(select(WebSession)).all() == []


def test_expired_session_is_gone(client: FlaskClient, building: object, db: Session) -> None:
    terminal = Terminal(client)
    terminal.language("en")
    db.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert "您要办理什么业务？" in terminal.page("/").get_data(as_text=True)  # back to the default


def test_terminal_sessions_are_short_and_staff_sessions_longer(
    client: FlaskClient, db: Session, building: object, make_staff: Callable[..., object]
) -> None:
    Terminal(client).language("en")
    row = db.scalars(select(WebSession)).one()
    assert row.expires_at - utcnow() < timedelta(seconds=60 + 20 + 20)
    db.rollback()
    make_staff("officer")
    from tests.conftest import AuthActions

    AuthActions(client).sign_in()
    db.expire_all()
    rows = db.scalars(select(WebSession)).all()
    assert len(rows) == 1  # the sign-in replaced the old id (no fixation)
    assert rows[0].expires_at - utcnow() > timedelta(minutes=29)


def test_writers_on_one_sqlite_file_do_not_lose_answers(
    make_app: Callable[..., Flask],
    database_url: str,
    make_tenant: Callable[..., Tenant],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Session saves racing the print worker's read-then-write transactions must both succeed.

    With deferred transactions SQLite refuses the second writer at once (SQLITE_BUSY, no
    waiting), and the person's answer silently vanished; writers now take the lock up front.
    """
    app = make_app()
    tenant = make_tenant()
    stop = threading.Event()

    def worker_like_writer() -> None:
        factory = app.extensions["kiosk.sessionmaker"]
        while not stop.is_set():
            with factory() as db, transaction(db):
                db.scalars(select(PrintJob).limit(5)).all()  # read first, as the worker does
                db.add(PrintJob(kiosk_id="other", kind="test", document={"elements": []}))
            stop.wait(0.002)  # seconds: busy, but not hogging the lock

    thread = threading.Thread(target=worker_like_writer)
    thread.start()
    try:
        with caplog.at_level(logging.ERROR, logger="kiosk.sessions"):
            for n in range(20):
                terminal = Terminal(app.test_client())
                terminal.answer("/appeal/company", tenant=str(tenant.id))
                response = terminal.answer("/appeal/category", category="policy")
                assert response.status_code == 303, n
                assert terminal.client.get("/appeal/category").status_code == 200
                assert terminal.client.get("/appeal/description").status_code == 200, n
    finally:
        stop.set()
        thread.join()
    assert [r for r in caplog.records if "could not save the session" in r.message] == []
