"""Appeal categories in the admin, reached from the organisation's page: the list, a new
category, a category's names, order and usual department, withdrawing and putting back.
Administrators see the list; the city's administrators change it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.staff_accounts import EXPIRED
from kiosk.admin.unit_forms import CategoryForm, number
from kiosk.admin.views import actor, bp
from kiosk.db import get_session
from kiosk.errors import NotFound, ValidationFailed
from kiosk.models import AppealCategory, Role, UnitKind
from kiosk.services import categories
from kiosk.services.units import unit_choices

Page = str | tuple[str, int]


def _offer(form: CategoryForm) -> CategoryForm:
    """Offer the open departments in reach, and none."""
    choices = unit_choices(get_session(), {UnitKind.DEPARTMENT}, locale=str(get_locale()))
    form.department.choices = [("", _("None")), *((str(k), label) for k, label in choices)]
    return form


def _draft(form: CategoryForm) -> categories.CategoryDraft:
    raw = (form.department.data or "").strip()
    department = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
    if raw and department is None:
        department = -1  # not a unit: the service says so on the field
    return categories.CategoryDraft(
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        sort_order=number(form.sort_order),
        department_id=department,
        code=form.code.data or "",
    )


def _list_page(form: CategoryForm | None = None, status: int = 200) -> Page:
    db = get_session()
    page = render_template(
        "admin/categories/list_categories.html",
        rows=categories.categories(db),
        departments=categories.departments(db),
        may_change=categories.may_change(db),
        form=form or _offer(CategoryForm(formdata=None)),
        action=ActionForm(formdata=None),
    )
    return (page, status) if status != 200 else page


@bp.get("/categories")
@requires(Role.ADMIN)
def list_categories() -> Page:
    """Every appeal category, with its usual department; the form for a new one."""
    return _list_page()


@bp.post("/categories")
@requires(Role.ADMIN)
def add_category() -> Response | Page:
    """A new appeal category (the city's administrators only)."""
    if not categories.may_change(get_session()):
        raise NotFound()
    form = _offer(CategoryForm())
    if not form.validate():
        return _list_page(form, 400)
    try:
        made = categories.create_category(get_session(), _draft(form), actor())
    except ValidationFailed as exc:
        form.show_errors(exc.fields)
        return _list_page(form, 400)
    flash(_("Added %(name)s.", name=made.name(str(get_locale()))), "success")
    return redirect(url_for("admin.list_categories"), 303)


def _edit_page(item: AppealCategory, form: CategoryForm, status: int = 200) -> Page:
    page = render_template(
        "admin/categories/edit_category.html",
        item=item,
        form=form,
        action=ActionForm(formdata=None),
    )
    return (page, status) if status != 200 else page


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def edit_category(category_id: int) -> Response | Page:
    """A category's names, order and usual department (its code stays)."""
    item = categories.category(get_session(), category_id)
    if not CategoryForm().is_submitted():
        form = CategoryForm(
            formdata=None, name_zh=item.name_zh, name_en=item.name_en,
            sort_order=str(item.sort_order), department=str(item.department_id or ""),
        )  # fmt: skip
        return _edit_page(item, _offer(form))
    form = _offer(CategoryForm())
    if not form.validate():
        return _edit_page(item, form, 400)
    try:
        categories.update_category(get_session(), category_id, _draft(form), actor())
    except ValidationFailed as exc:
        form.show_errors(exc.fields)
        return _edit_page(item, form, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("admin.list_categories"), 303)


def _switch(category_id: int, active: bool, done: str) -> Response:
    categories.category(get_session(), category_id)
    if not ActionForm().validate():
        flash(_(EXPIRED), "error")
    else:
        categories.set_active(get_session(), category_id, active, actor())
        flash(done, "success")
    return redirect(url_for("admin.list_categories"), 303)


@bp.post("/categories/<int:category_id>/deactivate")
@requires(Role.ADMIN)
def deactivate_category(category_id: int) -> Response:
    """Withdraw a category: the kiosk no longer offers it; old appeals keep its name."""
    return _switch(category_id, False, _("Withdrawn: the kiosk no longer offers it."))


@bp.post("/categories/<int:category_id>/reactivate")
@requires(Role.ADMIN)
def reactivate_category(category_id: int) -> Response:
    """Put a withdrawn category back on the kiosk's list."""
    return _switch(category_id, True, _("Back on the kiosk's list."))
