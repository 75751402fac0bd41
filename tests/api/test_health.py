"""GET /healthz: JSON about the kiosk and its database, never touching a printer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

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
