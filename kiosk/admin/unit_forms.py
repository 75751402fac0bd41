"""The forms of the organisation's pages: a unit's add, rename and move, a building's rooms,
an appeal category."""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms import Field, SelectField, StringField
from wtforms.validators import StopValidation

from kiosk.admin.forms import ActionForm
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import UNIT_KIND
from kiosk.text import is_whole

ORDER_MAX = 9999


class WholeNumber:
    """An optional (or required) whole number from `low` to `high`, in the reader's words."""

    def __init__(self, low: int, high: int, *, required: Any = None) -> None:
        self.low, self.high, self.required = low, high, required

    def __call__(self, form: ActionForm, field: Field) -> None:
        raw = (field.data or "").strip()
        if not raw and self.required is None:
            field.data = ""
            return
        if not raw:
            raise StopValidation(str(self.required))
        digits = raw[1:] if raw.startswith("-") else raw
        if not is_whole(digits) or len(raw) > 6 or not self.low <= int(raw) <= self.high:
            raise StopValidation(
                str(
                    _l(
                        "Enter a whole number from %(low)s to %(high)s.",
                        low=self.low,
                        high=self.high,
                    )
                )
            )


def number(field: Field, default: int = 0) -> int:
    """A validated WholeNumber field's value (its default when left empty)."""
    raw = (field.data or "").strip()
    return int(raw) if raw else default


def _order() -> StringField:
    return StringField(
        _l("Order"),
        description=_l("Lower numbers come first among its siblings; 0 if it does not matter."),
        validators=[WholeNumber(0, ORDER_MAX)],
        render_kw={"inputmode": "numeric", "maxlength": 6},
    )


class UnitNamesForm(ActionForm):
    """A unit's names in both languages and its order among its siblings."""

    name_zh = StringField(_l("Chinese name"), render_kw={"maxlength": 100})
    name_en = StringField(_l("English name"), render_kw={"maxlength": 200})
    sort_order = _order()


class AddUnitForm(UnitNamesForm):
    """A new unit under this one; a building's address and district too."""

    service_fields: ClassVar[dict[str, str]] = {"parent": "kind"}
    kind = SelectField(_l("Kind of unit"), choices=[], validate_choice=False)
    code = StringField(
        _l("Code"),
        description=_l(
            "Lower-case letters, digits, - and _; fixed once the unit is added. A building's "
            "code is the one its kiosks are set up with."
        ),
        render_kw={"maxlength": 40, "autocapitalize": "none"},
    )
    address_zh = StringField(_l("Address in Chinese (buildings)"), render_kw={"maxlength": 200})
    address_en = StringField(_l("Address in English (buildings)"), render_kw={"maxlength": 300})
    district = StringField(
        _l("District (buildings)"),
        description=_l("As policies name it; left empty, the district the building stands in."),
        render_kw={"maxlength": 40},
    )

    def offer(self, kinds: list[str]) -> None:
        """Offer these kinds (those allowed under the parent)."""
        self.kind.choices = [(kind, str(UNIT_KIND_BY_VALUE[kind])) for kind in kinds]


UNIT_KIND_BY_VALUE = {kind.value: words for kind, words in UNIT_KIND.items()}


class MoveUnitForm(ActionForm):
    """Where the unit goes: a parent among the units in reach."""

    parent = SelectField(_l("Move under"), choices=[], validate_choice=False)


class RoomRangeForm(ActionForm):
    """Rooms to add on one floor: a range of numbers, e.g. 2301 to 2312."""

    service_fields: ClassVar[dict[str, str]] = {"numbers": "first"}
    floor = StringField(
        _l("Floor"),
        validators=[WholeNumber(-9, 200, required=_l("Enter the floor."))],
        render_kw={"inputmode": "numeric", "maxlength": 4},
    )
    first = StringField(
        _l("First room number"),
        description=_l("As on the door: 2301, or B2-05 for a single room."),
        render_kw={"maxlength": 20, "autocapitalize": "none"},
    )
    last = StringField(
        _l("Last room number (for a range)"),
        description=_l("Leave empty to add one room. 2312 after 2301 adds 2301 to 2312."),
        render_kw={"maxlength": 20, "autocapitalize": "none"},
    )


class RenumberForm(ActionForm):
    """A room's number as on the door."""

    number = StringField(_l("New number"), render_kw={"maxlength": 20, "autocapitalize": "none"})


class CategoryForm(UnitNamesForm):
    """An appeal category: its names, order and usual department (its code is fixed)."""

    code = StringField(
        _l("Code"),
        description=_l("Lower-case letters, digits, - and _; fixed once the category is added."),
        render_kw={"maxlength": 40, "autocapitalize": "none"},
    )
    name_zh = StringField(_l("Chinese name"), render_kw={"maxlength": 40})
    name_en = StringField(_l("English name"), render_kw={"maxlength": 80})
    department = SelectField(_l("Usually handed to"), choices=[], validate_choice=False)
