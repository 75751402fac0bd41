"""Edge terminals: a fleet's lobby terminal on its own SQLite, holding no key to the city.

`init_app` wires either side. On a terminal (KIOSK_EDGE=true): the enrolled identity names the
kiosk, every new submission is queued in the outbox in its own transaction, deleted rows are
overwritten on disk, and the web server answers the screen's pages only. On a central: a
tracking link made at a terminal whose submission has not arrived yet gets a page saying where
and when it was taken. Nothing here touches the network; the terminal's agent does that.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, render_template, request
from sqlalchemy import event

from kiosk.edge import identity as enrolment
from kiosk.i18n import lazy_gettext as _l

log = logging.getLogger("kiosk.edge")
# What a terminal's web server answers: the screen's own pages, its assets, its health.
TERMINAL_ENDPOINTS = ("terminal.", "static", "api.health")


def init_app(app: Flask) -> None:
    """Wire the terminal's or the central's side, as the settings say."""
    settings = app.config["KIOSK"]
    if not settings.edge:
        from kiosk.edge.pending import pending_page

        app.before_request(pending_page)
        return
    try:
        identity = enrolment.load(Path(app.instance_path))
    except enrolment.NotEnrolled:
        identity = None  # `kiosk enrol` runs on this app; `kiosk serve` refuses to start
    if identity is not None:
        app.extensions["kiosk.edge.identity"] = identity
        app.config["KIOSK"] = settings.model_copy(
            update={
                "id": identity.kiosk_id,
                "building": identity.building,
                "name": identity.name or settings.name,
                "public_url": identity.public_url or settings.public_url,
            }
        )
    from kiosk.edge.outbox import capture

    capture(app.extensions["kiosk.sessionmaker"])
    event.listen(app.extensions["kiosk.engine"], "connect", _secure_delete)
    app.before_request(_screen_only)
    app.context_processor(_link_state)


def _secure_delete(dbapi_connection: Any, _record: object) -> None:
    # What the terminal forgets is overwritten in the file, not left in free pages.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# What a terminal cannot promise without the central, and what it says instead.
NEEDS_CENTRAL = {
    "terminal.collect_licence": (
        _l("Network down: a licence cannot be collected now."),
        _l("Licences are handed out at the service desk: this kiosk cannot print them."),
    ),
    "terminal.fix_application": (
        _l("Network down: an application cannot be fixed here now."),
        _l("Applications sent back are fixed at the service desk: this kiosk cannot open them."),
    ),
}
OFFLINE_TASKS = {"invoice": _l("Network down: invoice collection times cannot be booked now.")}


def _screen_only() -> Any:
    """No admin, no API, no phone pages on a terminal: those are the central's. What needs
    the central says so plainly instead of failing."""
    endpoint = request.endpoint or ""
    if not endpoint.startswith(TERMINAL_ENDPOINTS):
        abort(404)
    link = current_app.extensions.get("kiosk.edge.link")
    down = link is not None and link.down
    if endpoint in NEEDS_CENTRAL:
        offline, online = NEEDS_CENTRAL[endpoint]
        return render_template("terminal/error.html", message=offline if down else online), 503
    slug = (request.view_args or {}).get("task_slug")
    if down and slug in OFFLINE_TASKS:
        return render_template("terminal/error.html", message=OFFLINE_TASKS[slug]), 503
    return None


def _link_state() -> dict[str, Any]:
    """What the screens show of the link: down or not, and when the data was copied."""
    link = current_app.extensions.get("kiosk.edge.link")
    return {"edge_offline": bool(link is not None and link.down),
            "edge_synced_at": link.synced_at if link is not None else None}  # fmt: skip
