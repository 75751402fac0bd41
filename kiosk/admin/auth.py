"""Signing staff in and out of the admin."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import current_staff, public
from kiosk.admin import account
from kiosk.admin.forms import SignInForm
from kiosk.admin.views import bp, safe_next, settings
from kiosk.db import get_session
from kiosk.services.lockouts import Source
from kiosk.services.staff import SignInFailed, authenticate
from kiosk.sessions import session_id


def render_sign_in(
    form: SignInForm | None = None, *, notice: Any = None, status: int = 200
) -> tuple[str, int]:
    """The sign-in page, with a problem to report if there is one."""
    form = form or SignInForm()
    return render_template("admin/sign_in.html", form=form, notice=notice), status


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> Response | tuple[str, int]:
    """Sign in with a username and password; go on to `next` if it is a page of this site."""
    if account.waiting_for_code():
        return account.second_step()
    form = SignInForm()
    if request.method == "GET":
        target = safe_next(request.args.get("next"))
        if current_staff() is not None:
            return redirect(target or url_for("admin.show_dashboard"))
        form.next.data = target or ""
        return render_sign_in(form)
    if not form.validate():
        return render_sign_in(form, status=400)
    try:
        staff = authenticate(
            get_session(),
            settings(),
            form.username.data or "",
            form.password.data or "",
            source=Source(session_id(), request.remote_addr or "", settings().id),
        )
    except SignInFailed as exc:
        return render_sign_in(form, notice=exc.message, status=exc.status)
    session.regenerate()  # type: ignore[attr-defined]  # a new id, so a planted one is useless
    target = safe_next(form.next.data) or url_for("admin.show_dashboard")
    asked = account.needs_second_factor(staff, target)
    if asked is not None:
        return asked
    account.begin_session(staff)
    return redirect(target, 303)


@bp.post("/sign-out")
@public  # signing out must work, and say so, even once the session has already expired
def sign_out() -> Response:
    """Forget the staff member's session (keeping only their language)."""
    locale = session.get("locale")
    session.wipe()  # type: ignore[attr-defined]
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "success")
    return redirect(url_for("admin.sign_in"), 303)
