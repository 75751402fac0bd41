"""What every application task (办事) shares: fields, checks, submitting, the done page.

A task module declares its steps and its Paperwork; `application_task` turns that into a Task
whose submit, confirmation page and slip are the same for every kind of application.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField, StringField, widgets
from wtforms.validators import StopValidation

from kiosk.edge.sealing import Sealer, is_sealed, vault_for
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Application
from kiosk.services import applications, slips, tenants
from kiosk.services.applications import Draft
from kiosk.tasks.base import (
    Answers,
    CheckRow,
    Company,
    Label,
    Paperwork,
    Step,
    StepContext,
    Submitted,
    Task,
)
from kiosk.text import clean_text, mask_mobile, mask_resident_id
from kiosk.validators import (
    is_valid_mobile,
    normalize_mobile,
    normalize_resident_id,
    resident_id_problem,
    uscc_problem,
)
from kiosk.web import public_link

NAME_MAX = 50


def vault() -> Sealer:
    """The instance's key for personal data (resident ID numbers), read once per process: a
    fleet's terminal holds only the fleet's public key (kiosk.edge.sealing)."""
    box: Sealer | None = current_app.extensions.get("kiosk.vault")
    if box is None:
        box = current_app.extensions["kiosk.vault"] = vault_for(current_app)
    return box


def open_answers(answers: Answers) -> Answers:
    """The answers with sealed values opened (for staff approving, never for a page)."""
    box = vault()
    return {key: box.open(value) if is_sealed(value) else value for key, value in answers.items()}


# ---- checks ---------------------------------------------------------------------------------


def text_check(
    *, required: Label, max_chars: int, multiline: bool = False
) -> Callable[[FlaskForm, Field], None]:
    """Cleaned text (no control or invisible characters), present, and not too long."""

    def validator(form: FlaskForm, field: Field) -> None:
        text = clean_text(field.data or "", multiline=multiline).text
        if not text:
            raise StopValidation(str(required))
        if len(text) > max_chars:
            raise StopValidation(
                gettext(
                    "Keep it under %(n)s characters (you have %(count)s).",
                    n=max_chars,
                    count=len(text),
                )
            )
        field.data = text

    return validator


def mobile_check(form: FlaskForm, field: Field) -> None:
    """A mainland mobile number (spaces, dashes and +86 are fine)."""
    if not is_valid_mobile(field.data or ""):
        raise StopValidation(
            gettext("Enter an 11-digit mobile number starting with 1, like 138 0000 0000.")
        )
    field.data = normalize_mobile(field.data)


RESIDENT_ID_PROBLEMS: dict[str, Label] = {
    "length": _l("A resident ID number has 18 characters."),
    "characters": _l("A resident ID number is 17 digits and then a digit or X."),
    "region": _l("The first digits are not a region code: check the number on the card."),
    "birth_date": _l("The date of birth in this number is not possible: check it."),
    "checksum": _l("This number is not right: one digit is probably mistyped. Check the card."),
}


def resident_id_check(form: FlaskForm, field: Field) -> None:
    """A mainland resident ID (or residence permit) number with a right check digit."""
    problem = resident_id_problem(field.data or "")
    if problem:
        raise StopValidation(str(RESIDENT_ID_PROBLEMS.get(problem, RESIDENT_ID_PROBLEMS["length"])))
    field.data = normalize_resident_id(field.data)


USCC_PROBLEMS: dict[str, Label] = {
    "length": _l("A unified social credit code has 18 characters."),
    "characters": _l(
        "A unified social credit code uses digits and capital letters, but never I, O, S, V or Z."
    ),
    "checksum": _l(
        "This code is not right: one character is probably mistyped. "
        "Check it against the business licence."
    ),
}


def uscc_message(value: str) -> str | None:
    """Why `value` is not a unified social credit code, in the tenant's language; or None."""
    problem = uscc_problem(value)
    return None if problem is None else str(USCC_PROBLEMS.get(problem, USCC_PROBLEMS["length"]))


