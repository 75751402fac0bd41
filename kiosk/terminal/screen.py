"""The screen reports what it shows, and hears what the fleet wants of it (reload, pause).

The page asks every few seconds (GET, no session needed, nothing stored but the route). While
the fleet has the kiosk paused, every other terminal page is the maintenance page.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.services.fleet.screen import Report, Screen
from kiosk.terminal.common import bp
from kiosk.text import is_whole

RETRY_AFTER = "60"  # seconds, for the maintenance page's 503
# Still served while paused: the screen's own report, and the masthead's switches, so the
# maintenance page can be read in English or in large text (they change only the session).
WHILE_PAUSED = frozenset(
    {
        "terminal.report_screen",
        "terminal.switch_language",
        "terminal.switch_display_mode",
        "terminal.wipe_session",
    }
)
PATH_MAX = 300


def _screen() -> Screen:
    screen: Screen = current_app.extensions["kiosk.screen"]
    return screen


def _route(path: str) -> str:
    """The URL rule a path matches ("/policies/<int:policy_id>"), never the path itself."""
    adapter = current_app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(path, method="GET", return_rule=True)
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return ""
    return str(rule.rule)


def _int(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, "")
    return min(int(raw), high) if is_whole(raw) else default


@bp.get("/screen")
@public
def report_screen() -> Response:
    """Record the page the screen shows; answer with what the screen should be doing."""
    screen = _screen()
    path = request.args.get("page", "/")[:PATH_MAX]
    nonce = screen.screenshot_nonce
    ours = bool(nonce) and f"screenshot={nonce}" in path  # our own screenshot browser
    if path.startswith("/") and not path.startswith("//") and not ours:
        screen.report(
            Report(
                route=_route(path.split("?")[0]),
                path=path,
                generation=_int("generation", 0, 1 << 30),
                width=_int("width", 1080, 10_000),
                height=_int("height", 1920, 10_000),
            )
        )
    body: dict[str, Any] = {
        "generation": screen.generation,
        "paused": screen.paused_message is not None,
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_request
def _paused() -> tuple[str, int, dict[str, str]] | None:
    """While the fleet has this kiosk paused, the touchscreen shows only the maintenance page."""
    message = _screen().paused_message
    if message is None or request.endpoint in WHILE_PAUSED:
        return None
    page = render_template("terminal/paused.html", message=message)
    return page, 503, {"Retry-After": RETRY_AFTER}
