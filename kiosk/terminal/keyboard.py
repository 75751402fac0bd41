"""The on-screen keyboard's pinyin candidates, as JSON (a GET: no form, no CSRF token)."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk import keyboard
from kiosk.access import public
from kiosk.db import get_session
from kiosk.terminal.common import bp
from kiosk.text import is_whole

log = logging.getLogger(__name__)
EXTENSION = "kiosk.keyboard"
LETTERS = re.compile(rf"^[a-z]{{1,{keyboard.MAX_LETTERS}}}$")
DEFAULT_PAGE_SIZE = 10
MAX_PAGE = 100


class Keyboard:
    """What the lookups share in one app: the index (loaded once) and the building's words."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lexicons = keyboard.LexiconCache(folder)

    def index(self) -> keyboard.Index:
        """The pinyin index (the first call loads or builds it)."""
        return keyboard.load(self.folder)


def _keyboard(app: Flask) -> Keyboard:
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions.setdefault(EXTENSION, Keyboard(Path(app.instance_path)))
    assert isinstance(found, Keyboard)
    return found


def _bad(message: str) -> tuple[Response, int]:
    return jsonify(error="bad_query", message=message), 400


def _number(name: str, default: int, highest: int) -> int | None:
    raw = request.args.get(name, str(default))
    if not is_whole(raw) or not 1 <= int(raw) <= highest:
        return None
    return int(raw)


@bp.get("/keyboard/candidates")
@public
def find_candidates() -> Response | tuple[Response, int]:
    """Candidates for the pinyin letters `q`: page `page` of `size`, with has_more."""
    letters = request.args.get("q", "")
    if not LETTERS.match(letters):
        return _bad(_("Pinyin is lowercase letters a to z, at most %(n)d.", n=keyboard.MAX_LETTERS))
    page = _number("page", 1, MAX_PAGE)
    size = _number("size", DEFAULT_PAGE_SIZE, keyboard.MAX_PAGE_SIZE)
    if page is None or size is None:
        return _bad(_("The page of candidates asked for does not exist."))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    board = _keyboard(app)
    code = app.config["KIOSK"].building
    lexicon = board.lexicons.get(code, lambda: keyboard.building_texts(get_session(), code))
    found = keyboard.candidates(board.index(), letters, page, size, lexicon)
    body = {
        "letters": found.letters,
        "spelling": found.spelling,
        "page": found.page,
        "has_more": found.has_more,
        "candidates": [{"text": c.text, "consumes": c.consumes} for c in found.candidates],
    }
    # UTF-8 rather than \uXXXX escapes: half the bytes on every key tap.
    text = app.json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response: Response = app.response_class(text, mimetype="application/json")
    return response


def _warm(app: Flask) -> None:
    try:
        board = _keyboard(app)
        board.index()
        code = app.config["KIOSK"].building
        factory: Any = app.extensions["kiosk.sessionmaker"]
        with factory() as db:
            board.lexicons.get(code, lambda: keyboard.building_texts(db, code))
    except Exception:  # a warm-up failing is no reason to stop: the first lookup tries again
        log.exception("could not prepare the keyboard's index")


@bp.before_app_request
def _warm_once() -> None:
    """On a running kiosk's first request, load the index in the background: building it the
    first time takes a couple of seconds, which must not fall on a tenant's first key tap."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.testing or app.extensions.get(EXTENSION + ".warming"):
        return
    app.extensions[EXTENSION + ".warming"] = True
    threading.Thread(target=_warm, args=(app,), name="keyboard-warm-up", daemon=True).start()
