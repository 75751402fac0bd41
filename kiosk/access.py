"""Default-deny access control: every view declares who may see it, or nobody may.

`@public` marks a view anyone may open (the touchscreen, phone pages, health). `@requires(role)`
marks a staff view. `@requires_token(scope)` marks a maintenance-API view, opened with a bearer
token (no session, no cookie, so no CSRF token either). A view with none of them is refused
before it runs, and an architecture test walks the URL map to make sure none exists.

Once the caller is known, the request's database session is limited to what they reach
(kiosk.scope): a building's officer or a kiosk's token never sees another's records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.wrappers import Response

from kiosk import scope as reach
from kiosk.db import get_session
from kiosk.models import ApiToken, Role, Scope, Staff
from kiosk.services import tokens
from kiosk.services.fleet.logs import ONCE_A_MINUTE

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
PUBLIC = "public"
ACCESS_ATTR = "kiosk_access"


def public(view: F) -> F:
    """Anyone may open this view."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def requires(role: Role) -> Callable[[F], F]:
    """Only signed-in staff with at least `role` may open this view."""

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTR, role)
        return view

    return decorate


def requires_token(scope: Scope) -> Callable[[F], F]:
    """Only a request with a live API token of at least `scope` may open this view."""

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTR, scope)
        return view

    return decorate


def current_token() -> ApiToken:
    """The API token of this request (views behind @requires_token have one)."""
    token: ApiToken = g.api_token
    return token


def _token_refused(status: int, error: str, message: str) -> Response:
    response = jsonify(error=error, message=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
    return response


def _check_token(scope: Scope) -> Response | None:
    header = request.headers.get("Authorization", "")
    presented = header[7:].strip() if header[:7].lower() == "bearer " else ""
    token = tokens.verify(get_session(), presented) if presented else None
    if token is None:
        # A warning, so it is kept with the kiosk's logs: often a kiosk whose token was revoked.
        # Kept once a minute for each address, with a count: a caller trying tokens by the
        # thousand must not fill the table.
        source = request.remote_addr or ""
        log.warning(
            "api request refused: no live token",
            extra={
                "endpoint": request.endpoint,
                "remote_addr": source,
                ONCE_A_MINUTE: f"api refused {source}",
            },
        )
        return _token_refused(401, "unauthorized", "A live bearer token is required.")
    log.info(
        "api token used",
        extra={
            "token": token.key,
            "token_name": token.name,
            "scope": token.scope.value,
            "endpoint": request.endpoint,
            "method": request.method,
            "remote_addr": request.remote_addr,
        },
    )
    if token.scope.rank < scope.rank:
        return _token_refused(403, "forbidden", f"This needs a token with scope {scope.value}.")
    g.api_token = token
    db = get_session()
    reach.enter(db, reach.for_token(db, token, current_app.config["KIOSK"]))
    return None


def current_staff() -> Staff | None:
    """The signed-in, active staff member, if any (cached for the request)."""
    if "staff" not in g:
        staff_id = session.get("staff_id")
        staff = get_session().get(Staff, staff_id) if isinstance(staff_id, int) else None
        # A deactivated account, or one whose sessions were ended (reset, deactivated and
        # back), is refused on its next request whatever its session still says.
        live = staff is not None and staff.active
        same = staff is not None and session.get("staff_v", 0) == staff.session_version
        g.staff = staff if live and same else None
    result: Staff | None = g.staff
    return result


def check_access() -> Response | None:
    """Before every request: refuse what the view has not declared open to this person."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # 404/405 are raised by routing; static files are public
    view = current_app.view_functions[endpoint]
    access = getattr(view, ACCESS_ATTR, None)
    if access == PUBLIC:
        return None
    if isinstance(access, Scope):
        return _check_token(access)
    if not isinstance(access, Role):
        log.error("view %s declares no access rule; refused", endpoint)
        abort(403)
    staff = current_staff()
    if staff is None:
        return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))
    if staff.role.rank < access.rank:
        abort(403)
    db = get_session()
    reach.enter(db, reach.for_staff(db, staff, current_app.config["KIOSK"]))
    return None
