"""A building's rooms in the admin, reached from the building unit's page: add a range on a
floor, renumber a room, take it off the list and put it back. Administrators only."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.staff_accounts import EXPIRED
from kiosk.admin.unit_forms import RenumberForm, RoomRangeForm, number
from kiosk.admin.views import actor, bp
from kiosk.db import get_session
from kiosk.errors import DomainError, ValidationFailed
from kiosk.models import Role, Room
from kiosk.services import rooms

Page = str | tuple[str, int]


def _rooms_page(
    unit_id: int,
    status: int = 200,
    form: RoomRangeForm | None = None,
    renumber: RenumberForm | None = None,
    renumber_id: int | None = None,
) -> Page:
    db = get_session()
    unit, building = rooms.building_for(db, unit_id, actor())
    page = render_template(
        "admin/rooms/list_rooms.html",
        unit=unit,
        building=building,
        floors=rooms.floors(db, building),
        form=form or RoomRangeForm(formdata=None),
        renumber=renumber or RenumberForm(formdata=None),
        renumber_id=renumber_id,
        action=ActionForm(formdata=None),
    )
    return (page, status) if status != 200 else page


@bp.get("/units/<int:unit_id>/rooms")
@requires(Role.ADMIN)
def list_rooms(unit_id: int) -> Page:
    """A building's floors and rooms, vacant or occupied and by whom, with their forms."""
    return _rooms_page(unit_id)


@bp.post("/units/<int:unit_id>/rooms")
@requires(Role.ADMIN)
def add_rooms(unit_id: int) -> Response | Page:
    """Add one room, or a range (2301 to 2312), on a floor."""
    rooms.building_for(get_session(), unit_id, actor())
    form = RoomRangeForm()
    if not form.validate():
        return _rooms_page(unit_id, 400, form=form)
    try:
        made = rooms.add_rooms(
            get_session(), unit_id, number(form.floor), form.first.data or "",
            form.last.data or "", actor(),
        )  # fmt: skip
    except ValidationFailed as exc:
        if not form.show_errors(exc.fields):
            flash(str(exc.message), "error")
        return _rooms_page(unit_id, 400, form=form)
    flash(_("Rooms added: %(n)s.", n=len(made)), "success")
    return redirect(url_for("admin.list_rooms", unit_id=unit_id), 303)


def _back(room: Room) -> Response:
    unit_id = rooms.unit_id_of(get_session(), room)
    return redirect(url_for("admin.list_rooms", unit_id=unit_id), 303)


@bp.post("/rooms/<int:room_id>/renumber")
@requires(Role.ADMIN)
def renumber_room(room_id: int) -> Response | Page:
    """A room's new number as on the door."""
    db = get_session()
    room = rooms.room_in_reach(db, room_id)
    unit_id = rooms.unit_id_of(db, room)
    form = RenumberForm()
    if not form.validate():
        flash(_(EXPIRED), "error")
        return _back(room)
    try:
        rooms.renumber_room(db, room_id, form.number.data or "", actor())
    except ValidationFailed as exc:
        form.show_errors(exc.fields)
        return _rooms_page(unit_id, 400, renumber=form, renumber_id=room_id)
    flash(_("Saved."), "success")
    return _back(room)


def _switch(room_id: int, active: bool, done: str) -> Response:
    db = get_session()
    room = rooms.room_in_reach(db, room_id)
    if not ActionForm().validate():
        flash(_(EXPIRED), "error")
        return _back(room)
    try:
        rooms.set_room_active(db, room_id, active, actor())
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(str(exc.message), "error")
    else:
        flash(done, "success")
    return _back(room)


@bp.post("/rooms/<int:room_id>/deactivate")
@requires(Role.ADMIN)
def deactivate_room(room_id: int) -> Response:
    """Take a room off the list: the kiosk no longer offers it."""
    return _switch(room_id, False, _("Taken off the list: the kiosk no longer offers it."))


@bp.post("/rooms/<int:room_id>/reactivate")
@requires(Role.ADMIN)
def reactivate_room(room_id: int) -> Response:
    """Put a room back on the list."""
    return _switch(room_id, True, _("Back on the list: the kiosk offers it again."))
