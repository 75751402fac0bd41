"""The maintenance API's fleet: kiosks and their state, heartbeats, commands, central
configuration, logs and alerts. Reads need a read token; commands and heartbeats an operate
token; configuration changes an admin token, and so does replacing a kiosk's token (as the
admin's page asks the admin role). A token tied to a kiosk speaks only of that kiosk: the
request's session is scoped (kiosk.scope), so another kiosk is absent (404)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, jsonify, request, url_for
from werkzeug.wrappers import Response

from kiosk.access import current_token, requires_token
from kiosk.api.common import BIG, CODE, INT, bad, body, limit, when, who
from kiosk.api.views import bp
from kiosk.config import Settings
from kiosk.db import get_session
from kiosk.errors import NotFound
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    CommandKind,
    ConfigVersion,
    Kiosk,
    KioskAlert,
    KioskCommand,
    KioskState,
    Scope,
)
from kiosk.services.fleet import commands, kiosks, logs
from kiosk.services.fleet import settings as central
from kiosk.services.fleet.agent import limits
from kiosk.text import clean_text
from kiosk.web import csrf


def kiosk_json(kiosk: Kiosk, now: datetime) -> dict[str, Any]:
    """A kiosk as the API shows it."""
    settings: Settings = current_app.config["KIOSK"]
    return {
        "id": kiosk.id, "name": kiosk.name, "building": kiosk.building_code,
        "state": kiosk.state.value, "state_since": when(kiosk.state_since),
        "last_seen_at": when(kiosk.last_seen_at), "version": kiosk.version,
        "started_at": when(kiosk.started_at), "uptime_seconds": kiosk.uptime_seconds,
        "last_page": kiosk.last_page, "last_page_at": when(kiosk.last_page_at),
        "screen_seen_at": when(kiosk.screen_seen_at),
        "screen_frozen": kiosks.screen_frozen(kiosk, now, limits(settings)),
        "printers": kiosk.printers, "queue_depth": kiosk.queue_depth,
        "free_disk_bytes": kiosk.free_disk_bytes, "closed_hours": kiosk.closed_hours,
        "paused": kiosk.paused_message is not None, "paused_message": kiosk.paused_message,
        "banner": kiosk.banner, "banner_until": when(kiosk.banner_until),
        "config_version": kiosk.config_version,
    }  # fmt: skip


def command_json(command: KioskCommand) -> dict[str, Any]:
    """A command as the API shows it (a screenshot is a link, not inline)."""
    body = {
        "id": command.id, "kiosk": command.kiosk_id, "kind": command.kind.value,
        "payload": command.payload, "status": command.status.value,
        "issued_by": command.issued_by, "issued_at": when(command.issued_at),
        "picked_at": when(command.picked_at), "finished_at": when(command.finished_at),
        "result": command.result, "screenshot_url": None,
    }  # fmt: skip
    if command.attachment is not None:
        body["screenshot_url"] = url_for("api.get_screenshot", command_id=command.id)
    return body


def alert_json(alert: KioskAlert) -> dict[str, Any]:
    """An alert as the API shows it."""
    return {
        "id": alert.id, "kiosk": alert.kiosk_id, "kind": alert.kind,
        "from": alert.state_from, "to": alert.state_to, "at": when(alert.at),
        "delivered_at": when(alert.delivered_at), "attempts": alert.attempts,
    }  # fmt: skip


def config_json(version: ConfigVersion | None, scope: str) -> dict[str, Any]:
    """One scope's central configuration."""
    if version is None:
        return {"kiosk": scope, "version": 0, "values": {}, "changed_by": None, "changed_at": None}
    return {
        "kiosk": version.kiosk_id, "version": version.id, "values": version.values,
        "changes": version.changes, "changed_by": version.changed_by,
        "changed_at": when(version.changed_at),
    }  # fmt: skip


