"""The organisation in the admin: the tree of units in reach, and a unit's page with its
forms (add a unit under it, rename, move, close, reopen). Administrators only."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.staff_accounts import EXPIRED
from kiosk.admin.unit_forms import AddUnitForm, MoveUnitForm, UnitNamesForm, number
from kiosk.admin.views import actor, bp, me
from kiosk.db import get_session
from kiosk.errors import DomainError, NotFound, ValidationFailed
from kiosk.labels import UNIT_KIND
from kiosk.models import Role, Unit, UnitKind
from kiosk.models.unit import CHILD_KINDS
from kiosk.services import rooms
from kiosk.services.units import subtree_ids, tree, unit_choices, units_in_reach
from kiosk.services.units.counts import subtree_counts

Page = str | tuple[str, int]


def _locale() -> str:
    return str(get_locale() or "zh_CN")


@bp.get("/units")
@requires(Role.ADMIN)
def list_units() -> str:
    """The tree of the units in reach, each with its staff, companies and kiosks."""
    db = get_session()
    units = units_in_reach(db)
    children: dict[int | None, list[Unit]] = {}
    ids = {unit.id for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    return render_template(
        "admin/units/list_units.html",
        children=children,
        counts=subtree_counts(db, units),
        kinds=UNIT_KIND,
    )


def _unit_page(unit_id: int, status: int = 200, **forms: ActionForm) -> Page:
    """A unit's page, with its forms (those given keep what was typed and their errors)."""
    db = get_session()
    unit = tree.managed_unit(db, unit_id, actor())
    add = forms.get("add") or AddUnitForm(formdata=None)
    add.offer(sorted(kind.value for kind in CHILD_KINDS[unit.kind]))
    move = forms.get("move") or MoveUnitForm(formdata=None, parent=str(unit.parent_id or ""))
    below = set(subtree_ids(db, unit))
    move.parent.choices = [
        (str(key), label) for key, label in unit_choices(db, locale=_locale()) if key not in below
    ]
    names = forms.get("names") or UnitNamesForm(
        formdata=None, name_zh=unit.name_zh, name_en=unit.name_en, sort_order=str(unit.sort_order)
    )
    building, floors = None, []
    if unit.kind is UnitKind.BUILDING:
        try:  # a building set up by its code alone has no building row, so no rooms yet
            _, building = rooms.building_for(db, unit.id, actor())
        except NotFound:
            building = None
        floors = rooms.floors(db, building) if building is not None else []
    seen = units_in_reach(db)
    page = render_template(
        "admin/units/show_unit.html",
        unit=unit,
        path=[u for u in seen if unit.path.startswith(u.path) and u.id != unit.id],
        children=[u for u in seen if u.parent_id == unit.id],
        counts=subtree_counts(db, seen),
        kinds=UNIT_KIND,
        add=add,
        move=move,
        names=names,
        action=ActionForm(formdata=None),
        building=building,
        floors=floors,
        mine=me().unit_id == unit.id,
    )
    return (page, status) if status != 200 else page


@bp.get("/units/<int:unit_id>")
@requires(Role.ADMIN)
def show_unit(unit_id: int) -> Page:
    """One unit: where it stands, what is in it, and what an administrator may change."""
    return _unit_page(unit_id)


@bp.post("/units/<int:unit_id>/add")
@requires(Role.ADMIN)
def add_unit(unit_id: int) -> Response | Page:
    """A new unit under this one."""
    tree.managed_unit(get_session(), unit_id, actor())
    form = AddUnitForm()
    if not form.validate():
        return _unit_page(unit_id, 400, add=form)
    draft = tree.UnitDraft(
        kind=form.kind.data or "",
        code=form.code.data or "",
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        sort_order=number(form.sort_order),
        address_zh=form.address_zh.data or "",
        address_en=form.address_en.data or "",
        district=form.district.data or "",
    )
    try:
        made = tree.add_unit(get_session(), unit_id, draft, actor())
    except ValidationFailed as exc:
        _refused(form, exc)
        return _unit_page(unit_id, 400, add=form)
    flash(_("Added %(name)s.", name=made.name(_locale())), "success")
    return redirect(url_for("admin.show_unit", unit_id=made.id), 303)


@bp.post("/units/<int:unit_id>/rename")
@requires(Role.ADMIN)
def rename_unit(unit_id: int) -> Response | Page:
    """New names in both languages, and the order among its siblings."""
    tree.managed_unit(get_session(), unit_id, actor())
    form = UnitNamesForm()
    if not form.validate():
        return _unit_page(unit_id, 400, names=form)
    try:
        tree.rename_unit(
            get_session(), unit_id, form.name_zh.data or "", form.name_en.data or "",
            number(form.sort_order), actor(),
        )  # fmt: skip
    except ValidationFailed as exc:
        _refused(form, exc)
        return _unit_page(unit_id, 400, names=form)
    flash(_("Saved."), "success")
    return redirect(url_for("admin.show_unit", unit_id=unit_id), 303)


@bp.post("/units/<int:unit_id>/move")
@requires(Role.ADMIN)
def move_unit(unit_id: int) -> Response | Page:
    """Put the unit, with everything under it, under another unit."""
    tree.managed_unit(get_session(), unit_id, actor())
    form = MoveUnitForm()
    raw = (form.parent.data or "").strip()
    if not form.validate() or not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        form.parent.errors = [_("Choose where the unit goes.")]
        return _unit_page(unit_id, 400, move=form)
    try:
        tree.move_unit(get_session(), unit_id, int(raw), actor())
    except ValidationFailed as exc:
        _refused(form, exc)
        return _unit_page(unit_id, 400, move=form)
    flash(_("Moved: everyone's reach follows at their next page."), "success")
    return redirect(url_for("admin.show_unit", unit_id=unit_id), 303)


def _refused(form: ActionForm, exc: ValidationFailed) -> None:
    """A service's refusal on the form's fields, or as a message on the page."""
    if not form.show_errors(exc.fields):
        flash(str(exc.message), "error")


def _act(unit_id: int, change: Callable[[], object], done: str) -> Response:
    """Close or reopen behind the page's CSRF token; say what happened or why not."""
    tree.managed_unit(get_session(), unit_id, actor())
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
    return redirect(url_for("admin.show_unit", unit_id=unit_id), 303)


@bp.post("/units/<int:unit_id>/close")
@requires(Role.ADMIN)
def close_unit(unit_id: int) -> Response:
    """Close a unit; refused, with the reasons, while anything is still in it."""
    return _act(
        unit_id,
        lambda: tree.close_unit(get_session(), unit_id, actor()),
        _("Closed: its records stay; nothing new is filed under it."),
    )


@bp.post("/units/<int:unit_id>/reopen")
@requires(Role.ADMIN)
def reopen_unit(unit_id: int) -> Response:
    """Take a closed unit back into use."""
    return _act(
        unit_id,
        lambda: tree.reopen_unit(get_session(), unit_id, actor()),
        _("Reopened."),
    )
