"""Lock-outs: who and what waits after too many wrong passwords or codes, and unlocking."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, settings
from kiosk.db import get_session
from kiosk.errors import NotFound
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Role
from kiosk.services import lockouts, unlocking

KIND = {
    "sign-in": _l("Staff sign-in"),
    "collect": _l("Licence collection"),
    "fix": _l("Fixing an application"),
    "session": _l("A browser or kiosk visit"),
}


@bp.get("/lock-outs")
@requires(Role.SUPERVISOR)
def list_lockouts() -> str:
    """Every account, code and session waiting now, with a button to unlock each."""
    waiting = unlocking.current(get_session())
    return render_template(
        "admin/list_lockouts.html",
        waiting=waiting,
        kinds=KIND,
        steps=lockouts.STEPS,
        limit=settings().login_max_failures,
        cap=settings().login_lockout_minutes,
        form=ActionForm(),
    )


@bp.post("/lock-outs/unlock")
@requires(Role.SUPERVISOR)
def unlock() -> Response:
    """End one wait now (audited); a wait already over, or out of reach, is a notice."""
    form = ActionForm()
    if not form.validate():
        flash(
            _("This page had expired, so nothing was saved. Check what you typed and try again."),
            "error",
        )
        return redirect(url_for("admin.list_lockouts"), 303)
    try:
        unlocking.unlock(get_session(), request.form.get("key", "")[:100], actor())
    except NotFound:
        flash(_("That wait is already over."), "warning")
    else:
        flash(_("Unlocked: the next try is judged as usual."), "success")
    return redirect(url_for("admin.list_lockouts"), 303)
