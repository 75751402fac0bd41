"""The central's API for edge terminals: enrolment with a one-time code, submissions handed
over idempotently, reference data by kind with ETags, and the heartbeat that carries the
terminal's outbox depth, screen and log records and brings back its commands.

Every call but enrolment needs the kiosk's own token (a token tied to a kiosk): the request's
session is that kiosk's reach (kiosk.scope), so a terminal reads its own building's data only.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import abort, current_app, jsonify, request
from werkzeug.wrappers import Response

from kiosk import __version__
from kiosk.access import current_token, public, requires_token
from kiosk.api.common import bad, body
from kiosk.api.openapi import OPERATIONS, TAGS, Operation
from kiosk.api.views import bp
from kiosk.db import get_session
from kiosk.edge import beat as beats
from kiosk.edge import enrol, receive, reference
from kiosk.edge.sealing import encode_public, ensure_fleet_keys
from kiosk.errors import DomainError, ValidationFailed
from kiosk.models import EdgeTerminal, Scope
from kiosk.services.fleet import commands
from kiosk.web import csrf

BATCH_MAX = 100  # submissions in one call


def _terminal() -> EdgeTerminal:
    """The enrolled terminal this request's token belongs to (403 for any other token)."""
    token = current_token()
    terminal = get_session().get(EdgeTerminal, token.kiosk_id) if token.kiosk_id else None
    if terminal is None:
        refused = jsonify(error="forbidden", message="This needs an enrolled terminal's token.")
        refused.status_code = 403
        abort(refused)
    return terminal


def _public_keys() -> list[str]:
    keys = ensure_fleet_keys(Path(current_app.instance_path))
    return [encode_public(key.public_key) for key in keys]


@bp.post("/api/v1/edge/enrol")
@public
def enrol_terminal() -> Response:
    """Exchange a one-time enrolment code for the kiosk's token, short code, link key and the
    fleet's public keys (shown once: the code is used up)."""
    code = body().get("code")
    if not isinstance(code, str) or not 8 <= len(code) <= 20:
        return bad("code", "the enrolment code the admin's fleet page showed")
    keys = _public_keys()
    current_app.extensions.pop("kiosk.vault", None)  # seal with the fleet's keys from now on
    enrolled = enrol.redeem(get_session(), code)
    settings = current_app.config["KIOSK"]
    return jsonify(
        kiosk_id=enrolled.kiosk_id, building=enrolled.building, name=enrolled.name,
        short_code=enrolled.short_code, token=enrolled.token, link_key=enrolled.link_key,
        public_keys=keys, public_url=settings.link_base,
    )  # fmt: skip


@bp.post("/api/v1/edge/submissions")
@requires_token(Scope.OPERATE)
def receive_submissions() -> Response:
    """Store each submission once (by its idempotency key) and answer with what is stored."""
    terminal, db = _terminal(), get_session()
    items = body().get("submissions")
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_MAX:
        return bad("submissions", f"a list of 1 to {BATCH_MAX} submissions")
    building = beats.building_of(db, terminal.kiosk_id)
    results = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("payload"), dict):
            return bad("submissions", "objects with kind, key and payload")
        key = str(item.get("key", ""))
        try:
            if item["payload"].get("submission_key") != key:
                raise ValidationFailed(fields={"key": "not the submission's own key"})
            stored, new = receive.receive(
                db, str(item.get("kind", "")), item["payload"], kiosk_id=terminal.kiosk_id,
                building=building, short_code=terminal.short_code,
            )  # fmt: skip
            results.append({"key": key, "ok": True, "new": new, "stored": stored})
        except DomainError as exc:
            db.rollback()
            results.append({"key": key, "ok": False, "error": str(exc.message or exc)})
    return jsonify(results=results)


@bp.get(f"/api/v1/edge/reference/<any({', '.join(reference.KINDS)}):kind>")
@requires_token(Scope.OPERATE)
def get_reference(kind: str) -> Response:
    """One kind of reference data for the terminal's building, with an ETag (304 if unchanged)."""
    terminal = _terminal()
    db = get_session()
    rows, etag = reference.rows_of(db, kind, beats.building_of(db, terminal.kiosk_id))
    if (
        etag in request.if_none_match.as_set(include_weak=True)
        or request.headers.get("If-None-Match") == etag
    ):
        response = Response(status=304)
    else:
        response = jsonify(kind=kind, rows=rows)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/edge/keys")
@requires_token(Scope.OPERATE)
def get_fleet_keys() -> Response:
    """The fleet's public keys, the one to seal with first."""
    _terminal()
    return jsonify(public_keys=_public_keys())


@bp.post("/api/v1/edge/beat")
@requires_token(Scope.OPERATE)
def post_edge_beat() -> Response:
    """The terminal's heartbeat: its state, outbox depth, screen and new log records; the
    answer brings its queued commands (each now running) and the central's version."""
    terminal = _terminal()
    data = body()
    try:
        answer = beats.receive(get_session(), terminal.kiosk_id, data, datetime.now().astimezone())
    except ValueError as exc:
        return bad(str(exc), "see the heartbeat's description")
    return jsonify(version=__version__, **answer)


@bp.post("/api/v1/edge/commands/<int(max=2147483647):command_id>")
@requires_token(Scope.OPERATE)
def finish_edge_command(command_id: int) -> Response:
    """What running one of its commands gave (`ok`, `result`, a base64 `attachment`)."""
    command = commands.get(get_session(), command_id)  # another kiosk's: out of reach, 404
    _terminal()
    data = body()
    ok, result = data.get("ok"), data.get("result", {})
    if not isinstance(ok, bool) or not isinstance(result, dict):
        return bad("ok", "true or false, with a result object")
    attachment = None
    if isinstance(data.get("attachment"), str):
        try:
            attachment = base64.b64decode(data["attachment"], validate=True)
        except (binascii.Error, ValueError):
            return bad("attachment", "base64")
    commands.finish(get_session(), command.id, ok=ok, result=result, attachment=attachment)
    return jsonify(id=command.id, status="done" if ok else "failed")


for _view in (enrol_terminal, receive_submissions, post_edge_beat, finish_edge_command):
    csrf.exempt(_view)

_ANY: dict[str, Any] = {"description": "JSON.", "content": {"application/json": {"schema": {}}}}
_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}
_ERR = {"400": _ANY, "403": _ANY, "404": _ANY}
TAGS["edge"] = "A fleet's lobby terminals: enrolment, their outbox, reference data, heartbeats."
OPERATIONS.update(
    {
        "api.enrol_terminal": Operation("edge", {"200": _ANY, **_ERR}, body=_BODY),
        "api.receive_submissions": Operation("edge", {"200": _ANY, **_ERR}, body=_BODY),
        "api.get_reference": Operation(
            "edge", {"200": _ANY, "304": {"description": "As before."}, **_ERR}
        ),
        "api.get_fleet_keys": Operation("edge", {"200": _ANY, **_ERR}),
        "api.post_edge_beat": Operation("edge", {"200": _ANY, **_ERR}, body=_BODY),
        "api.finish_edge_command": Operation("edge", {"200": _ANY, **_ERR}, body=_BODY),
    }
)
