"""The touchscreen's own pages: home, attract screen, language, large text, wipe."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
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
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.caching import kept
from kiosk.config import LOCALES, Settings
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.services import announcements, appeals, tenants
from kiosk.services.figures import public as public_figures
from kiosk.services.policies.catalogue import today_in
from kiosk.sessions import leave_session_untouched
from kiosk.tasks import TASKS, StepContext
from kiosk.terminal.common import DISPLAY, LARGE, bp, context
from kiosk.terminal.hand_off import forget_session_hand_offs
from kiosk.web import csrf


@bp.get("/")
@public
def home() -> str:
    """The home screen: the building, the tiles, the language switch; the end of a visit."""
    end_visit()
    ctx = context()
    return render_template(
        "terminal/home.html",
        tasks=[task for task in TASKS.values() if task.tile],
        figures=_figures(ctx),
    )


# What the home screen keeps of a session: how the screen looks and a message still to show.
KEPT_AT_HOME = ("locale", DISPLAY, "_flashes")
NOTHING_PERSONAL = (*KEPT_AT_HOME, "csrf_token")


def end_visit() -> None:
    """Forget every draft, result and hand-off of whoever was here, and take a new session id.

    Home is where one person's visit ends and the next one's starts: what the last person
    typed must not be behind any tile, nor behind Back from a page of theirs.
    """
    if all(key in NOTHING_PERSONAL for key in session):
        return  # nothing to forget: no write, so showing home costs nothing
    kept = {key: session[key] for key in KEPT_AT_HOME if key in session}
    forget_session_hand_offs()
    session.wipe()  # type: ignore[attr-defined]
    session.update(kept)


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
    return redirect(_back_to(request.form.get("next")), 303)


@bp.post("/display-mode")
@public
def switch_display_mode() -> Response:
    """Large text and high contrast (适老化) on or off for this session, on the same page."""
    mode = request.form.get("mode", "")
    if mode == LARGE:
        session[DISPLAY] = LARGE
    elif mode == "standard":
        session.pop(DISPLAY, None)
    return redirect(_back_to(request.form.get("next")), 303)


def _back_to(target: str | None) -> str:
    """`target` if it is a path on this site, else the home screen (never an open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target  # browsers read /\host as //host
        and not any(ord(char) < 32 for char in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("terminal.home")


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


HTML_LANG = {"zh_CN": "zh-Hans", "en": "en"}


ATTRACT_WORDS = {
    "station": _l("Building Government Service Station"),
    "start": _l("Touch the screen to start"),
    "tasks": _l("What you can do here"),
    "notices": _l("Announcements"),
    "complaint": _l("Business environment complaint code"),
    "complaint_hint": _l("Scan to report a problem with government services"),
    "hotline": _l("Government service hotline"),
    "qr": _l("Business environment complaint QR code"),
    "figures": _l("This year, for the companies here"),
    "solved": _l("problems solved"),
    "paid": _l("of policy money paid"),
    "city": _l("Across the city"),
}


@dataclass(frozen=True)
class Said:
    """A piece of text and the language it is in (the attract screen shows both)."""

    text: str
    lang: str


# (screen's language, gettext function, msgid) → the message in both languages. The catalogues
# do not change while the kiosk runs; forcing each locale in turn was a third of the attract
# screen's time.
_BOTH: dict[tuple[str, object, str], tuple[Said, ...]] = {}


def _in_both(message: Any) -> list[Said]:
    """A translatable message in the screen's language first, then in the other one."""
    first = current_locale() if current_locale() in HTML_LANG else "zh_CN"
    args = getattr(message, "_args", None)
    plain = isinstance(message, LazyString) and not message._kwargs and len(args or ()) == 1
    key = (first, message._func, str(args[0])) if plain and args else None
    if key is not None and key in _BOTH:
        return list(_BOTH[key])
    said = []
    for locale in (first, *(other for other in HTML_LANG if other != first)):
        with force_locale(locale):
            said.append(Said(str(message), HTML_LANG[locale]))
    if key is not None:
        _BOTH[key] = tuple(said)
    return said


def _pair(zh: str, en: str) -> list[Said]:
    """Chinese and English text in the screen's order; one of them if the other is missing."""
    said = [Said(zh, "zh-Hans"), Said(en, "en")]
    if current_locale() == "en":
        said.reverse()
    return [item for item in said if item.text]


@bp.get("/welcome")
@public
def attract() -> Response | str:
    """The attract screen for an idle kiosk: the building, what can be done, announcements."""
    # Only the language is read from the session and nothing is written to it, nor its expiry
    # extended: no personal data can show here, and an idle screen keeps no session alive.
    leave_session_untouched()
    settings = current_app.config["KIOSK"]
    if settings.edge:  # a terminal's screen shows its link's state as well
        return _attract()
    generation = current_app.extensions["kiosk.screen"].generation
    return kept((current_locale(), generation), _attract)


def _attract() -> str:
    ctx = context()
    building = tenants.get_building(ctx.db, ctx.settings.building)
    if building is None:
        name = [Said(ctx.settings.station_name, "zh-Hans")]
    else:
        name = _pair(building.name_zh, building.name_en)
    notices = announcements.current(ctx.db, ctx.settings.building)
    return render_template(
        "terminal/attract.html",
        name=name,
        tasks=[
            {"icon": task.icon, "title": _in_both(task.title), "summary": _in_both(task.summary)}
            for task in TASKS.values()
            if task.tile
        ],
        notices=[_pair(item.text_zh, item.text_en) for item in notices],
        words={key: _in_both(message) for key, message in ATTRACT_WORDS.items()},
        figures=_programme_figures(ctx.db, ctx.settings),
    )


def _programme_figures(
    db: Session, settings: Settings
) -> dict[str, public_figures.Headline] | None:
    """This year's figures of the building and the city; none on an edge terminal, whose
    database holds only what its screens show."""
    if settings.edge:
        return None
    today = today_in(settings.zone)
    return {
        "here": public_figures.headline(db, settings.zone, today, frozenset({settings.building})),
        "city": public_figures.headline(db, settings.zone, today, None),
    }
