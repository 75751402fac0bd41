"""Wiring of the web faces: CSRF, template helpers, blueprints."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from flask_wtf import CSRFProtect

from kiosk import __version__
from kiosk.qr import qr_svg

csrf = CSRFProtect()


@lru_cache(maxsize=256)
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=1024)
def _static_url(folder: str, script_root: str, filename: str) -> str:
    # url_for with the same folder, mount point and file always gives the same URL: a page
    # names a dozen assets, and building each URL anew was a tenth of a page's time.
    return url_for("static", filename=filename, v=_digest(Path(folder) / filename))


def static_url(filename: str) -> str:
    """URL of a static file with its content hash, so a new release is never served stale."""
    root = request.script_root if has_request_context() else ""
    return _static_url(current_app.static_folder or "", root, filename)


def public_link(endpoint: str, **values: Any) -> str:
    """An absolute link for a phone (QR codes): the configured public URL, else the address
    this kiosk serves on; never the request's Host header, which whoever sends it chooses."""
    return str(current_app.config["KIOSK"].link_base + url_for(endpoint, **values))


def init_app(app: Flask) -> None:
    """Register CSRF protection, template helpers and the blueprints."""
    from kiosk.admin import bp as admin_bp
    from kiosk.api import bp as api_bp
    from kiosk.public import bp as public_bp
    from kiosk.services.fleet.screen import Screen
    from kiosk.terminal import bp as terminal_bp

    csrf.init_app(app)
    app.extensions["kiosk.screen"] = Screen()  # what this kiosk's touchscreen shows
    app.jinja_env.globals.update(static_url=static_url, qr_svg=qr_svg, kiosk_version=__version__)
    app.jinja_env.add_extension("jinja2.ext.do")
    for blueprint in (terminal_bp, public_bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)
