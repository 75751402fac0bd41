"""One's own account: the sign-in's second step, a new password, and enrolling a second factor.

Before anything else, a person signed in with an issued password is sent to change it, and an
administrator without a second factor (when `admin_second_factor` is on) is sent to enrol.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import current_staff, requires
from kiosk.admin.account_forms import ChangePasswordForm, CodeForm
from kiosk.admin.views import actor, bp, me, settings
from kiosk.db import get_session
from kiosk.errors import ValidationFailed
from kiosk.models import Role, Staff
from kiosk.qr import qr_svg
from kiosk.services import accounts, second_factor
from kiosk.services.lockouts import Source
from kiosk.services.staff import SignInFailed
from kiosk.sessions import session_id

PENDING = "pending_staff_id"  # signed in with a password, waiting for the second factor
FIRST_STEPS = {"admin.sign_in", "admin.sign_out", "admin.change_password"}
ENROLMENT = {*FIRST_STEPS, "admin.enrol_second_factor"}


def begin_session(staff: Staff) -> None:
    """Sign `staff` in on this (freshly regenerated) session."""
    session.pop(PENDING, None)
    session["staff_id"] = staff.id
    session["staff_v"] = staff.session_version


def needs_second_factor(staff: Staff, target: str) -> Response | None:
    """After a right password: ask for the code if the account has a second factor."""
    if staff.totp_secret is None:
        return None
    session[PENDING] = staff.id
    session["pending_next"] = target
    return redirect(url_for("admin.sign_in"), 303)


def waiting_for_code() -> bool:
    """Whether this session has a right password and waits for its second factor."""
    return isinstance(session.get(PENDING), int) and current_staff() is None


def second_step() -> Response | tuple[str, int]:
    """The sign-in page's second step: a code from the app, or a recovery code."""
    form = CodeForm()
    if request.method == "GET":
        return render_template("admin/sign_in_code.html", form=form), 200
    if not form.validate():
        return render_template("admin/sign_in_code.html", form=form), 400
    db = get_session()
    staff = db.get(Staff, session.get(PENDING))
    source = Source(session_id(), request.remote_addr or "", settings().id)
    try:
        if staff is None:
            raise SignInFailed(second_factor.WRONG_CODE)
        second_factor.check(db, settings(), staff, form.code.data or "", source)
    except SignInFailed as exc:
        html = render_template("admin/sign_in_code.html", form=form, notice=exc.message)
        return html, exc.status
    target = str(session.get("pending_next") or url_for("admin.list_appeals"))
    session.regenerate()  # type: ignore[attr-defined]
    session.pop("pending_next", None)
    begin_session(staff)
    return redirect(target, 303)


@bp.before_request
def _first_things_first() -> Response | None:
    """An issued password is changed, and an admin enrols, before anything else."""
    staff = current_staff()
    if staff is None:
        return None
    if staff.must_change_password and request.endpoint not in FIRST_STEPS:
        return redirect(url_for("admin.change_password"))
    if (
        staff.role is Role.ADMIN
        and staff.totp_secret is None
        and settings().admin_second_factor
        and request.endpoint not in ENROLMENT
    ):
        return redirect(url_for("admin.enrol_second_factor"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Role.STAFF)
def change_password() -> Response | tuple[str, int]:
    """Change one's own password (the current one is asked for first)."""
    form = ChangePasswordForm()
    if not form.is_submitted():
        return render_template("admin/change_password.html", form=form), 200
    if form.validate():
        try:
            accounts.change_password(
                get_session(),
                me(),
                form.current_password.data or "",
                form.new_password.data or "",
                settings(),
                Source(session_id(), request.remote_addr or "", settings().id),
            )
        except ValidationFailed as exc:
            form.show_errors(exc.fields)
        else:
            session["staff_v"] = me().session_version  # this session goes on; others end
            flash(
                _("Your password is changed. Other sessions of your account have ended."), "success"
            )
            return redirect(url_for("admin.index"), 303)
    return render_template("admin/change_password.html", form=form), 400


@bp.route("/account/second-factor", methods=["GET", "POST"])
@requires(Role.STAFF)
def enrol_second_factor() -> Response | tuple[str, int]:
    """Enrol an authenticator app: scan the QR, type a code back, keep the recovery codes."""
    form = CodeForm()
    staff = me()
    if staff.totp_secret is not None:  # replaced only after another admin's reset
        return render_template("admin/enrol_second_factor.html", form=form, enrolled=True), 200
    secret = session.get("enrol_secret")
    if not isinstance(secret, str) or request.method == "GET":
        secret = second_factor.new_secret()
        session["enrol_secret"] = secret
    if form.is_submitted() and form.validate():
        try:
            codes = second_factor.confirm(
                get_session(), staff, secret, form.code.data or "", actor()
            )
        except ValidationFailed as exc:
            form.show_errors(exc.fields)
        else:
            session.pop("enrol_secret", None)
            page = render_template("admin/recovery_codes.html", codes=codes)
            response = make_response(page)
            response.headers["Cache-Control"] = "no-store"
            return response
    uri = second_factor.enrolment_uri(secret, staff.username, settings().station_name)
    html = render_template(
        "admin/enrol_second_factor.html",
        form=form,
        secret=secret,
        qr=qr_svg(uri, _("QR code to add this account to an authenticator app")),
    )
    return html, 400 if form.errors else 200
