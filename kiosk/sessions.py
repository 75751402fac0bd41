"""Server-side sessions in the kiosk's own database.

The browser holds a random 256-bit id; the row is keyed by its SHA-256, so a copy of the
database does not hand out live sessions. Each face sets how long a session may sit idle
(`session.idle_lifetime`): a minute or so on the public terminal, half an hour for staff.
An expired session is treated as absent, and `wipe()` deletes it at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import CallbackDict

from kiosk.db import open_request_session, transaction, utcnow
from kiosk.models import WebSession

log = logging.getLogger(__name__)
COOKIE = "kiosk_session"
CLEANUP_EVERY = 300.0  # seconds between sweeps of expired rows, per process
BUMP_GRACE = timedelta(seconds=10)  # extend the expiry at most this often while browsing


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _plain(data: ServerSession) -> dict[str, Any]:
    """Session data as plain JSON (a flashed lazy translation becomes its text)."""
    result: dict[str, Any] = json.loads(json.dumps(dict(data), default=str))
    return result


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """A session whose data lives in the database; the cookie only names it."""

    def __init__(self, data: dict[str, Any] | None = None, token: str | None = None) -> None:
        def on_update(this: ServerSession) -> None:
            this.modified = True

        super().__init__(data or {}, on_update)
        self.token = token
        self.modified = False
        self.stored = token is not None
        self.expires_at = utcnow()
        self.idle_lifetime = timedelta(minutes=30)
        self.old_token: str | None = None
        self.needs_cookie = False  # written early by write_now(); the cookie still has to go out
        self.read_only = False  # leave_untouched(): this response neither writes nor extends it

    def wipe(self) -> None:
        """Forget everything and take a new id, so nothing of the last person survives."""
        self.clear()
        self.regenerate()

    def leave_untouched(self) -> None:
        """Neither store nor extend the session for this response (a page that reads the
        language only, and must not keep anyone's session alive by being on the screen)."""
        self.read_only = True

    def regenerate(self) -> None:
        """Keep the data under a fresh id (on sign-in), deleting the old row."""
        if self.token is not None and self.old_token is None:
            self.old_token = self.token
        self.token = None
        self.modified = True


class DatabaseSessionInterface(SessionInterface):
    """Stores sessions in the `web_session` table through the app's session factory."""

    def __init__(self) -> None:
        self._last_cleanup = 0.0

    @staticmethod
    @contextmanager
    def _db(app: Flask) -> Iterator[Session]:
        """The request's database session if it has one open, else a new one.

        Saving through a second session while the request's still holds its connection would
        take two connections per request: a full pool's threads would then wait on each other.
        A request session with changes it never committed is left alone (they are dropped at
        the end of the request, as ever), and a session of its own is used instead.
        """
        db = open_request_session()
        if db is not None and not (db.new or db.dirty or db.deleted):
            yield db  # its writes are committed already; only a read transaction is open
            return
        factory: sessionmaker[Session] = app.extensions["kiosk.sessionmaker"]
        with factory() as db:
            yield db

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """Load the session named by the cookie, or start an empty one."""
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 100:
            return ServerSession()
        try:
            with self._db(app) as db:
                row = db.get(WebSession, _key(token))
        except OperationalError:
            log.warning("session store unavailable; serving with an empty session")
            return ServerSession()
        if row is None or row.expires_at <= utcnow():
            return ServerSession()
        session = ServerSession(dict(row.data), token)
        session.expires_at = row.expires_at
        return session

    def save_session(  # type: ignore[override]
        self, app: Flask, session: ServerSession, response: Response
    ) -> None:
        """Write the session back if it changed or its expiry needs extending."""
        cookie = self.get_cookie_name(app)
        options: dict[str, Any] = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "httponly": True,
            "secure": self.get_cookie_secure(app),
            "samesite": self.get_cookie_samesite(app),
        }
        response.vary.add("Cookie")
        if session.read_only:
            return
        expires = utcnow() + session.idle_lifetime
        empty = not session
        if empty and session.token is None and session.old_token is None:
            return  # nothing stored and nothing to forget: no write, no cookie
        unchanged = not session.modified and session.old_token is None
        if not empty and unchanged and expires - session.expires_at < BUMP_GRACE:
            if session.needs_cookie and session.token is not None:
                response.set_cookie(cookie, session.token, **options)
            return  # touched less than BUMP_GRACE ago: skip the write
        try:
            with self._db(app) as db, transaction(db):
                self._forget(db, session.old_token)
                if empty:
                    self._forget(db, session.token)
                else:
                    self._put(db, session, expires)
        except OperationalError:
            # The database is locked or down: the page still goes out. Views that must not
            # lose an answer write the session early (write_now) and show the failure.
            log.exception("could not save the session")
            return
        session.old_token = None
        if empty:
            response.delete_cookie(cookie, **options)
        else:
            response.set_cookie(cookie, str(session.token), **options)
        self._sweep(app)

    def write_now(self, app: Flask, session: ServerSession) -> None:
        """Store the session before the response is built, so a failure can still be shown.

        Raises OperationalError when the database is locked; the caller tells the person.
        """
        if not session.modified or not session:
            return
        expires = utcnow() + session.idle_lifetime
        with self._db(app) as db, transaction(db):
            self._forget(db, session.old_token)
            self._put(db, session, expires)
        session.old_token = None
        session.modified = False
        session.needs_cookie = True

    @staticmethod
    def _forget(db: Session, token: str | None) -> None:
        if token is not None:
            db.execute(delete(WebSession).where(WebSession.id == _key(token)))

    @staticmethod
    def _put(db: Session, session: ServerSession, expires: datetime) -> None:
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
        row = db.get(WebSession, _key(session.token))
        if row is None:
            db.add(WebSession(id=_key(session.token), data=_plain(session), expires_at=expires))
        else:
            row.data, row.expires_at = _plain(session), expires
        session.expires_at = expires

    def _sweep(self, app: Flask) -> None:
        if time.monotonic() - self._last_cleanup < CLEANUP_EVERY:
            return
        self._last_cleanup = time.monotonic()
        with self._db(app) as db, transaction(db):
            db.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))

    def get_cookie_name(self, app: Flask) -> str:
        """The cookie's name (not Flask's default, which would suggest a signed-cookie session)."""
        return COOKIE


def write_session_now() -> None:
    """Write the current request's session at once (see `DatabaseSessionInterface.write_now`)."""
    from flask import current_app, session

    interface = current_app.session_interface
    if isinstance(interface, DatabaseSessionInterface) and isinstance(session, ServerSession):
        interface.write_now(current_app._get_current_object(), session)  # type: ignore[attr-defined]


def leave_session_untouched() -> None:
    """Neither store nor extend the current request's session (see `ServerSession`)."""
    from flask import session

    if isinstance(session, ServerSession):
        session.leave_untouched()


def session_count(db: Session) -> int:
    """How many unexpired sessions are stored (for tests and health checks)."""
    query = select(func.count()).select_from(WebSession).where(WebSession.expires_at > utcnow())
    return db.scalar(query) or 0


def session_id() -> str:
    """The stored id (SHA-256 of the cookie's token) of this request's session, "" if none.

    Wrong passwords and codes are counted per session under this id, never the token itself.
    """
    from flask import session

    token = session.token if isinstance(session, ServerSession) else None
    return _key(token) if token else ""
