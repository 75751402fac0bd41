"""Choosing a registered address in this building: the floor, then the room on it."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice

from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Building, Room
from kiosk.services import tenants
from kiosk.tasks.applying import OneOf
from kiosk.tasks.base import Answers, Step, StepContext


class FloorForm(FlaskForm):
    """The floor of the registered address."""

    floor = RadioField(
        _l("Floor"),
        choices=[],
        validators=[OneOf(_l("Choose a floor."))],
        validate_choice=False,
        render_kw={"data-grid": "1"},
    )


class RoomForm(FlaskForm):
    """The room on the chosen floor."""

    room_id = RadioField(
        _l("Room"),
        choices=[],
        validators=[OneOf(_l("Choose a room."))],
        validate_choice=False,
        render_kw={"data-grid": "1"},
    )


def _rooms(ctx: StepContext) -> list[Room]:
    return tenants.rooms(ctx.db, ctx.settings.building)


def _prepare_floor(form: FlaskForm, ctx: StepContext) -> None:
    floors = sorted({room.floor for room in _rooms(ctx)})
    form.floor.choices = [
        SelectChoice(str(floor), gettext("Floor %(n)s", n=floor)) for floor in floors
    ]
    if form.floor.data is not None:
        form.floor.data = str(form.floor.data)


def _prepare_room(form: FlaskForm, ctx: StepContext) -> None:
    floor = str(ctx.answers.get("floor", ""))
    form.room_id.choices = [
        SelectChoice(str(room.id), room.number) for room in _rooms(ctx) if str(room.floor) == floor
    ]
    if form.room_id.data is not None:
        form.room_id.data = str(form.room_id.data)


def _save_floor(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    if answers.get("floor") != form.floor.data:
        answers.pop("room_id", None)  # a room of another floor no longer applies
    answers["floor"] = form.floor.data


def _save_room(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    answers["room_id"] = int(form.room_id.data)


def floor_step(applies: Callable[[Answers], bool] = lambda answers: True) -> Step:
    """Which floor (a grid of the building's floors)."""
    return Step(
        "floor",
        _l("Which floor is the registered address on?"),
        FloorForm,
        ("floor",),
        applies=applies,
        prepare=_prepare_floor,
        save=_save_floor,
    )


def room_step(applies: Callable[[Answers], bool] = lambda answers: True) -> Step:
    """Which room on that floor."""
    return Step(
        "room",
        _l("Which room?"),
        RoomForm,
        ("room_id",),
        applies=applies,
        prepare=_prepare_room,
        save=_save_room,
    )


def room_label_of(ctx: StepContext, answers: Answers) -> str:
    """The chosen room as written on pages: 12F-1203 (empty if none).

    The room is found by its id alone, so staff see it right for an application made in
    another building of the fleet.
    """
    try:
        room = ctx.db.get(Room, int(str(answers.get("room_id"))))
    except (TypeError, ValueError):
        return ""
    return tenants.room_label(room) if room else ""


def room_address(building: Building, room: Room) -> str:
    """The full registered address of a room, as a licence prints it."""
    return tenants.address_in_building(building, room)