def _kiosk(kiosk_id: str) -> Kiosk:
    """The kiosk, if it has reported and is in the token's reach."""
    kiosk = kiosks.get(get_session(), kiosk_id)
    if kiosk is None:
        raise NotFound(_l("No kiosk with that id has ever reported."))
    return kiosk


@bp.get("/api/v1/kiosks")
@requires_token(Scope.READ)
def list_kiosks() -> Response:
    """The fleet, by building; `building` and `state` narrow it."""
    state = request.args.get("state", "")
    if state and state not in {s.value for s in KioskState}:
        return bad("state", "one of " + ", ".join(s.value for s in KioskState))
    db, now = get_session(), datetime.now().astimezone()
    found = kiosks.listing(
        db, request.args.get("building", ""), KioskState(state) if state else None
    )
    return jsonify(kiosks=[kiosk_json(k, now) for k in found], counts=kiosks.state_counts(db))


@bp.get("/api/v1/kiosks/<kiosk_id>")
@requires_token(Scope.READ)
def get_kiosk(kiosk_id: str) -> Response:
    """One kiosk: its state, its last commands and alerts."""
    kiosk, db = _kiosk(kiosk_id), get_session()
    body = kiosk_json(kiosk, datetime.now().astimezone())
    body["commands"] = [command_json(c) for c in commands.recent(db, kiosk_id, 10)]
    body["alerts"] = [alert_json(a) for a in kiosks.alerts(db, kiosk_id, 10)]
    return jsonify(body)


@bp.post("/api/v1/kiosks/<kiosk_id>/heartbeat")
@requires_token(Scope.OPERATE)
def post_heartbeat(kiosk_id: str) -> Response:
    """A kiosk reports itself over HTTP (the same report its agent writes directly)."""
    if not CODE.match(kiosk_id):
        return bad("kiosk_id", "a kiosk id (a-z, 0-9 and -, up to 40)")
    data = body()
    fields = {
        "building": str, "name": str, "version": str, "uptime_seconds": int,
        "last_page": str, "queue_depth": int, "free_disk_bytes": int, "printers": dict,
    }  # fmt: skip
    for name, kind in fields.items():
        if name in data and (not isinstance(data[name], kind) or isinstance(data[name], bool)):
            return bad(name, kind.__name__)
    for name, high in (("uptime_seconds", BIG), ("queue_depth", INT), ("free_disk_bytes", BIG)):
        if name in data and not 0 <= data[name] <= high:
            return bad(name, f"a whole number from 0 to {high}")
    building = data.get("building")
    if not isinstance(building, str) or not CODE.match(building):
        return bad("building", "the building's code (a-z, 0-9 and -, up to 40)")

    def text(name: str, most: int) -> str:
        return clean_text(str(data.get(name, ""))).text[:most]

    printers = {
        clean_text(str(k)).text[:20]: clean_text(str(v)).text[:20]
        for k, v in data.get("printers", {}).items()
    }
    beat = kiosks.Beat(
        kiosk_id=kiosk_id, building_code=building, name=text("name", 60),
        version=text("version", 40), uptime_seconds=data.get("uptime_seconds", 0),
        last_page=text("last_page", 200), queue_depth=data.get("queue_depth", 0),
        free_disk_bytes=data.get("free_disk_bytes"), printers=printers,
    )  # fmt: skip
    kiosk = kiosks.heartbeat(get_session(), beat)
    return jsonify(state=kiosk.state.value, last_seen_at=when(kiosk.last_seen_at))


@bp.get("/api/v1/kiosks/<kiosk_id>/logs")
@requires_token(Scope.READ)
def get_logs(kiosk_id: str) -> Response:
    """A kiosk's newest log records at `level` (default INFO) or above."""
    _kiosk(kiosk_id)
    level = request.args.get("level", "INFO").upper()
    if level not in logs.LEVELS:
        return bad("level", "one of " + ", ".join(logs.LEVELS))
    found = logs.recent(get_session(), kiosk_id, level=level, limit=limit(100))
    records = [
        {"at": when(r.at), "level": r.level, "logger": r.logger, "message": r.message,
         "fields": r.fields}
        for r in found
    ]  # fmt: skip
    return jsonify(kiosk=kiosk_id, records=records)


