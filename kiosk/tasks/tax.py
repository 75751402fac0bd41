"""新办纳税人套餐 / 税务登记: tax registration for a newly registered company."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.tasks.applying import (
    MultiCheckboxField,
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

TAXPAYER_TYPES: dict[str, Label] = {
    "small_scale": _l("Small-scale VAT taxpayer (小规模纳税人)"),
    "general": _l("General VAT taxpayer (一般纳税人)"),
}
INVOICE_KINDS: dict[str, Label] = {
    "e_ordinary": _l("Fully digital e-invoices, ordinary (数电普票)"),
    "e_special": _l("Fully digital e-invoices, special VAT (数电专票)"),
    "paper_special": _l("Paper special VAT invoices (纸质专票)"),
}
MONTHLY_MAX = 10_000


class TaxpayerForm(FlaskForm):
    """Small-scale or general VAT taxpayer."""

    taxpayer_type = RadioField(
        _l("Type of VAT taxpayer"),
        description=_l(
            "Most new companies start as small-scale taxpayers. Choose general if yearly sales "
            "will pass 5 million yuan or customers need special VAT invoices to deduct input VAT."
        ),
        choices=[SelectChoice(key, label) for key, label in TAXPAYER_TYPES.items()],
        validators=[OneOf(_l("Choose the type of taxpayer."))],
        validate_choice=False,
    )


class AccountantForm(FlaskForm):
    """Who keeps the books (办税人)."""

    accountant_name = person_name_field(
        _l("Accountant or tax contact"), _l("Enter the accountant's name.")
    )
    accountant_mobile = mobile_field(
        _l("Accountant's mobile number"), _l("The tax bureau sends the e-tax account to it.")
    )


class InvoicesForm(FlaskForm):
    """Which invoices the company needs, and about how many a month."""

    invoice_kinds = MultiCheckboxField(
        _l("Invoices the company needs"),
        description=_l("Leave all unticked if the company will not issue invoices yet."),
        choices=[SelectChoice(key, label) for key, label in INVOICE_KINDS.items()],
        validate_choice=False,
    )
    monthly = StringField(
        _l("About how many invoices a month?"),
        render_kw={"inputmode": "numeric", "maxlength": 5, "data-keyboard": "numeric"},
    )


def _save_invoices(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    kinds = [key for key in INVOICE_KINDS if key in (form.invoice_kinds.data or [])]
    monthly = (form.monthly.data or "").strip()
    if kinds:
        if not monthly.isdigit() or not 1 <= int(monthly) <= MONTHLY_MAX:
            raise ValidationFailed(
                fields={"monthly": _l("Enter a number of invoices between 1 and 10,000.")}
            )
        monthly = str(int(monthly))
    else:
        monthly = ""
    answers["invoice_kinds"] = kinds
    answers["monthly"] = monthly


def _invoices_text(answers: Answers) -> str:
    kinds = [str(INVOICE_KINDS[key]) for key in answers.get("invoice_kinds", [])]
    if not kinds:
        return str(gettext("No invoices for now"))
    return "\n".join([*kinds, str(gettext("About %(n)s a month", n=answers.get("monthly", "")))])


def _check_rows(answers: Answers, ctx: StepContext) -> list[CheckRow]:
    return [
        company_row(answers),
        applicant_row(answers),
        CheckRow(
            _l("Type of VAT taxpayer"),
            str(TAXPAYER_TYPES.get(answers.get("taxpayer_type", ""), "")),
            "taxpayer",
        ),
        person_row(_l("Accountant"), answers, "accountant", "accountant"),
        CheckRow(_l("Invoices"), _invoices_text(answers), "invoices", multiline=True),
    ]


def _receipt(answers: Answers, locale: str) -> list[tuple[Label, str]]:
    return [
        (_l("Company"), str(answers.get("company_name", ""))),
        (_l("Type of VAT taxpayer"), str(TAXPAYER_TYPES.get(answers.get("taxpayer_type", ""), ""))),
        (_l("Accountant's mobile number"), masked_mobile(answers, "accountant_mobile")),
    ]


TASK = application_task(
    slug="tax",
    title=_l("Register for tax"),
    summary=_l("The new taxpayer package: tax registration, taxpayer type and invoices."),
    icon="img/task-tax.svg",
    steps=(
        *company_steps(_l("Which company is registering for tax?")),
        answers_step(
            "taxpayer",
            _l("What type of VAT taxpayer will the company be?"),
            TaxpayerForm,
            "taxpayer_type",
        ),
        answers_step(
            "accountant",
            _l("Who handles the company's tax?"),
            AccountantForm,
            "accountant_name",
            "accountant_mobile",
        ),
        Step(
            "invoices",
            _l("Which invoices will the company issue?"),
            InvoicesForm,
            ("invoice_kinds", "monthly"),
            save=_save_invoices,
        ),
    ),
    check_rows=_check_rows,
    paperwork=Paperwork(
        reference_prefix="SW",
        company=tenant_company,
        receipt=_receipt,
        next_steps=_l(
            "The tax desk registers the company, usually within 2 working days, and sends the "
            "e-tax account to the accountant's mobile. Then book a time to collect invoices here."
        ),
    ),
    submit_label=_l("Submit application"),
    check_lead=_l("The tax desk at the service station will register the company and call you."),
)
