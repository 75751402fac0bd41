"""The hand-off panel of an appeal's page: its hand-offs, and the forms the reader may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wtforms import SelectChoice

from kiosk import scope
from kiosk.admin.assignment_forms import (
    CallbackForm,
    DeptReplyForm,
    HandOffForm,
    ReturnForm,
    SendBackForm,
    UrgeForm,
)
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import me, settings, today
from kiosk.db import get_session
from kiosk.i18n import current_locale
from kiosk.labels import CALLBACK
from kiosk.models import (
    OWED,
    Appeal,
    AppealStatus,
    Assignment,
    AssignmentState,
    Staff,
)
from kiosk.models.handoff import LIVE
from kiosk.services import assignments

ROW_FORMS: dict[str, type[ActionForm]] = {
    "accept": ActionForm,
    "return": ReturnForm,
    "reply": DeptReplyForm,
    "publish": ActionForm,
    "send_back": SendBackForm,
    "urge": UrgeForm,
}
OPEN_APPEAL = (AppealStatus.NEW, AppealStatus.ACCEPTED, AppealStatus.REOPENED)
Posted = tuple[str, ActionForm] | None


@dataclass
class Row:
    """One hand-off and the forms the reader may use on it."""

    item: Assignment
    timing: assignments.Timing | None
    forms: dict[str, ActionForm] = field(default_factory=dict)


def _row_actions(row: Assignment, staff: Staff, building_side: bool) -> list[str]:
    """The steps this reader may take on this hand-off now."""
    found: list[str] = []
    if staff.unit_id == row.department_id:
        found += ["accept"] if row.state is AssignmentState.SENT else []
        found += ["reply", "return"] if row.state in OWED else []
    if building_side:
        units = scope.reach_of(get_session()).units
        if row.state is AssignmentState.REPLIED and (
            units is None or str(row.from_unit_id) in units
        ):
            found += ["publish", "send_back"]
        found += ["urge"] if row.state in OWED else []
    return found


def _form(name: str, posted: Posted, factory: type[ActionForm], prefix: str = "") -> ActionForm:
    return posted[1] if posted and posted[0] == name else factory(formdata=None, prefix=prefix)


def row_prefix(assignment_id: int) -> str:
    """The prefix of a hand-off row's form fields (several rows, and the appeal's own forms,
    share a page: ids must not repeat)."""
    return "h" + "".join(chr(ord("a") + int(digit)) for digit in str(assignment_id))


def hand_off_form(appeal: Appeal, posted: Posted = None) -> HandOffForm:
    """The 交办 form, the category's department offered first."""
    form = _form("hand_off", posted, HandOffForm)
    assert isinstance(form, HandOffForm)
    locale = current_locale()
    units = assignments.departments(get_session())
    choices = [SelectChoice(str(unit.id), unit.name(locale)) for unit in units]
    form.department.choices = choices
    form.co_handlers.choices = choices
    if not form.department.data and appeal.category.department_id is not None:
        form.department.data = str(appeal.category.department_id)
    return form


def panel(appeal: Appeal, posted: Posted = None) -> dict[str, Any]:
    """What the appeal page's hand-off panel shows to this reader."""
    staff = me()
    db = get_session()
    department = assignments.is_department(staff)
    reach = scope.reach_of(db)
    building_side = not department and (
        reach.buildings is None or appeal.building_code in reach.buildings
    )
    cutoffs = assignments.Cutoffs.on(assignments.Calendar.of(settings()), today())
    rows = []
    for item in assignments.for_appeal(db, appeal.id):
        timing = cutoffs.timing(item.due_on) if item.state in OWED else None
        row = Row(item, timing)
        for name in _row_actions(item, staff, building_side):
            row.forms[name] = _form(
                f"{name}:{item.id}", posted, ROW_FORMS[name], row_prefix(item.id)
            )
        rows.append(row)
    live = any(r.item.lead and r.item.state in LIVE for r in rows)
    offer = building_side and appeal.status in OPEN_APPEAL and not live
    callback = None
    if building_side and appeal.status in (AppealStatus.RESOLVED, AppealStatus.CLOSED):
        callback = _form("call_back", posted, CallbackForm, "callback")
        callback.result.choices = [(k.value, v) for k, v in CALLBACK.items()]
    return {
        "rows": rows,
        "department": department,
        "hand_off": hand_off_form(appeal, posted) if offer else None,
        "callback": callback,
    }
