"""营业地址变更: a company of the building moves to another room, or moves out."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.services import licences, tenants
from kiosk.services.companies import moves
from kiosk.tasks import dates
from kiosk.tasks.applying import (
    OneOf,
    answers_step,
    application_task,
    company_row,
    tenant_company,
    text_check,
)
from kiosk.tasks.base import Answers, Approval, CheckRow, Label, Paperwork, Step, StepContext
from kiosk.tasks.company import applicant_row, company_steps
from kiosk.tasks.rooms import floor_step, room_address, room_label_of, room_step

IN_BUILDING = "in_building"
MOVING_OUT = "moving_out"
ADDRESS_MAX = 200
EFFECTIVE_DAYS = 90  # the calendar offers today and the 89 days after it


class DestinationForm(FlaskForm):
    """Where the company is going."""

    destination = RadioField(
        _l("Where is the company moving?"),
        choices=[
            SelectChoice(IN_BUILDING, _l("To another room in this building")),
            SelectChoice(MOVING_OUT, _l("Out of this building")),
        ],
        validators=[OneOf(_l("Choose where the company is moving."))],
        validate_choice=False,
    )


def _save_destination(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    if answers.get("destination") != form.destination.data:
        for key in ("floor", "room_id", "new_address"):
            answers.pop(key, None)
    answers["destination"] = form.destination.data


class NewAddressForm(FlaskForm):
    """The address the company moves to, outside this building."""

    new_address = TextAreaField(
        _l("New registered address"),
        description=_l("Province, city, district, street, number, building and room."),
        validators=[text_check(required=_l("Enter the new address."), max_chars=ADDRESS_MAX)],
        render_kw={"rows": 3, "maxlength": ADDRESS_MAX, "data-max-chars": ADDRESS_MAX},
    )


class EffectiveForm(FlaskForm):
    """From when the new address applies: a day tapped on the kiosk's calendar."""

    effective = StringField(_l("Date the new address takes effect"))


def _prepare_effective(form: FlaskForm, ctx: StepContext) -> None:
    form.calendar = dates.calendar(ctx.settings, EFFECTIVE_DAYS)


def _save_effective(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    day = dates.parse_day(form.effective.data)
    answers["effective"] = dates.check_day(
        day, ctx.settings, EFFECTIVE_DAYS, "effective"
    ).isoformat()


def _in_building(answers: Answers) -> bool:
    return answers.get("destination") == IN_BUILDING


def _new_address(ctx: StepContext, answers: Answers) -> str:
    if _in_building(answers):
        return room_label_of(ctx, answers)
    return str(answers.get("new_address", ""))


def _effective_text(answers: Answers) -> str:
    value = answers.get("effective")
    return format_date(date.fromisoformat(value), "long") if value else ""


def _check_rows(answers: Answers, ctx: StepContext) -> list[CheckRow]:
    destination = "room" if _in_building(answers) else "new-address"
    return [
        company_row(answers),
        applicant_row(answers),
        CheckRow(_l("Current address"), str(answers.get("floor_room", "")), "company"),
        CheckRow(_l("New address"), _new_address(ctx, answers), destination, multiline=True),
        CheckRow(_l("Takes effect on"), _effective_text(answers), "effective"),
    ]


def _receipt(answers: Answers, locale: str) -> list[tuple[Label, str]]:
    where = _l("Another room in this building") if _in_building(answers) else _l("Moving out")
    return [
        (_l("Company"), str(answers.get("company_name", ""))),
        (_l("New address"), str(where)),
        (_l("Takes effect on"), str(answers.get("effective", ""))),
    ]


def _approve(approval: Approval) -> None:
    """Move the tenant (a new licence with the new address), or mark it moved out."""
    db, application, answers = approval.db, approval.application, approval.answers
    tenant = application.tenant
    if tenant is None or not tenant.active:
        raise ValidationFailed(_l("The company is no longer in the building's list."))
    source, staff_id = application.reference, approval.actor.staff_id
    if not _in_building(answers):
        to_place = str(answers.get("new_address", ""))
        move = moves.move_out(
            db, tenant, to_place=to_place, source=source, staff_id=staff_id, now=approval.now
        )
        moves.audit_move(db, approval.actor, tenant, move)
        return
    if tenant.building is None:
        raise ValidationFailed(_l("The company is no longer in the building's list."))
    room = tenants.get_room(db, tenant.building.id, answers.get("room_id"))
    if room is None:
        raise ValidationFailed(_l("The new room is no longer on the building's list."))
    target = moves.room_target(db, room)
    # the room, its label and the history, from the application
    move = moves.place(db, tenant, target, source=source, staff_id=staff_id, now=approval.now)
    moves.audit_move(db, approval.actor, tenant, move)
    current = licences.current_for(db, tenant.id)
    if current is not None:
        licences.issue(
            db,
            approval.settings,
            tenant,
            licences.LicenceFacts(
                name=current.name,
                company_type=current.company_type,
                legal_representative=current.legal_representative,
                registered_capital=current.registered_capital,
                address=room_address(tenant.building, room),
                business_scope=current.business_scope,
            ),
            application=application,
            established=current.established,
            now=approval.now,
        )


TASK = application_task(
    slug="address",
    title=_l("Change the registered address"),
    summary=_l("Move your company to another room, or out of the building."),
    icon="img/task-address.svg",
    steps=(
        *company_steps(_l("Which company is moving?")),
        Step(
            "destination",
            _l("Where is the company moving?"),
            DestinationForm,
            ("destination",),
            save=_save_destination,
        ),
        floor_step(applies=_in_building),
        room_step(applies=_in_building),
        answers_step(
            "new-address",
            _l("What is the new address?"),
            NewAddressForm,
            "new_address",
            applies=lambda answers: answers.get("destination") == MOVING_OUT,
        ),
        Step(
            "effective",
            _l("From when does the new address apply?"),
            EffectiveForm,
            ("effective",),
            template=dates.TEMPLATE,
            prepare=_prepare_effective,
            save=_save_effective,
        ),
    ),
    check_rows=_check_rows,
    paperwork=Paperwork(
        reference_prefix="BG",
        company=tenant_company,
        receipt=_receipt,
        next_steps=_l(
            "Staff check the change, usually within 3 working days. When a company moves within "
            "the building, its licence with the new address can then be printed at the station's "
            "kiosk with the pickup code."
        ),
        approve=_approve,
        issues_licence=True,
    ),
    submit_label=_l("Submit the change"),
    check_lead=_l(
        "Staff at the service station will check the change with the registration authority "
        "and may call the company."
    ),
)
