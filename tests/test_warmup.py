"""Warm-up before serving: the first-use work is done, and it leaves nothing behind."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from kiosk.sessions import session_count
from kiosk.warmup import warm_up


def test_warm_up_compiles_the_templates_and_leaves_no_session(app: Flask, db: Session) -> None:
    assert app.jinja_env.cache is not None
    assert not any("terminal/home.html" in str(key) for key in app.jinja_env.cache)
    warm_up(app)
    cached = {str(key) for key in app.jinja_env.cache}
    for name in ("terminal/home.html", "terminal/attract.html", "public/status.html"):
        assert any(name in key for key in cached), name
    db.rollback()
    assert session_count(db) == 0  # the session its own page views made is gone
