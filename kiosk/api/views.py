"""Health and machine-readable endpoints."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from kiosk import __version__
from kiosk.access import public
from kiosk.db import get_session
from kiosk.models import PrintJob, PrintStatus

bp = Blueprint("api", __name__)
_STARTED = time.monotonic()


@bp.before_request
def _no_nul() -> tuple[Response, int] | None:
    """A NUL anywhere in the address is refused before it reaches a database (PostgreSQL's
    text cannot hold one)."""
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
        body = {"error": "bad_parameter", "parameter": "url", "expected": "no NUL characters"}
        return jsonify(body), 400
    return None


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
        db = get_session()
        db.execute(text("SELECT 1"))
        pending = db.scalar(
            select(func.count())
            .select_from(PrintJob)
            .where(
                PrintJob.kiosk_id == settings.id,
                PrintJob.status.in_([PrintStatus.PENDING, PrintStatus.PRINTING]),
            )
        )
        body["database"] = "ok"
        body["print_queue"] = pending or 0
    except SQLAlchemyError as exc:
        body.update(status="degraded", database=f"error: {type(exc).__name__}")
        return jsonify(body), 503
    return jsonify(body), 200
