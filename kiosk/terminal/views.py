"""The touchscreen's own pages: home, language, wipe."""

from __future__ import annotations

import time
from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.config import LOCALES
from kiosk.services import appeals
from kiosk.tasks import TASKS, StepContext
from kiosk.terminal.common import bp, context
from kiosk.terminal.hand_off import forget_session_hand_offs
from kiosk.web import csrf


@bp.get("/")
@public
def home() -> str:
    """The home screen: the building, the tiles, the language switch."""
    ctx = context()
    return render_template("terminal/home.html", tasks=list(TASKS.values()), figures=_figures(ctx))


def _figures(ctx: StepContext) -> appeals.Figures:
    """This year's figures, kept for `home_figures_seconds`: the home screen shows after every
    wipe, and counting a busy building's year takes tens of milliseconds."""
    cache: dict[str, tuple[float, appeals.Figures]] = current_app.extensions.setdefault(
        "kiosk.home_figures", {}
    )
    kept = cache.get(ctx.settings.building)
    if kept is not None and time.monotonic() < kept[0]:
        return kept[1]
    year_start = datetime.now(ctx.settings.zone).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    figures = appeals.building_figures(ctx.db, ctx.settings.building, year_start)
    cache[ctx.settings.building] = (time.monotonic() + ctx.settings.home_figures_seconds, figures)
    return figures


@bp.post("/language")
@public
def switch_language() -> Response:
    """Switch between 中文 and English, staying on the same page."""
    locale = request.form.get("locale", "")
    if locale in LOCALES:
        session["locale"] = locale
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = url_for("terminal.home")
    return redirect(target, 303)


@bp.post("/reset")
@public
def wipe_session() -> Response:
    """Forget everything of the person at the screen (idle timeout, Finish, Start again)."""
    forget_session_hand_offs()
    session.wipe()  # type: ignore[attr-defined]
    if request.accept_mimetypes.best == "application/json":
        return jsonify(wiped=True)
    return redirect(url_for("terminal.home"), 303)


# Wiping is harmless to force, and must work after the session (and its CSRF token) expired.
csrf.exempt(wipe_session)
