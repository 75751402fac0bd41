"""Warm-up before serving: the first-use work is done, and it leaves nothing behind."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy.orm import Session

from kiosk import warmup
from kiosk.cli import main
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


def test_serve_warms_up_before_it_listens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_apps: list[Flask]
) -> None:
    import waitress

    compiled: list[bool] = []
    settled: list[bool] = []
    words: list[bool] = []

    def fake_serve(app: Flask, **_options: object) -> None:
        assert app.jinja_env.cache is not None
        compiled.append(any("terminal/home.html" in str(key) for key in app.jinja_env.cache))
        settled.append(bool(calls))
        # The keyboard's words are in before the first tap (loading jieba holds every thread).
        words.append("demo" in app.extensions["kiosk.keyboard"].lexicons._kept)

    calls: list[None] = []

    def settle(collect: bool = True) -> None:  # not in the test's own process
        calls.append(None)

    monkeypatch.setattr(warmup, "settle", settle)
    monkeypatch.setattr(waitress, "serve", fake_serve)
    env = {"KIOSK_PRINT_WORKER": "false", "KIOSK_FLEET_AGENT": "false"}
    result = CliRunner().invoke(main, ["--instance", str(tmp_path), "serve"], env=env)
    assert result.exit_code == 0, result.output
    assert compiled == [True]
    assert settled == [True]  # what the warm-up left in memory was set aside before listening
    assert words == [True]


def test_settle_moves_what_is_alive_out_of_the_collectors_passes() -> None:
    kept = [[n] for n in range(1000)]  # lists: objects the collector tracks
    try:
        warmup.settle()
        assert gc.get_freeze_count() >= len(kept)
        oldest = {id(o) for o in gc.get_objects(generation=2)}
        assert not any(id(k) in oldest for k in kept)  # a full pass no longer walks them
    finally:
        gc.unfreeze()


def test_the_index_thread_sets_memory_aside_without_a_collection(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection once the pinyin index has loaded would stall whichever tap came then
    (59 ms for a fresh kiosk's first tap): the thread only freezes."""
    asked: list[bool] = []
    monkeypatch.setattr(warmup, "settle", lambda collect=True: asked.append(collect))
    warmup.load_keyboard(app, then_settle=True).join(60)
    assert asked == [False]
    warmup.load_keyboard(app).join(60)
    assert asked == [False]  # only a server sets memory aside
