"""Lobby Kiosk (楼宇政务服务驿站): the Flask application."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from kiosk.templating import KioskEnvironment

__version__ = "0.1.0"


def _asset_dir(name: str) -> Path:
    """templates/ and static/ sit beside kiosk/ in a checkout and inside it when installed."""
    packaged = Path(__file__).parent / name
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / name


class _Kiosk(Flask):
    """Flask, with the templates' environment of `kiosk.templating`."""

    jinja_environment = KioskEnvironment


def create_app(
    config: Mapping[str, Any] | None = None, instance_path: str | os.PathLike[str] | None = None
) -> Flask:
    """Build the app: configuration, database, sessions, languages, security, the four faces."""
    from kiosk import access, caching, db, edge, errors, i18n, metrics, scope, security, web
    from kiosk.config import load_settings
    from kiosk.sessions import DatabaseSessionInterface

    path = instance_path or os.environ.get("KIOSK_INSTANCE_PATH") or None
    app = _Kiosk(
        __name__,
        instance_path=str(Path(path).resolve()) if path else None,
        template_folder=str(_asset_dir("templates")),
        static_folder=str(_asset_dir("static")),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = load_settings(Path(app.instance_path), config)
    app.config.update(
        KIOSK=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_SAMESITE="Lax",
        SEND_FILE_MAX_AGE_DEFAULT=3600,  # seconds; asset URLs carry a content hash
        WTF_CSRF_TIME_LIMIT=None,  # the token dies with the session, which has its own idle limit
    )
    db.init_app(app, settings)
    caching.init_app(app, app.extensions["kiosk.engine"], settings.page_seconds)
    edge.init_app(app)  # a fleet's terminal: its enrolled identity, its outbox; else nothing
    scope.init_app(app.extensions["kiosk.sessionmaker"])  # the reach each request is limited to
    metrics.init_app(app)  # before access control, so refused requests are counted too
    app.session_interface = DatabaseSessionInterface()
    i18n.init_app(app)
    security.init_app(app)
    app.before_request(access.check_access)
    errors.register_error_handlers(app)
    web.init_app(app)
    return app
