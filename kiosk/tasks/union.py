"""工会成立申请: found a trade union committee, or join the building's joint union."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField
from wtforms.validators import StopValidation

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.tasks.applying import (
    OneOf,
    answers_step,
    application_task,
    company_row,
    masked_mobile,
    mobile_field,
    person_name_field,
    person_row,
    tenant_company,
)
from kiosk.tasks.base import Answers, CheckRow, Label, Paperwork, Step, StepContext
from kiosk.tasks.company import applicant_row, company_steps

OWN_COMMITTEE_MIN = 25  # members needed to found the company's own union committee
EMPLOYEES_MAX = 100_000
OWN = "own_committee"
JOINT = "joint_union"


def _count_check(form: FlaskForm, field: Field) -> None:
    text = (field.data or "").strip()
    if not text:
        raise StopValidation(gettext("Enter a number."))
    if not text.isdigit() or int(text) > EMPLOYEES_MAX:
        raise StopValidation(gettext("Enter a whole number up to %(max)s.", max=EMPLOYEES_MAX))
    field.data = str(int(text))


class StaffForm(FlaskForm):
    """How many people work there, and how many would join."""

    employees = StringField(
        _l("Number of employees"),
        validators=[_count_check],
        render_kw={"inputmode": "numeric", "maxlength": 6, "data-keyboard": "numeric"},
    )
    members = StringField(
        _l("Employees who want to join the union"),
        description=_l("A company needs at least 25 members to found its own union committee."),
        validators=[_count_check],
        render_kw={"inputmode": "numeric", "maxlength": 6, "data-keyboard": "numeric"},
    )


def _save_staff(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    employees, members = int(form.employees.data), int(form.members.data)
    if employees < 1:
        raise ValidationFailed(fields={"employees": _l("A union needs at least one employee.")})
    if members < 1:
        raise ValidationFailed(fields={"members": _l("At least one employee must want to join.")})
    if members > employees:
        raise ValidationFailed(
            fields={"members": _l("There cannot be more members than employees.")}
        )
    route = OWN if members >= OWN_COMMITTEE_MIN else JOINT
    if answers.get("route") != route:
        for key in ("joint_confirmed", "chair_name", "chair_mobile"):
            answers.pop(key, None)
    answers.update(employees=employees, members=members, route=route)


class JointForm(FlaskForm):
    """Fewer than 25 members: the building's joint union is the way in."""

    joint_confirmed = RadioField(
        _l("Join the building's joint union?"),
        choices=[SelectChoice("yes", _l("Yes, apply to join the building's joint union"))],
        validators=[OneOf(_l("Confirm to apply to join the joint union, or go back."))],
        validate_choice=False,
    )


class ChairForm(FlaskForm):
    """Who would chair the union committee (the members elect them later)."""

    chair_name = person_name_field(
        _l("Name of the chair candidate"), _l("Enter the chair candidate's name.")
    )
    chair_mobile = mobile_field(_l("Mobile number of the chair candidate"))


class ContactForm(FlaskForm):
    """Who the union federation should call."""

    contact_name = person_name_field(_l("Contact person"), _l("Enter the contact's name."))
    contact_mobile = mobile_field(
        _l("Contact mobile number"), _l("The building's union federation calls this number.")
    )


def _own(answers: Answers) -> bool:
    return answers.get("route") == OWN


ROUTES: dict[str, Label] = {
    OWN: _l("Found the company's own union committee"),
    JOINT: _l("Join the building's joint union"),
}


def _check_rows(answers: Answers, ctx: StepContext) -> list[CheckRow]:
    rows = [
        company_row(answers),
        applicant_row(answers),
        CheckRow(
            _l("Employees and members"),
            gettext(
                "%(employees)s employees, %(members)s want to join",
                employees=answers.get("employees", ""),
                members=answers.get("members", ""),
            ),
            "staff",
        ),
        CheckRow(_l("Application"), str(ROUTES.get(answers.get("route", ""), "")), "staff"),
    ]
    if _own(answers):
        rows.append(person_row(_l("Chair candidate"), answers, "chair", "chair"))
    rows.append(person_row(_l("Contact"), answers, "contact", "contact"))
    return rows


def _receipt(answers: Answers, locale: str) -> list[tuple[Label, str]]:
    return [
        (_l("Company"), str(answers.get("company_name", ""))),
        (_l("Application"), str(ROUTES.get(answers.get("route", ""), ""))),
        (_l("Members"), str(answers.get("members", ""))),
        (_l("Contact mobile"), masked_mobile(answers, "contact_mobile")),
    ]


TASK = application_task(
    slug="union",
    title=_l("Apply to found a trade union"),
    summary=_l("Found your company's union committee, or join the building's joint union."),
    icon="img/task-union.svg",
    steps=(
        *company_steps(_l("Which company is applying?")),
        Step(
            "staff",
            _l("How many employees will join?"),
            StaffForm,
            ("employees", "members"),
            save=_save_staff,
        ),
        answers_step(
            "joint",
            _l("Fewer than 25 members: join the building's joint union"),
            JointForm,
            "joint_confirmed",
            hint=_l(
                "A company with fewer than 25 union members does not found its own committee. "
                "Its members join the building's joint union (楼宇联合工会), which represents "
                "them and elects a representative from the company. You can found your own "
                "committee later, once 25 employees are members."
            ),
            applies=lambda answers: answers.get("route") == JOINT,
        ),
        answers_step(
            "chair",
            _l("Who is the candidate to chair the union?"),
            ChairForm,
            "chair_name",
            "chair_mobile",
            applies=_own,
        ),
        answers_step(
            "contact",
            _l("Who should the union federation contact?"),
            ContactForm,
            "contact_name",
            "contact_mobile",
        ),
    ),
    check_rows=_check_rows,
    paperwork=Paperwork(
        reference_prefix="GH",
        company=tenant_company,
        receipt=_receipt,
        next_steps=_l(
            "The building's union federation reviews the application within 10 working days "
            "and calls the contact to arrange the founding meeting or the joint union's welcome."
        ),
    ),
    submit_label=_l("Submit application"),
    check_lead=_l("The building's union federation will read your application and call you."),
)
