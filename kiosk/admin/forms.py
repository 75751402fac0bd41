"""The admin's forms: sign-in, the ledger's filter, and one form per action on an appeal."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from kiosk.i18n import lazy_gettext as _l
from kiosk.services.appeals import REASON_MAX, REPLY_MAX


class SignInForm(FlaskForm):
    """A staff member's username and password; `next` is where to go afterwards."""

    username = StringField(
        _l("Username"),
        validators=[InputRequired(_l("Enter your username."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ActionForm(FlaskForm):
    """A form that only carries the CSRF token (sign out, accept)."""

    #: Field names the services use in ValidationFailed.fields, mapped to this form's fields.
    service_fields: ClassVar[dict[str, str]] = {}

    def show_errors(self, problems: dict[str, Any]) -> bool:
        """Put a service's field errors on this form's fields; False if none of them fit."""
        shown = False
        for name, message in problems.items():
            field = getattr(self, self.service_fields.get(name, name), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [message]
                shown = True
        return shown


class FilterForm(FlaskForm):
    """The ledger's filters, sent by GET so a filtered list can be bookmarked and shared."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), render_kw={"type": "search", "maxlength": 100})
    status = SelectField(_l("Status"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)
    overdue = BooleanField(_l("Overdue only"))
    mine = BooleanField(_l("Assigned to me"))
    follow_up = BooleanField(_l("To follow up (dissatisfied or reopened)"))
    due_today = BooleanField(_l("Due today"))


class AssignForm(ActionForm):
    """Who should handle the appeal (a plain staff member can only choose themselves)."""

    assignee = SelectField(_l("Assign to"), coerce=int, validate_choice=True)


def _text(label: Any, limit: int, rows: int = 5, hint: Any = None) -> TextAreaField:
    return TextAreaField(label, description=hint, render_kw={"rows": rows, "data-max-chars": limit})


class ReplyForm(ActionForm):
    """A reply the tenant will see on their status page."""

    service_fields: ClassVar[dict[str, str]] = {"body": "reply"}
    reply = _text(
        _l("Your reply"),
        REPLY_MAX,
        hint=_l("The tenant sees this reply and is told by SMS, with the link to it."),
    )
    needs_info = BooleanField(_l("This asks the tenant for more information"))


class NoteForm(ActionForm):
    """An internal note for colleagues."""

    service_fields: ClassVar[dict[str, str]] = {"body": "note"}
    note = _text(
        _l("Internal note"),
        REPLY_MAX,
        rows=3,
        hint=_l("Only staff see notes; the tenant never does."),
    )


class ResolveForm(ActionForm):
    """The final answer that resolves the appeal."""

    service_fields: ClassVar[dict[str, str]] = {"body": "answer"}
    answer = _text(
        _l("Final answer"),
        REPLY_MAX,
        hint=_l("The tenant sees this answer and is asked to rate it."),
    )


class ReopenForm(ActionForm):
    """Why a resolved or closed appeal is taken up again."""

    reason = _text(
        _l("Why is it being reopened?"),
        REASON_MAX,
        rows=3,
        hint=_l("The appeal gets a new due date."),
    )
