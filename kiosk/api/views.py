"""Health and machine-readable endpoints."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from kiosk import __version__
from kiosk.access import public
from kiosk.db import get_session
from kiosk.services import health as checks

bp = Blueprint("api", __name__)
_STARTED = time.monotonic()


@bp.get("/healthz")
@public
def health() -> tuple[Response, int]:
    """Liveness and the database, as JSON; never touches a printer or other device."""
    settings = current_app.config["KIOSK"]
    body: dict[str, Any] = {
        "status": "ok",
        "version": __version__,
        "kiosk": settings.id,
        "uptime_seconds": int(time.monotonic() - _STARTED),
    }
    try:
        body["print_queue"] = checks.print_queue(get_session(), settings.id)
        blocked = checks.writes_blocked(current_app.extensions["kiosk.engine"])
    except SQLAlchemyError as exc:
        body.update(status="degraded", database=f"error: {type(exc).__name__}")
        return jsonify(body), 503
    if blocked:  # reads still work (WAL, MVCC), but every write times out
        body.update(status="degraded", database="locked: writes are timing out")
        return jsonify(body), 503
    body["database"] = "ok"
    return jsonify(body), 200
