"""Default-deny access control: every view declares who may see it, or nobody may.

`@public` marks a view anyone may open (the touchscreen, phone pages, health). `@requires(role)`
marks a staff view. A view with neither is refused before it runs, and an architecture test
walks the URL map to make sure none exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from kiosk.db import get_session
from kiosk.models import Role, Staff

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


def current_staff() -> Staff | None:
    """The signed-in, active staff member, if any (cached for the request)."""
    if "staff" not in g:
        staff_id = session.get("staff_id")
        staff = get_session().get(Staff, staff_id) if isinstance(staff_id, int) else None
        g.staff = staff if staff is not None and staff.active else None
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
    if not isinstance(access, Role):
        log.error("view %s declares no access rule; refused", endpoint)
        abort(403)
    staff = current_staff()
    if staff is None:
        return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))
    if staff.role.rank < access.rank:
        abort(403)
    return None
