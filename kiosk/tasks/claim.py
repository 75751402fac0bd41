"""惠企政策申报: a claim for a policy's benefit, tracked to the money.

Started from an open policy's page at the kiosk (which chooses the policy), reviewed by staff,
who record the amount granted when they approve, and later the day it was paid; the sum paid
per quarter is the figure "惠企资金兑现" (kiosk.services.claims).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Policy, Window
from kiosk.services import claims
from kiosk.services.policies.catalogue import today_in
from kiosk.services.policies.search import find
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
    text_check,
)
from kiosk.tasks.base import Answers, Approval, CheckRow, Label, Paperwork, Step, StepContext
from kiosk.tasks.company import applicant_row, company_steps

STATEMENT_MAX = 1000
AMOUNT_MAX = Decimal("999999999999.99")


class PolicyForm(FlaskForm):
    """Which open policy the claim is under (the policy's page usually chooses it)."""

    policy_id = RadioField(
        _l("Policy"),
        choices=[],
        validators=[OneOf(_l("Choose the policy you are claiming under."))],
        validate_choice=False,
        coerce=str,
    )


def _prepare_policy(form: FlaskForm, ctx: StepContext) -> None:
    today = today_in(ctx.settings.zone)
    found = find(ctx.db, today=today, window=Window.OPEN, per_page=200)
    form.policy_id.choices = [SelectChoice(str(p.id), p.title) for p in found.policies]


def _save_policy(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    policy = open_policy(ctx, form.policy_id.data)
    if policy is None:
        raise ValidationFailed(fields={"policy_id": _l("This policy is not open for claims now.")})
    answers.update(policy_id=str(policy.id), policy_title=policy.title)


def open_policy(ctx: StepContext, policy_id: object) -> Policy | None:
    """The policy with this id if it takes claims today, else None."""
    try:
        policy = ctx.db.get(Policy, int(str(policy_id)))
    except ValueError:
        return None
    if policy is None or not policy.active:
        return None
    return policy if policy.window(today_in(ctx.settings.zone)) is Window.OPEN else None


class ContactForm(FlaskForm):
    """Who staff call about the claim."""

    contact_name = person_name_field(_l("Contact person"), _l("Enter the contact's name."))
    contact_mobile = mobile_field(_l("Contact's mobile number"))


class AmountForm(FlaskForm):
    """How much is claimed, and why the company qualifies."""

    amount = StringField(
        _l("Amount claimed (yuan)"),
        description=_l("A whole number of yuan, or with fen, e.g. 50000 or 12800.50."),
        render_kw={"inputmode": "decimal", "maxlength": 16, "data-keyboard": "decimal"},
    )
    statement = TextAreaField(
        _l("Why the company qualifies"),
        description=_l("What the company did that the policy supports. Up to 1,000 characters."),
        validators=[
            text_check(
                required=_l("Say briefly why the company qualifies."),
                max_chars=STATEMENT_MAX,
                multiline=True,
            )
        ],
        render_kw={"rows": 5, "data-max-chars": STATEMENT_MAX, "data-keyboard": "pinyin"},
    )


def parse_amount(raw: str) -> Decimal | None:
    """Yuan typed on the pad (commas and spaces allowed), to the fen; None if it is not one."""
    text = raw.replace(",", "").replace("，", "").replace(" ", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if (
        not value.is_finite()
        or value <= 0
        or value > AMOUNT_MAX
        or value != value.quantize(Decimal("0.01"))
    ):
        return None
    return value.quantize(Decimal("0.01"))


def _save_amount(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    value = parse_amount(form.amount.data or "")
    if value is None:
        raise ValidationFailed(
            fields={"amount": _l("Enter an amount in yuan, more than 0, e.g. 50000.")}
        )
    policy = open_policy(ctx, answers.get("policy_id"))
    if policy is not None and policy.max_amount is not None and value > policy.max_amount:
        raise ValidationFailed(
            fields={
                "amount": _l(
                    "This policy gives at most %(max)s yuan.", max=f"{policy.max_amount:,.2f}"
                )
            }
        )
    answers["amount"] = f"{value:.2f}"
    answers["statement"] = form.statement.data


def _money(value: object) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return ""


def _check_rows(answers: Answers, ctx: StepContext) -> list[CheckRow]:
    return [
        CheckRow(_l("Policy"), str(answers.get("policy_title", "")), "policy"),
        company_row(answers),
        applicant_row(answers),
        person_row(_l("Contact"), answers, "contact", "contact"),
        CheckRow(
            _l("Amount claimed"), gettext("%(n)s yuan", n=_money(answers.get("amount"))), "amount"
        ),
        CheckRow(
            _l("Why the company qualifies"),
            str(answers.get("statement", "")),
            "amount",
            multiline=True,
        ),
    ]


def _receipt(answers: Answers, locale: str) -> list[tuple[Label, str]]:
    return [
        (_l("Policy"), str(answers.get("policy_title", ""))),
        (_l("Company"), str(answers.get("company_name", ""))),
        (_l("Amount claimed"), gettext("%(n)s yuan", n=_money(answers.get("amount")))),
        (_l("Contact's mobile number"), masked_mobile(answers, "contact_mobile")),
    ]


def _approve(approval: Approval) -> None:
    """Record the claim's money: what was asked and what staff granted."""
    answers = approval.answers
    granted = approval.amount_granted
    requested = Decimal(str(answers.get("amount", "0")))
    if granted is None or granted < 0:
        raise ValidationFailed(fields={"amount_granted": _l("Enter the amount granted, in yuan.")})
    if granted > requested:
        raise ValidationFailed(
            fields={
                "amount_granted": _l("More than the %(n)s yuan claimed.", n=f"{requested:,.2f}")
            }
        )
    policy_id = int(str(answers.get("policy_id")))
    claims.grant(approval.db, approval.application, policy_id, requested, granted, approval.actor)


TASK = application_task(
    slug="claim",
    title=_l("Claim a policy benefit"),
    summary=_l("Apply for a subsidy, relief or reward under an open policy."),
    icon="img/task-claim.svg",
    steps=(
        Step(
            "policy",
            _l("Which policy are you claiming under?"),
            PolicyForm,
            ("policy_id",),
            prepare=_prepare_policy,
            save=_save_policy,
        ),
        *company_steps(_l("Which company is claiming?")),
        answers_step(
            "contact",
            _l("Who should staff contact about the claim?"),
            ContactForm,
            "contact_name",
            "contact_mobile",
        ),
        Step(
            "amount",
            _l("How much does the company claim, and why?"),
            AmountForm,
            ("amount", "statement"),
            save=_save_amount,
        ),
    ),
    check_rows=_check_rows,
    paperwork=Paperwork(
        reference_prefix="SB",
        company=tenant_company,
        receipt=_receipt,
        next_steps=_l(
            "Staff check the claim with the issuing department, usually within 10 working days, "
            "and write the decision on the status page. Keep the materials the policy lists ready."
        ),
        approve=_approve,
        grants_amount=True,
    ),
    submit_label=_l("Submit the claim"),
    check_lead=_l("Staff review the claim with the issuing department and call the contact."),
    tile=False,
)
