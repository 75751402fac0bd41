"""Warm-up before `kiosk serve` accepts its first request.

Much of what a page needs is done once, on first use: templates compiled, each language's
catalogue read, the database's connections opened and its statements compiled, the pinyin
index loaded, modules imported by views. Left to the first tenant's taps, that made the first
taps after a start take a second. `warm_up` does it before the server listens: it compiles
every template, reads every catalogue, then opens the terminal's pages once through the app
itself and forgets the session those requests made. The pinyin index (read from the instance
folder, or built there on a kiosk's first start: seconds) and the building's own words load on
a thread of its own while that goes on; a server waits for them (up to KEYBOARD_WAIT) before it
listens, since loading jieba's dictionary holds every thread up for half a second. A lookup
before they are ready waits for them.

A server then sets aside what the warm-up left in memory (`settle`): the garbage collector's
full passes no longer walk the hundreds of thousands of objects that live as long as the
process (the pinyin index, compiled templates, the catalogues, SQLAlchemy's mappings). Those
passes, paid by whichever request happened to trigger one, were a good part of the slowest 1 %
of answers.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from flask import Flask
from flask_babel import force_locale, get_translations
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from kiosk.config import LOCALES
from kiosk.db import transaction
from kiosk.models import WebSession
from kiosk.sessions import COOKIE, _key

log = logging.getLogger(__name__)
# The terminal's pages a tenant reaches first.
PAGES = ("/welcome", "/", "/appeal/", "/policies", "/events")
# Seconds a server waits for the keyboard's words before listening: loading them takes about
# one; building the pinyin index on a kiosk's very first start takes longer and goes on after.
KEYBOARD_WAIT = 15.0


def compile_templates(app: Flask) -> int:
    """Compile every HTML template into the environment's cache; how many there are."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def read_catalogues(app: Flask) -> None:
    """Read each language's message catalogue once (Flask-Babel keeps them)."""
    with app.test_request_context("/"):
        for locale in LOCALES:
            with force_locale(locale):
                get_translations()


def settle(collect: bool = True) -> None:
    """Collect what is garbage now (unless `collect` is False), then move every object left to
    the collector's permanent generation, which its passes skip (they are never freed: call it
    only on what lives as long as the process). Freezing alone is quick; a collection walks the
    whole heap, tens of milliseconds once the pinyin index is loaded."""
    if collect:
        gc.collect()
    gc.freeze()


def load_keyboard(app: Flask, then_settle: bool = False) -> threading.Thread:
    """Start loading (or building, once) the pinyin index and the building's own words (its
    companies' names, cut with jieba) on a thread; the thread. With `then_settle`, they are set
    aside once loaded (see `settle`)."""
    from kiosk.terminal.keyboard import EXTENSION, _warm

    app.extensions[EXTENSION + ".warming"] = True  # the first request need not start it again
    after = settle if then_settle else None  # looked up now, not when the index has loaded

    def load() -> None:
        _warm(app)
        if after is not None:
            # Not a collection: it would hold every request up while it walks the heap, were
            # this thread to end after the server started taking taps.
            after(collect=False)

    thread = threading.Thread(target=load, name="keyboard-index", daemon=True)
    thread.start()
    return thread


def open_pages(app: Flask) -> None:
    """Open the terminal's first pages once, then delete the session they stored."""
    client = app.test_client()
    for path in PAGES:
        response = client.get(path)
        if response.status_code >= 500:
            log.warning("warm-up: %s answered %s", path, response.status_code)
    cookie = client.get_cookie(COOKIE)
    if cookie is not None:
        factory: sessionmaker[Session] = app.extensions["kiosk.sessionmaker"]
        with factory() as db, transaction(db):
            db.execute(delete(WebSession).where(WebSession.id == _key(cookie.value)))


def warm_up(app: Flask, server: bool = False) -> float:
    """Do the first-use work of every page now; the seconds it took. A server (`server`) also
    waits for the keyboard's words, up to KEYBOARD_WAIT seconds, and sets aside what stays in
    memory afterwards (see `settle`): loading jieba's dictionary holds every other thread up
    for half a second, which fell on a tenant's first taps when it was left to a thread."""
    started = time.perf_counter()
    keyboard = load_keyboard(app, then_settle=server)
    count = compile_templates(app)
    read_catalogues(app)
    open_pages(app)
    if server:
        keyboard.join(KEYBOARD_WAIT)
        settle()
    took = time.perf_counter() - started
    log.info("warmed up in %.2f s (%d templates)", took, count)
    return took
