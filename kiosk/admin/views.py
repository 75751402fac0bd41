"""The staff face's blueprint: staff-length sessions, the layout's helpers, shared view helpers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from kiosk.access import current_staff, requires
from kiosk.config import Settings
from kiosk.db import get_session
from kiosk.labels import PRINT_KIND, PRINT_STATUS, PRINTER_NAME, PRINTER_STATE
from kiosk.models import PrinterState, PrintJob, Role, Staff
from kiosk.services import ledger, printing
from kiosk.services.audit import Actor
from kiosk.services.printing import state
from kiosk.text import is_whole

bp = Blueprint("admin", __name__, url_prefix="/admin")


def settings() -> Settings:
    """The kiosk's settings."""
    value: Settings = current_app.config["KIOSK"]
    return value


def me() -> Staff:
    """The signed-in staff member (views are behind @requires, so there is one)."""
    staff = current_staff()
    if staff is None:
        abort(403)
    return staff


def actor() -> Actor:
    """The signed-in staff member and their address, for the services' audit entries."""
    return Actor(me(), request.remote_addr or "")


def today() -> date:
    """Today in the kiosk's time zone."""
    return ledger.today_in(settings().zone)


def can_supervise(staff: Staff | None) -> bool:
    """Whether this person may assign to others and read the audit log."""
    return staff is not None and staff.role.rank >= Role.SUPERVISOR.rank


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (never an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return None
    return target


def cursor(name: str) -> int | None:
    """A keyset cursor from the query string (`before` or `after`), if it is a valid id."""
    value = request.args.get(name, "")
    return int(value) if is_whole(value) and len(value) < 19 else None


@bp.before_request
def _staff_sessions() -> None:
    """A staff session lasts `staff_idle_minutes` from the last request, not the terminal's 90 s."""
    lifetime = timedelta(minutes=settings().staff_idle_minutes)
    session.idle_lifetime = lifetime  # type: ignore[attr-defined]


@bp.context_processor
def _layout() -> dict[str, Any]:
    try:
        staff = current_staff()
    except OperationalError:
        staff = None  # the error page for a locked database must still render
    return {
        "staff": staff,
        "can_supervise": can_supervise(staff),
        "here": _here(),
        "printer_alerts": _printer_alerts() if staff is not None else [],
        "print_problems": _print_problems() if staff is not None else 0,
        "slip_problem": _slip_problem,
        "printer_state_labels": PRINTER_STATE,
        "print_status_labels": PRINT_STATUS,
        "print_kind_labels": PRINT_KIND,
        "printer_names": PRINTER_NAME,
    }


def _printer_alerts() -> list[PrinterState]:
    """Printers down or nearly out of paper, for the banner on every staff page."""
    try:
        return state.needs_attention(get_session())
    except OperationalError:
        return []


def _print_problems() -> int:
    """Slips that did not print (or are not known to have) that no one has looked at yet."""
    try:
        return printing.unseen_problems(get_session())
    except OperationalError:
        return 0


def _slip_problem(kind: str, subject: str) -> PrintJob | None:
    """The slip of an appeal or application, if it did not print (for its own page)."""
    return printing.slip_problem(get_session(), kind, subject)


def _here() -> str:
    """Where the language switch comes back to: this page, or the page a refused form is on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    reference = (request.view_args or {}).get("reference")
    if reference is not None:
        return url_for("admin.show_appeal", reference=reference)
    return (
        url_for("admin.sign_in") if request.endpoint == "admin.sign_in" else url_for("admin.index")
    )


@bp.get("/")
@requires(Role.STAFF)
def index() -> Response:
    """The admin's front door is the figures of the officer's unit."""
    return redirect(url_for("admin.show_dashboard"))
