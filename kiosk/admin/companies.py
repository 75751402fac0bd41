"""The company list (联系企业清单) in the admin: the list of the officer's unit and the units
under it, "my companies", a company's profile with its history of rooms, adding, editing and
moving a company.

Who may write: adding, moving and the whole profile need a supervisor or an administrator (the
station decides who is on its list and where); an officer may change the contact and mobile of
the companies they look after, as they are the first to hear of a new contact in the field.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.company_forms import (
    CompanyFilterForm,
    MoveForm,
    MoveOutForm,
    NewCompanyForm,
    ProfileForm,
    offer_destinations,
)
from kiosk.admin.views import actor, bp, can_supervise, me, today
from kiosk.db import get_session, transaction, utcnow
from kiosk.errors import ValidationFailed
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Role, Tenant
from kiosk.services import companies, visits
from kiosk.services.companies import moves, officers, profile
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS
from kiosk.text import is_whole

EXPIRED = _l("This page had expired, so nothing was saved. Check what you typed and try again.")
STATUSES = {"active": _l("Listed"), "moved_out": _l("Moved out"), "all": _l("All")}
FILTER_ARGS = ("show", "q", "floor", "industry", "officer", "unit", "status", "no_officer")


def _number(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if is_whole(value) and len(value) < 10 else None


def _filters(form: CompanyFilterForm, mine: bool) -> companies.CompanyFilter:
    """What the form asks for; values not on offer are ignored."""
    db = get_session()
    form.industry.choices = [("", _l("Any industry"))] + [
        (code, f"{code} {words}") for code, words in INDUSTRIES.items()
    ]
    form.officer.choices = [("", _l("Any officer"))] + [
        (str(s.id), s.display_name) for s in companies.officers_on_list(db)
    ]
    units = companies.list_units(db)
    form.unit.choices = [("", _l("Every unit"))] + [
        (str(u.id), "\u3000" * max(u.depth - units[0].depth, 0) + u.name(current_locale()))
        for u in units
    ]
    form.status.choices = list(STATUSES.items())
    status = form.status.data if form.status.data in STATUSES else "active"
    form.status.data = status
    return companies.CompanyFilter(
        q=(form.q.data or "").strip()[:100],
        floor=(form.floor.data or "").strip()[:20],
        industry=form.industry.data if form.industry.data in INDUSTRIES else "",
        officer_id=me().id if mine else _number("officer"),
        no_officer=bool(form.no_officer.data) and not mine,
        status=status,  # type: ignore[arg-type]
        unit_id=_number("unit"),
    )


@bp.get("/companies")
@requires(Role.STAFF)
def list_companies() -> str:
    """The companies of the officer's unit and below; "my companies" first for an officer."""
    staff = me()
    if not companies.keeps_companies(staff.unit):
        return render_template("admin/companies/no_list.html")
    show = request.args.get("show") or ("mine" if staff.role is Role.STAFF else "all")
    show = show if show in ("mine", "all") else "all"
    form = CompanyFilterForm(request.args)
    wanted = _filters(form, show == "mine")
    number = request.args.get("page", "")
    page = companies.list_companies(
        get_session(), wanted, int(number) if is_whole(number) and len(number) < 7 else 1
    )
    filters = {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}
    filters["show"] = show
    return render_template(
        "admin/companies/list_companies.html",
        form=form, page=page, show=show, filters=filters, industries=INDUSTRIES,
        sizes=SIZE_BANDS, filtered=wanted != companies.CompanyFilter(officer_id=wanted.officer_id),
        can_add=can_supervise(staff), locale=current_locale(),
    )  # fmt: skip


def _company(tenant_id: int) -> Tenant:
    """The company, if it is in the officer's reach (NotFound, a 404, otherwise)."""
    return companies.get_company(get_session(), tenant_id)


@bp.get("/companies/<int:tenant_id>")
@requires(Role.STAFF)
def show_company(tenant_id: int) -> str:
    """A company's profile, its liaison officer, its history of rooms and its records."""
    tenant = _company(tenant_id)
    return render_template(
        "admin/companies/show_company.html",
        tenant=tenant, history=moves.history(get_session(), tenant.id),
        company_visits=visits.visits_of(get_session(), tenant.id),
        policies_told=visits.told_policies(get_session(), tenant.id),
        industries=INDUSTRIES, sizes=SIZE_BANDS, move_kinds=moves.MOVE_KIND,
        may_edit=bool(profile.editable_fields(me(), tenant)), may_move=can_supervise(me()),
        locale=current_locale(),
    )  # fmt: skip


def _profile_values(form: ProfileForm, names: tuple[str, ...]) -> dict[str, str]:
    return {name: getattr(form, name).data or "" for name in names if hasattr(form, name)}


