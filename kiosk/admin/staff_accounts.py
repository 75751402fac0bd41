"""Staff accounts in the admin: the list (by unit), a new account, and an account's page with its
actions (role and unit, deactivate, reactivate, a one-time password, a lost second factor
reset)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.account_forms import ROLES, ChangeAccountForm, NewAccountForm, unit_choices
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, me
from kiosk.db import get_session
from kiosk.errors import DomainError, ValidationFailed
from kiosk.i18n import current_locale
from kiosk.models import Role, Staff
from kiosk.services import accounts, second_factor
from kiosk.services.account_units import Choice, assignable_units

EXPIRED = "This page had expired, so nothing was saved. Check what you typed and try again."


@bp.get("/staff")
@requires(Role.ADMIN)
def list_staff() -> str:
    """Every account in reach: role, unit, last sign-in, 2FA, locked, active; by unit."""
    db = get_session()
    choices = assignable_units(db, open_only=False)
    wanted = request.args.get("unit", "")[:40]
    unit = next((c.unit for c in choices if c.unit.code == wanted), None)
    return render_template(
        "admin/list_staff.html",
        rows=accounts.accounts(db, unit),
        roles=dict(ROLES),
        units=unit_choices(choices, current_locale()),
        unit=unit,
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def create_account() -> Response | str | tuple[str, int]:
    """A new account; its one-time password is shown once, on the answer to this form."""
    form = NewAccountForm()
    form.unit.choices = unit_choices(assignable_units(get_session()), current_locale())
    if form.is_submitted():
        if not form.validate():
            return render_template("admin/new_staff.html", form=form), 400
        try:
            staff, password = accounts.create_account(
                get_session(),
                form.username.data or "",
                form.display_name.data or "",
                Role(form.role.data),
                form.unit.data or "",
                actor(),
            )
        except ValidationFailed as exc:
            form.show_errors(exc.fields)
            return render_template("admin/new_staff.html", form=form), 400
        return _issued(staff, password, created=True)
    mine = me().unit
    if mine is not None:
        form.unit.data = mine.code
    return render_template("admin/new_staff.html", form=form)


@bp.get("/staff/<int:staff_id>")
@requires(Role.ADMIN)
def show_staff(staff_id: int) -> str:
    """One account, with what an admin may do to it (its role and unit among them)."""
    row = accounts.account(get_session(), staff_id)
    return render_template(
        "admin/show_staff.html",
        row=row,
        roles=dict(ROLES),
        form=ActionForm(),
        change=_change_form(row.staff),
        mine=row.staff.id == me().id,
    )


def _change_form(staff: Staff, form: ChangeAccountForm | None = None) -> ChangeAccountForm:
    """The role-and-unit form of an account: its own unit offered even if closed since."""
    unit = staff.unit.code if staff.unit is not None else ""
    form = form or ChangeAccountForm(data={"role": staff.role.value, "unit": unit})
    choices = assignable_units(get_session())
    if staff.unit is not None and all(c.unit.id != staff.unit_id for c in choices):
        choices.insert(0, Choice(staff.unit, 0))
    form.unit.choices = unit_choices(choices, current_locale())
    return form


@bp.post("/staff/<int:staff_id>/change")
@requires(Role.ADMIN)
def change_staff(staff_id: int) -> Response | tuple[str, int]:
    """Give an account another role or unit: its sessions end; audited old → new."""
    row = accounts.account(get_session(), staff_id)
    form = _change_form(row.staff, ChangeAccountForm())
    problem = None if form.validate() else _(EXPIRED)
    if problem is None:
        try:
            accounts.change_account(
                get_session(), staff_id, Role(form.role.data), form.unit.data or "", actor()
            )
        except ValidationFailed as exc:
            problem = "; ".join(str(message) for message in exc.fields.values())
        except accounts.NotAllowed as exc:
            problem = str(exc.message)
    if problem is not None:
        flash(problem, "error")
    else:
        flash(_("Changed: the account is signed out everywhere and sees its new unit."), "success")
    return redirect(url_for("admin.show_staff", staff_id=staff_id), 303)


def _act(staff_id: int, change: Callable[[], object], done: str) -> Response:
    """Run one of an account's actions behind its CSRF token; say what happened."""
    if not ActionForm().validate():
        flash(_(EXPIRED), "error")
    else:
        try:
            change()
        except DomainError as exc:
            if exc.status == 404:
                raise
            flash(str(exc.message), "error")
        else:
            flash(done, "success")
    return redirect(url_for("admin.show_staff", staff_id=staff_id), 303)


@bp.post("/staff/<int:staff_id>/deactivate")
@requires(Role.ADMIN)
def deactivate_staff(staff_id: int) -> Response:
    """Switch an account off: its sessions end at once and it can no longer sign in."""
    return _act(
        staff_id,
        lambda: accounts.set_active(get_session(), staff_id, False, actor()),
        _("Deactivated: the account is signed out everywhere and cannot sign in."),
    )


@bp.post("/staff/<int:staff_id>/reactivate")
@requires(Role.ADMIN)
def reactivate_staff(staff_id: int) -> Response:
    """Take a deactivated account back into use."""
    return _act(
        staff_id,
        lambda: accounts.set_active(get_session(), staff_id, True, actor()),
        _("Reactivated: the account can sign in again."),
    )


@bp.post("/staff/<int:staff_id>/reset-second-factor")
@requires(Role.ADMIN)
def reset_second_factor(staff_id: int) -> Response:
    """Turn off a lost authenticator; the person enrols again at their next sign-in."""
    return _act(
        staff_id,
        lambda: second_factor.reset(get_session(), staff_id, actor()),
        _("The second factor is off; the account's sessions have ended."),
    )


@bp.post("/staff/<int:staff_id>/reset-password")
@requires(Role.ADMIN)
def reset_staff_password(staff_id: int) -> Response | tuple[str, int]:
    """Issue a one-time password, shown once; it must be changed at the next sign-in."""
    if not ActionForm().validate():
        flash(_(EXPIRED), "error")
        return redirect(url_for("admin.show_staff", staff_id=staff_id), 303)
    try:
        staff, password = accounts.reset_password(get_session(), staff_id, actor())
    except accounts.NotAllowed as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("admin.show_staff", staff_id=staff_id), 303)
    return _issued(staff, password, created=False)


def _issued(staff: Staff, password: str, *, created: bool) -> Response:
    """The one page that shows a one-time password; never cached, never shown again."""
    page = render_template(
        "admin/issued_password.html", account=staff, password=password, created=created
    )
    response = make_response(page, 201 if created else 200)
    response.headers["Cache-Control"] = "no-store"
    return response
