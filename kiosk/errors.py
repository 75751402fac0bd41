"""Domain errors raised by services, and the one place that turns them into responses."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from kiosk.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors services raise; `message` is shown to the person."""

    code = "error"
    status = 400

    def __init__(self, message: Any = None, **detail: Any) -> None:
        super().__init__(str(message) if message is not None else self.code)
        self.message = message if message is not None else self.default_message()
        self.detail = detail

    def default_message(self) -> Any:
        """The message when none is given."""
        return _l("Something went wrong. Please try again.")


class ValidationFailed(DomainError):
    """Input that cannot be accepted; `fields` maps field names to messages."""

    code = "validation_failed"
    status = 400

    def __init__(self, message: Any = None, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's to see)."""

    code = "not_found"
    status = 404

    def default_message(self) -> Any:
        """The message when none is given."""
        return _l("We could not find that.")


class Conflict(DomainError):
    """The action does not fit the current state (e.g. resolving a closed appeal)."""

    code = "conflict"
    status = 409


class BadInput(DomainError):
    """A request no form could have sent (a NUL, a nameless part): refused before any view,
    on an error page of its own (never a flash on the page it claims to come from)."""

    code = "bad_request"
    status = 400


class ServiceBusy(DomainError):
    """The database is locked or unreachable for now; nothing was saved, nothing was lost."""

    code = "busy"
    status = 503

    def default_message(self) -> Any:
        """The message when none is given."""
        return _l(
            "The system is busy. Nothing you entered has been lost: please wait a moment "
            "and try again."
        )


def _face() -> str:
    if request.path.startswith("/api/") or request.path == "/metrics":
        return "api"  # also where nothing routed (a 404): machines read JSON
    blueprint = request.blueprint or ""
    return blueprint if blueprint in ("terminal", "admin", "public", "api") else "public"


def render_error(error: DomainError) -> BaseResponse | tuple[Any, int]:
    """Show a domain error the way the current face shows errors."""
    face = _face()
    if face == "api" or request.accept_mimetypes.best == "application/json":
        body: dict[str, Any] = {"error": error.code, "message": str(error.message)}
        if isinstance(error, ValidationFailed) and error.fields:
            body["fields"] = {name: str(text) for name, text in error.fields.items()}
        return jsonify(body), error.status
    # Absent (or out of reach) is a 404 page, never a bounce back to a page that names it.
    bounce = not isinstance(error, BadInput | NotFound) and error.status < 500
    if face == "admin" and request.method == "POST" and bounce:
        flash(str(error.message), "error")
        return redirect(_same_site(request.referrer) or url_for("admin.index"), 303)
    template = f"{face}/error.html"
    return render_template(template, message=error.message, status=error.status), error.status


def _same_site(url: str | None) -> str | None:
    """`url` if it points into this site, else None (never bounce staff to another host)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return url


def _http_error(exc: HTTPException) -> Response | BaseResponse | tuple[Any, int]:
    messages = {
        400: _l("That request could not be understood."),
        403: _l("You do not have access to this page."),
        404: _l("We could not find that page."),
        405: _l("That action is not available here."),
        413: _l("What you sent is too large."),
        429: _l("Too many attempts. Please wait a moment and try again."),
    }
    status = exc.code or 500
    error = DomainError(messages.get(status, _l("Something went wrong. Please try again.")))
    error.status, error.code = status, (exc.name or "error").lower().replace(" ", "_")
    return render_error(error)


def _operational_error(exc: OperationalError) -> BaseResponse | tuple[Any, int]:
    log.warning("database unavailable: %s", exc.orig)
    return render_error(ServiceBusy())


def register_error_handlers(app: Flask) -> None:
    """Map domain errors, HTTP errors and a locked database to friendly responses."""
    app.register_error_handler(DomainError, render_error)
    app.register_error_handler(OperationalError, _operational_error)
    app.register_error_handler(HTTPException, _http_error)
    # CSRFError is an HTTPException; faces that can do better (the terminal keeps what was
    # typed) register their own handler, which Flask prefers for their blueprint.
    app.register_error_handler(CSRFError, _csrf_error)


def _csrf_error(exc: CSRFError) -> BaseResponse | tuple[Any, int]:
    error = DomainError(_l("This page had expired. Please try again."))
    error.status, error.code = 400, "csrf_failed"
    return render_error(error)
