"""The company an application acts on, and who applies for it.

A credit code is public (it is printed on every licence and invoice), so typing one proves
nothing. A task for a company of the building picks it from the building's list (by name or
code, as an appeal does), shows its name for the person to confirm, and asks who is applying;
staff then see whether that person is one the company is known by.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.services import tenants
from kiosk.tasks.applying import answers_step, mobile_field, person_name_field, person_row
from kiosk.tasks.base import Answers, CheckRow, Label, Step, StepContext

PICKER = "terminal/steps/company.html"
CONFIRM = "terminal/steps/company_confirm.html"
CONFIRMED = "company_confirmed"
YES = "yes"
COMPANY_KEYS = ("tenant_id", "uscc", "company_name", "floor_room")
NOT_ON_LIST = _l("Choose your company from the list.")


class TenantForm(FlaskForm):
    """A company from the building's list (the picker's buttons post its id)."""

    tenant = StringField(_l("Company"))


def _save_tenant(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    tenant = tenants.get_tenant(ctx.db, ctx.settings.building, (form.tenant.data or "").strip())
    if tenant is None:
        raise ValidationFailed(fields={"tenant": NOT_ON_LIST})
    if answers.get("tenant_id") != tenant.id:
        answers.pop(CONFIRMED, None)  # another company: its name is to be confirmed again
    answers.update(
        tenant_id=tenant.id,
        uscc=tenant.uscc,
        company_name=tenant.name,
        floor_room=tenant.floor_room,
    )
    return None


class ConfirmForm(FlaskForm):
    """ "Yes, this is the company" (the button posts `yes`)."""

    company_confirmed = HiddenField(_l("Is this the company?"))


def _save_confirmed(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    if form.company_confirmed.data != YES:
        raise ValidationFailed(
            fields={"company_confirmed": _l("Tap “Yes, this is the company” to go on.")}
        )
    if tenants.get_tenant(ctx.db, ctx.settings.building, answers.get("tenant_id", "")) is None:
        for key in (*COMPANY_KEYS, CONFIRMED):
            answers.pop(key, None)
        raise ValidationFailed(fields={"company_confirmed": NOT_ON_LIST})
    answers[CONFIRMED] = True
    return None


class ApplicantForm(FlaskForm):
    """The person at the screen, applying for the company."""

    applicant_name = person_name_field(_l("Your name"), _l("Enter your name."))
    applicant_mobile = mobile_field(
        _l("Your mobile number"),
        _l("Staff may call you to check that you act for the company."),
    )


def _new(answers: Answers) -> bool:
    """Not a fix of an application sent back: its company was confirmed when it was made."""
    return "_amend" not in answers


def _asks_applicant(answers: Answers) -> bool:
    """Every new application names its applicant; a fix keeps what it was made with (those
    made before applicants were asked have none to change)."""
    return _new(answers) or "applicant_name" in answers


def company_steps(title: Label) -> tuple[Step, Step, Step]:
    """The first steps of a task for a company of the building: pick, confirm, who applies."""
    return (
        Step("company", title, TenantForm, ("tenant_id",), template=PICKER, save=_save_tenant),
        Step(
            "company-confirm",
            _l("Is this the company?"),
            ConfirmForm,
            (CONFIRMED,),
            template=CONFIRM,
            applies=_new,
            save=_save_confirmed,
        ),
        answers_step(
            "applicant",
            _l("Who is applying?"),
            ApplicantForm,
            "applicant_name",
            "applicant_mobile",
            hint=_l("Your name and mobile number go with the application."),
            applies=_asks_applicant,
        ),
    )


def applicant_row(answers: Answers) -> CheckRow:
    """The check page's line for the person applying."""
    return person_row(_l("Applicant"), answers, "applicant", "applicant")