@bp.get("/api/v1/kiosks/<kiosk_id>/commands")
@requires_token(Scope.READ)
def list_commands(kiosk_id: str) -> Response:
    """A kiosk's newest commands."""
    _kiosk(kiosk_id)
    found = commands.recent(get_session(), kiosk_id, limit(20))
    return jsonify(commands=[command_json(c) for c in found])


@bp.post("/api/v1/kiosks/<kiosk_id>/commands")
@requires_token(Scope.OPERATE)
def issue_command(kiosk_id: str) -> tuple[Response, int, dict[str, str]]:
    """Queue a command; follow it at the Location given."""
    _kiosk(kiosk_id)
    data = body()
    kind, payload = data.get("kind"), data.get("payload", {})
    if not isinstance(kind, str) or kind not in {k.value for k in CommandKind}:
        abort(bad("kind", "one of " + ", ".join(k.value for k in CommandKind)))
    if kind == CommandKind.ROTATE_TOKEN and current_token().scope.rank < Scope.ADMIN.rank:
        # As on the admin's page, where replacing a kiosk's token is the admin role's.
        refused = jsonify(error="forbidden", message="Replacing a kiosk's token needs scope admin.")
        refused.status_code = 403
        abort(refused)
    if not isinstance(payload, dict):
        abort(bad("payload", "a JSON object"))
    command = commands.issue(get_session(), kiosk_id, CommandKind(kind), payload, who())
    location = url_for("api.get_command", command_id=command.id)
    return jsonify(command_json(command)), 202, {"Location": location}


@bp.get("/api/v1/commands/<int(max=2147483647):command_id>")
@requires_token(Scope.READ)
def get_command(command_id: int) -> Response:
    """One command and, once its kiosk has run it, the result."""
    return jsonify(command_json(commands.get(get_session(), command_id)))


@bp.get("/api/v1/commands/<int(max=2147483647):command_id>/screenshot")
@requires_token(Scope.READ)
def get_screenshot(command_id: int) -> Response:
    """The PNG a screenshot command brought back."""
    command = commands.get(get_session(), command_id)
    if command.attachment is None:
        raise NotFound(_l("This command brought back no picture."))
    response = Response(command.attachment, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/config")
@requires_token(Scope.READ)
def get_config() -> Response:
    """The central configuration of the fleet, or of one kiosk (`kiosk`), with its history."""
    scope = request.args.get("kiosk", "")
    db = get_session()
    body = config_json(central.current(db, scope), scope)
    body["settable"] = list(central.CENTRAL)
    body["history"] = [config_json(v, scope) for v in central.history(db, scope, limit(20))]
    return jsonify(body)


@bp.patch("/api/v1/config")
@requires_token(Scope.ADMIN)
def change_config() -> Response:
    """Set central values (`values`; null clears one) for the fleet or a kiosk (`kiosk`)."""
    data = body()
    scope, values = data.get("kiosk", ""), data.get("values")
    if not isinstance(scope, str) or len(scope) > 40:
        return bad("kiosk", "a kiosk id, or empty for the whole fleet")
    if not isinstance(values, dict) or not values:
        return bad("values", "a JSON object of settings")
    version = central.change(get_session(), current_app.config["KIOSK"], scope, values, who())
    return jsonify(config_json(version, scope))


@bp.get("/api/v1/alerts")
@requires_token(Scope.READ)
def list_alerts() -> Response:
    """The newest alerts: a kiosk down, a kiosk back."""
    found = kiosks.alerts(get_session(), request.args.get("kiosk", ""), limit())
    return jsonify(alerts=[alert_json(a) for a in found])


# A bearer token, not a cookie, authenticates these: there is no session to forge a request in.
for _view in (post_heartbeat, issue_command, change_config):
    csrf.exempt(_view)
