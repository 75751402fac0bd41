"""Forms of the hand-off panel, the follow-up call and the hotline entry."""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kiosk.admin.forms import ActionForm
from kiosk.i18n import lazy_gettext as _l
from kiosk.services.appeals import DESCRIPTION_MAX, REPLY_MAX
from kiosk.services.assignments import DAYS_DEFAULT, DAYS_MAX, DAYS_MIN


def _text(label: Any, rows: int = 4, hint: Any = None, limit: int = REPLY_MAX) -> TextAreaField:
    return TextAreaField(label, description=hint, render_kw={"rows": rows, "data-max-chars": limit})


class HandOffForm(ActionForm):
    """交办: the department (the category's is offered), co-handlers and the time limit."""

    department = SelectField(_l("Hand to department"), validate_choice=False)
    co_handlers = SelectMultipleField(
        _l("Co-handling departments (optional)"),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    days = IntegerField(
        _l("Time limit (working days)"),
        default=DAYS_DEFAULT,
        validators=[Optional()],
        description=_l("Counted in working days on the official calendar."),
        render_kw={"min": DAYS_MIN, "max": DAYS_MAX, "inputmode": "numeric"},
    )


class DeptReplyForm(ActionForm):
    """The department's reply; the sending unit reviews it before the tenant sees it."""

    reply = _text(
        _l("The department's reply"),
        hint=_l("The unit that handed it off reviews this before the tenant sees it."),
    )
    asks_info = BooleanField(_l("This asks the company for more information"))


class ReturnForm(ActionForm):
    """Why the department returns the hand-off ("not ours")."""

    reason = _text(_l("Why is it not your department's?"), rows=3)


class SendBackForm(ActionForm):
    """What the reviewer wants changed in the department's reply."""

    service_fields: ClassVar[dict[str, str]] = {"note": "note"}
    note = _text(_l("What should the department change?"), rows=3)


class UrgeForm(ActionForm):
    """催办, with an optional note for the department."""

    note = _text(_l("Note to the department (optional)"), rows=2)


class CallbackForm(ActionForm):
    """The follow-up call (回访): reached or not, and whether the company is satisfied."""

    result = RadioField(_l("How did the call go?"), validate_choice=False)
    note = _text(_l("Notes from the call (optional)"), rows=2)


class HotlineForm(ActionForm):
    """A 12345 hotline work order entered as an appeal."""

    service_fields: ClassVar[dict[str, str]] = {}
    key = HiddenField()
    building = SelectField(_l("Building"), validate_choice=False)
    ticket = StringField(_l("Hotline work-order number (optional)"), render_kw={"maxlength": 40})
    company_name = StringField(
        _l("Company name"), validators=[InputRequired(_l("Enter the company's name."))]
    )
    company_uscc = StringField(_l("Unified social credit code (optional)"))
    category = SelectField(_l("Category"), validate_choice=False)
    description = _text(_l("The problem"), rows=5, limit=DESCRIPTION_MAX)
    contact_name = StringField(_l("Contact name"))
    contact_mobile = StringField(_l("Contact mobile"), render_kw={"inputmode": "numeric"})