@bp.route("/companies/new", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def add_company() -> Response | str | tuple[str, int]:
    """A company moving in: onto the list, into a room (or onto a list outside buildings)."""
    db = get_session()
    form = NewCompanyForm()
    form.offer(officers.officer_choices(db))
    offer_destinations(form.where, moves.destinations(db, current_locale()))
    if not form.is_submitted():
        return render_template("admin/companies/new_company.html", form=form)
    if not form.validate():
        flash(str(EXPIRED), "error")
        return render_template("admin/companies/new_company.html", form=form), 400
    try:
        tenant = profile.add_company(
            db, _profile_values(form, profile.FIELDS), where=form.where.data or "",
            place=form.place.data or "", came_from=form.came_from.data or "",
            officer=form.officer.data or "", actor=actor(), today=today(), now=utcnow(),
        )  # fmt: skip
    except ValidationFailed as exc:
        db.rollback()
        form.show_errors(exc.fields)
        return render_template("admin/companies/new_company.html", form=form), 400
    flash(_("%(name)s is on the list.", name=tenant.name), "success")
    return redirect(url_for("admin.show_company", tenant_id=tenant.id), 303)


def _edit_form(tenant: Tenant, names: tuple[str, ...]) -> ProfileForm:
    form = ProfileForm()
    form.offer(officers.officer_choices(get_session()))
    if not form.is_submitted():
        for name in names:
            value: Any = tenant.officer_id if name == "officer" else getattr(tenant, name)
            getattr(form, name).data = "" if value is None else str(value)
    return form


@bp.route("/companies/<int:tenant_id>/edit", methods=["GET", "POST"])
@requires(Role.STAFF)
def edit_company(tenant_id: int) -> Response | str | tuple[str, int]:
    """Change a company's profile (an officer: the contact of their own companies)."""
    tenant = _company(tenant_id)
    names = profile.editable_fields(me(), tenant)
    if not names:
        abort(403)
    names = tuple(n for n in names if n != "floor_room")
    form = _edit_form(tenant, names)
    page = "admin/companies/edit_company.html"
    if not form.is_submitted():
        return render_template(page, form=form, tenant=tenant, names=names)
    if not form.validate():
        flash(str(EXPIRED), "error")
        return render_template(page, form=form, tenant=tenant, names=names), 400
    db = get_session()
    try:
        changed = profile.edit_company(
            db, tenant, _profile_values(form, names), actor=actor(), today=today()
        )
    except ValidationFailed as exc:
        db.rollback()
        form.show_errors(exc.fields)
        return render_template(page, form=form, tenant=tenant, names=names), 400
    flash(_("Saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("admin.show_company", tenant_id=tenant.id), 303)


@bp.route("/companies/<int:tenant_id>/move", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def move_company(tenant_id: int) -> Response | str | tuple[str, int]:
    """Move a company to another room or building, back in, or onto a list outside buildings;
    or out (the second form)."""
    tenant = _company(tenant_id)
    db = get_session()
    form, out = MoveForm(), MoveOutForm(formdata=None)
    offer_destinations(form.where, moves.destinations(db, current_locale()))
    page = "admin/companies/move_company.html"
    if not form.is_submitted():
        return render_template(page, form=form, out=out, tenant=tenant)
    if not form.validate():
        flash(str(EXPIRED), "error")
        return render_template(page, form=form, out=out, tenant=tenant), 400
    try:
        with transaction(db):
            target = moves.target_of(db, form.where.data or "", form.place.data or "")
            move = moves.place(db, tenant, target, staff_id=me().id, now=utcnow())
            moves.audit_move(db, actor(), tenant, move)
    except ValidationFailed as exc:
        form.show_errors(exc.fields)
        return render_template(page, form=form, out=out, tenant=tenant), 400
    flash(_("Moved: %(place)s.", place=target.place), "success")
    return redirect(url_for("admin.show_company", tenant_id=tenant.id), 303)


@bp.post("/companies/<int:tenant_id>/move-out")
@requires(Role.SUPERVISOR)
def move_out_company(tenant_id: int) -> Response | tuple[str, int]:
    """Mark a company moved out: its room is free; it stays on the list as moved out."""
    tenant = _company(tenant_id)
    db = get_session()
    out, form = MoveOutForm(), MoveForm(formdata=None)
    offer_destinations(form.where, moves.destinations(db, current_locale()))
    page = "admin/companies/move_company.html"
    if not out.validate():
        flash(str(EXPIRED), "error")
        return render_template(page, form=form, out=out, tenant=tenant), 400
    try:
        with transaction(db):
            move = moves.move_out(db, tenant, to_place=out.to_place.data or "", now=utcnow())
            move.staff_id = me().id
            moves.audit_move(db, actor(), tenant, move)
    except ValidationFailed as exc:
        if not out.show_errors(exc.fields):
            flash(str(exc.message), "error")
        return render_template(page, form=form, out=out, tenant=tenant), 400
    flash(_("%(name)s is marked as moved out.", name=tenant.name), "success")
    return redirect(url_for("admin.show_company", tenant_id=tenant.id), 303)
