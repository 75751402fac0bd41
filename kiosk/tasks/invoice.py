"""发票领用预约: book a time at the tax desk to collect invoices."""

from __future__ import annotations

from typing import Any

from babel.dates import format_skeleton
from flask_babel import format_time, get_locale, gettext, to_user_timezone
from flask_wtf import FlaskForm
from wtforms import RadioField

from kiosk.db import utcnow
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import InvoiceSlot
from kiosk.services import applications
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
from kiosk.tasks.base import (
    Answers,
    CheckRow,
    Decision,
    Label,
    Paperwork,
    Step,
    StepContext,
)
from kiosk.tasks.company import applicant_row, company_steps


class SlotForm(FlaskForm):
    """One of the desk's times with a place left."""

    slot_id = RadioField(
        _l("Time"),
        choices=[],
        validators=[OneOf(_l("Choose a time with places left."))],
        validate_choice=False,
    )


def _prepare_slot(form: FlaskForm, ctx: StepContext) -> None:
    slots = applications.open_slots(ctx.db, ctx.settings.building)
    # Full slots stay choices, so picking one that just filled up says so (not "choose one").
    form.slot_id.choices = [(str(slot.id), slot_text(slot)) for slot in slots]
    # The template shows every slot by day, full ones greyed out.
    days: dict[str, list[InvoiceSlot]] = {}
    for slot in slots:
        days.setdefault(slot_day(slot), []).append(slot)
    form.slot_days = list(days.items())
    form.slot_times = {
        slot.id: f"{format_time(slot.starts_at, 'HH:mm')}–{format_time(slot.ends_at, 'HH:mm')}"
        for slot in slots
    }
    if form.slot_id.data is not None:
        form.slot_id.data = str(form.slot_id.data)


def _free(slot: InvoiceSlot) -> bool:
    return slot.booked < slot.capacity


def slot_day(slot: InvoiceSlot) -> str:
    """A slot's day as the tenant reads it: 11月26日星期四, Thursday, November 26."""
    return str(format_skeleton("MMMMdEEEE", to_user_timezone(slot.starts_at), locale=get_locale()))


def slot_text(slot: InvoiceSlot) -> str:
    """A slot as the tenant reads it: 11月26日星期四 09:00–10:00."""
    return "{} {}–{}".format(
        slot_day(slot),
        format_time(slot.starts_at, "HH:mm"),
        format_time(slot.ends_at, "HH:mm"),
    )


def _save_slot(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    slot = ctx.db.get(InvoiceSlot, int(form.slot_id.data))
    if slot is None or slot.starts_at <= utcnow() or not _free(slot):
        raise ValidationFailed(
            fields={"slot_id": _l("That time has just been fully booked. Please choose another.")}
        )
    answers["slot_id"] = slot.id
    answers["slot_text"] = slot_texts(slot)
    answers["desk"] = slot.desk


def slot_texts(slot: InvoiceSlot) -> dict[str, str]:
    """A slot in Chinese and in English, kept with the answers for the slip and staff."""
    from flask_babel import force_locale

    texts = {}
    for locale in ("zh_CN", "en"):
        with force_locale(locale):
            texts[locale] = slot_text(slot)
    return texts


def _slot_label(answers: Answers, locale: str) -> str:
    texts: Any = answers.get("slot_text") or {}
    return str(texts.get("en" if locale == "en" else "zh_CN", ""))


class ContactForm(FlaskForm):
    """Who comes to collect the invoices."""

    contact_name = person_name_field(_l("Who will come?"), _l("Enter the name of who will come."))
    contact_mobile = mobile_field(
        _l("Mobile number"), _l("The desk calls this number if the time has to change.")
    )


def _check_rows(answers: Answers, ctx: StepContext) -> list[CheckRow]:
    return [
        company_row(answers),
        applicant_row(answers),
        CheckRow(
            _l("Time"),
            "\n".join(filter(None, [_slot_label(answers, ctx.locale), answers.get("desk", "")])),
            "slot",
            multiline=True,
        ),
        person_row(_l("Who will come"), answers, "contact", "contact"),
    ]


def _receipt(answers: Answers, locale: str) -> list[tuple[Label, str]]:
    return [
        (_l("Company"), str(answers.get("company_name", ""))),
        (_l("Time"), _slot_label(answers, locale)),
        (_l("Desk"), str(answers.get("desk", ""))),
        (_l("Who will come"), str(answers.get("contact_name", ""))),
        (_l("Mobile number"), masked_mobile(answers, "contact_mobile")),
        (_l("Bring"), gettext("ID card and the tax UKey, if the company has one")),
    ]


TASK = application_task(
    slug="invoice",
    title=_l("Book a time to collect invoices"),
    summary=_l("Choose a time at the tax desk and take a slip with a QR code."),
    icon="img/task-invoice.svg",
    steps=(
        *company_steps(_l("Which company is collecting invoices?")),
        Step(
            "slot",
            _l("When will you come to the tax desk?"),
            SlotForm,
            ("slot_id",),
            template="terminal/steps/slot.html",
            prepare=_prepare_slot,
            save=_save_slot,
        ),
        answers_step(
            "contact", _l("Who will come?"), ContactForm, "contact_name", "contact_mobile"
        ),
    ),
    check_rows=_check_rows,
    paperwork=Paperwork(
        reference_prefix="FP",
        company=tenant_company,
        receipt=_receipt,
        next_steps=_l(
            "Your time is booked. Come to the tax desk at that time with the slip, your ID card "
            "and the tax UKey if the company has one. To change the time, call the hotline."
        ),
        approved_on_submit=True,
        slot_answer="slot_id",
        decisions=(Decision.CANCEL,),
    ),
    submit_label=_l("Book this time"),
    check_lead=_l("The place is yours once you tap Book: nobody else can take it."),
)
