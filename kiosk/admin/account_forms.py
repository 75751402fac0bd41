"""The forms of staff accounts: a new account, its role and unit, a new password, and a
second-factor code."""

from __future__ import annotations

from typing import ClassVar

from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from kiosk.admin.forms import ActionForm
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Role
from kiosk.services.account_units import Choice

ROLES = [
    (Role.STAFF.value, _l("Officer")),
    (Role.SUPERVISOR.value, _l("Supervisor")),
    (Role.ADMIN.value, _l("Administrator")),
]


class NewAccountForm(ActionForm):
    """Who the new account is for; the password is issued, not chosen here."""

    username = StringField(
        _l("Username"),
        description=_l("Letters, digits, - and _; used to sign in."),
        validators=[InputRequired(_l("Enter a username.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "maxlength": 40},
    )
    display_name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter the person's name.")), Length(max=60)],
        render_kw={"autocomplete": "off", "maxlength": 60},
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(value, label) for value, label in ROLES],
        default=Role.STAFF.value,
    )
    unit = SelectField(
        _l("Unit"),
        description=_l("The account sees this unit and every unit under it."),
        validate_choice=False,  # the service says whether the unit is in reach, in words
    )


class ChangeAccountForm(ActionForm):
    """An account's role and unit; changing either ends the account's sessions."""

    role = SelectField(_l("Role"), choices=[SelectChoice(value, label) for value, label in ROLES])
    unit = SelectField(
        _l("Unit"),
        description=_l("The account sees this unit and every unit under it."),
        validate_choice=False,
    )


def unit_choices(choices: list[Choice], locale: str) -> list[SelectChoice]:
    """Units for a select, each indented under the one above it."""
    return [SelectChoice(c.unit.code, "— " * c.depth + c.unit.name(locale)) for c in choices]


class ChangePasswordForm(ActionForm):
    """A person's own new password, with the current one."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l(
            "At least 12 characters. Not your username, your name or the station's name, and "
            "not a common password: a few uncommon words work well."
        ),
        validators=[InputRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password again.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class CodeForm(ActionForm):
    """A code from an authenticator app (or, when signing in, a recovery code)."""

    service_fields: ClassVar[dict[str, str]] = {}
    code = StringField(
        _l("Verification code"),
        validators=[InputRequired(_l("Enter the code.")), Length(max=40)],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "inputmode": "text",
            "maxlength": 40,
        },
    )