class MultiCheckboxField(SelectMultipleField):
    """Several choices, each a checkbox."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class OneOf:
    """A radio answer must be one of the choices shown (WTForms' own message is too terse)."""

    def __init__(self, message: Label) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data not in {choice[0] for choice in field.iter_choices()}:
            raise StopValidation(str(self.message))


def person_name_field(label: Label, required: Label) -> StringField:
    """A person's name, as on their ID card."""
    return StringField(
        label,
        validators=[text_check(required=required, max_chars=NAME_MAX)],
        render_kw={"maxlength": NAME_MAX, "data-keyboard": "pinyin"},
    )


def mobile_field(label: Label, hint: Label | None = None) -> StringField:
    """A mobile number, typed on the number pad."""
    return StringField(
        label,
        description=hint,
        validators=[mobile_check],
        render_kw={"inputmode": "tel", "maxlength": 20, "data-keyboard": "numeric"},
    )


def save_fields(*names: str) -> Callable[[FlaskForm, Answers, StepContext], None]:
    """A step's save that stores the named fields' (already checked) data."""

    def save(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
        for name in names:
            answers[name] = getattr(form, name).data
        return None

    return save


def answers_step(
    slug: str, title: Label, form: type[FlaskForm], *names: str, **options: Any
) -> Step:
    """A step whose answers are its fields' checked data, stored as they are."""
    return Step(slug, title, form, names, save=save_fields(*names), **options)


def person_row(label: Label, answers: Answers, prefix: str, step: str) -> CheckRow:
    """A check-page line for a person: `<prefix>_name` over `<prefix>_mobile`."""
    name, mobile = answers.get(f"{prefix}_name", ""), answers.get(f"{prefix}_mobile", "")
    return CheckRow(label, f"{name}\n{mobile}", step, multiline=True)


def seal_resident_id(answers: Answers, key: str, value: str) -> None:
    """Keep a resident ID number only sealed, with its masked form for pages and paper."""
    answers[key] = vault().seal(value)
    answers[f"{key}_masked"] = mask_resident_id(value)


def masked_mobile(answers: Answers, key: str) -> str:
    """A mobile answer masked for paper."""
    return mask_mobile(str(answers.get(key, "")))


# ---- submit and done -------------------------------------------------------------------------

PRIVATE = ("_key", "_amend", "_fix")


def application_draft(slug: str, paperwork: Paperwork, answers: Answers, locale: str) -> Draft:
    """What the application service needs from a task's answers (private keys left out)."""
    company = paperwork.company(answers)
    kept = {key: value for key, value in answers.items() if key not in PRIVATE}
    slot = answers.get(paperwork.slot_answer) if paperwork.slot_answer else None
    return Draft(
        task=slug,
        reference_prefix=paperwork.reference_prefix,
        submission_key=str(answers.get("_key", "")),
        answers=kept,
        company_name=company.name,
        company_uscc=company.uscc,
        tenant_id=company.tenant_id,
        locale=locale,
        approved_on_submit=paperwork.approved_on_submit,
        slot_id=int(slot) if slot is not None else None,
    )


def _slip_builder(
    title: Label, paperwork: Paperwork, ctx: StepContext
) -> Callable[[Application], dict[str, Any]]:
    building = tenants.get_building(ctx.db, ctx.settings.building)

    def slip(application: Application) -> dict[str, Any]:
        name = ""
        if building is not None:
            name = building.name_en if application.locale == "en" else building.name_zh
        url = public_link("public.application_status", token=application.token)
        with force_locale(application.locale):
            lines = paperwork.receipt(application.answers, application.locale)
            text = [(str(label), value) for label, value in lines]
            return slips.application_slip(application, str(title), text, ctx.settings, name, url)

    return slip


def receipt_lines(task: Task, application: Application) -> list[tuple[Label, str]]:
    """The task's own lines for the slip and the status page."""
    assert task.paperwork is not None
    return task.paperwork.receipt(application.answers, application.locale)


def submit_application(
    slug: str, title: Label, paperwork: Paperwork
) -> Callable[[Answers, StepContext], Submitted]:
    """The Task.submit of an application task: new, or a fix of one sent back."""

    def submit(answers: Answers, ctx: StepContext) -> Submitted:
        draft = application_draft(slug, paperwork, answers, ctx.locale)
        slip = _slip_builder(title, paperwork, ctx)
        amend = answers.get("_amend")
        if isinstance(amend, int):
            application = applications.resubmit(ctx.db, ctx.settings, amend, draft, slip=slip)
        else:
            application = applications.submit(ctx.db, ctx.settings, draft, slip=slip)
        return Submitted(application.reference)

    return submit


def done_context(reference: str, ctx: StepContext) -> Mapping[str, Any]:
    """What the confirmation page shows: reference, pickup code, status QR, next steps."""
    from kiosk.tasks import TASKS

    application = applications.get_by_reference(ctx.db, reference)
    return {
        "application": application,
        "lines": receipt_lines(TASKS[application.task], application),
        "status_url": public_link("public.application_status", token=application.token),
    }


def application_task(
    *,
    slug: str,
    title: Label,
    summary: Label,
    icon: str,
    steps: tuple[Step, ...],
    check_rows: Callable[[Answers, StepContext], list[CheckRow]],
    paperwork: Paperwork,
    submit_label: Label,
    check_lead: Label,
    tile: bool = True,
) -> Task:
    """A Task whose submit, confirmation page and slip are the shared application ones."""
    return Task(
        slug=slug,
        title=title,
        summary=summary,
        icon=icon,
        steps=steps,
        check_rows=check_rows,
        submit=submit_application(slug, title, paperwork),
        done_template="terminal/application_done.html",
        done_context=done_context,
        submit_label=submit_label,
        check_lead=check_lead,
        paperwork=paperwork,
        tile=tile,
    )


# ---- the company (picked in kiosk.tasks.company) -------------------------------------------


def tenant_company(answers: Answers) -> Company:
    """The Paperwork.company of a task for a company already in the building."""
    tenant_id = answers.get("tenant_id")
    return Company(
        name=str(answers.get("company_name", "")),
        uscc=str(answers.get("uscc", "")),
        tenant_id=tenant_id if isinstance(tenant_id, int) else None,
    )


def company_row(answers: Answers) -> CheckRow:
    """The check page's company line: name and code."""
    return CheckRow(
        _l("Company"),
        f"{answers.get('company_name', '')}\n{answers.get('uscc', '')}",
        "company",
        multiline=True,
    )
