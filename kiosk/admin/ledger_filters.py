"""The ledger's filters on its 台账 columns (source, unit, department, hand-off dates and
progress, follow-up call, closed on, rating) and the "overdue below us" list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField

from kiosk.admin.views import me, settings, today
from kiosk.db import get_session
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import CALLBACK, HANDOFF_STATE, RATING, SOURCE
from kiosk.models import UnitKind
from kiosk.services import assignments, ledger
from kiosk.services.ledger_columns import NONE, HandoffFilter

ARGS = (
    "source", "building", "department", "progress", "timing", "callback", "rating",
    "handed_from", "handed_to", "closed_from", "closed_to",
)  # fmt: skip
BELOW_MAX = 10  # rows of the "overdue below us" list; its count links to all of them
TIMING = {
    "due_soon": _l("Due soon"),
    "overdue": _l("Overdue"),
    "serious": _l("Seriously overdue"),
}


class ColumnsForm(FlaskForm):
    """The filters, sent by GET with the ledger's others."""

    class Meta:
        csrf = False

    source = SelectField(_l("Source"), validate_choice=False)
    building = SelectField(_l("Unit"), validate_choice=False)
    department = SelectField(_l("Department"), validate_choice=False)
    progress = SelectField(_l("Progress"), validate_choice=False)
    timing = SelectField(_l("Time limit"), validate_choice=False)
    callback = SelectField(_l("Follow-up call"), validate_choice=False)
    rating = SelectField(_l("Rating"), validate_choice=False)
    handed_from = DateField(_l("Handed off from"))
    handed_to = DateField(_l("Handed off to"))
    closed_from = DateField(_l("Closed from"))
    closed_to = DateField(_l("Closed to"))


def columns_form() -> ColumnsForm:
    """The form, with the choices the reader may pick from."""
    form = ColumnsForm(request.args)
    db, locale = get_session(), current_locale()
    empty: list[Any] = [(NONE, _l("None yet"))]
    form.source.choices = [("", _l("Any source"))] + [(k.value, v) for k, v in SOURCE.items()]
    form.building.choices = [("", _l("Any unit"))] + [
        (unit.code, unit.name(locale)) for unit in assignments.buildings(db)
    ]
    form.department.choices = [("", _l("Any department"))] + [
        (str(unit.id), unit.name(locale)) for unit in assignments.departments(db)
    ]
    form.progress.choices = [("", _l("Any progress")), (NONE, _l("Not handed off"))] + [
        (k.value, v) for k, v in HANDOFF_STATE.items()
    ]
    form.timing.choices = [("", _l("Any time limit")), *TIMING.items()]
    form.callback.choices = [("", _l("Any call")), *empty] + [
        (k.value, v) for k, v in CALLBACK.items()
    ]
    form.rating.choices = [("", _l("Any rating")), *empty] + [
        (k.value, v) for k, v in RATING.items()
    ]
    return form


def _offered(field: SelectField) -> str:
    value = field.data or ""
    return value if value in {str(choice[0]) for choice in field.choices or ()} else ""


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), settings().zone) if day else None


def wanted(form: ColumnsForm) -> HandoffFilter | None:
    """The filter the form asks for (None when it asks for nothing); values not on offer and
    dates that are not dates are ignored."""
    department = _offered(form.department)
    cutoffs = assignments.Cutoffs.on(assignments.Calendar.of(settings()), today())
    due_from, due_before = {
        "due_soon": (cutoffs.today, cutoffs.soon_until + timedelta(days=1)),
        "overdue": (None, cutoffs.today),
        "serious": (None, cutoffs.serious_before),
    }.get(_offered(form.timing), (None, None))
    closed_to = form.closed_to.data if not form.closed_to.errors else None
    found = HandoffFilter(
        source=_offered(form.source),
        building=_offered(form.building),
        department_id=int(department) if department else None,
        progress=_offered(form.progress),
        due_from=due_from,
        due_before=due_before,
        callback=_offered(form.callback),
        rating=_offered(form.rating),
        handed_from=form.handed_from.data if not form.handed_from.errors else None,
        handed_to=form.handed_to.data if not form.handed_to.errors else None,
        closed_since=_start(form.closed_from.data if not form.closed_from.errors else None),
        closed_until=_start(closed_to + timedelta(days=1) if closed_to else None),
    )
    return found if found != HandoffFilter() else None


def below_us() -> tuple[list[ledger.LedgerRow], int] | None:
    """Late appeals of the units under the reader's ("overdue below us"), for officers of a
    city, district, street or park; None for a building's or a department's."""
    unit = me().unit
    if unit is None or unit.kind in (UnitKind.BUILDING, UnitKind.DEPARTMENT):
        return None
    db = get_session()
    late = ledger.AppealFilter(handoff=HandoffFilter(late_on=today(), not_building=unit.code))
    page = ledger.list_appeals(db, late, limit=BELOW_MAX)
    return page.items, ledger.count_appeals(db, late)
