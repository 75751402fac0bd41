"""新办企业登记: register a new company with its registered address in this building."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import StopValidation

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Application, ApplicationStatus, Tenant
from kiosk.services import licences, tenants
from kiosk.services.companies import moves
from kiosk.services.companies.profile import uscc_taken
from kiosk.tasks.applying import (
    MultiCheckboxField,
    OneOf,
    answers_step,
    application_task,
    mobile_field,
    person_name_field,
    resident_id_check,
    seal_resident_id,
    text_check,
)
from kiosk.tasks.base import (
    Answers,
    Approval,
    CheckRow,
    Company,
    Label,
    Paperwork,
    Step,
    StepContext,
)
from kiosk.tasks.rooms import floor_step, room_address, room_label_of, room_step
from kiosk.text import clean_text

COMPANY_TYPES: dict[str, Label] = {
    "llc_natural": _l("Limited liability company (owned by natural persons)"),
    "llc_sole": _l("Limited liability company (one natural person)"),
    "joint_stock": _l("Company limited by shares (unlisted)"),
    "sole_proprietorship": _l("Sole proprietorship"),
    "partnership": _l("General partnership"),
}
# What the licence prints as 类型 (always in Chinese: the licence is a Chinese document).
COMPANY_TYPES_ZH = {
    "llc_natural": "有限责任公司（自然人投资或控股）",
    "llc_sole": "有限责任公司（自然人独资）",
    "joint_stock": "股份有限公司（非上市）",
    "sole_proprietorship": "个人独资企业",
    "partnership": "普通合伙企业",
}
SINGLE_OWNER = frozenset({"llc_sole", "sole_proprietorship"})

SCOPES: dict[str, tuple[Label, str]] = {
    "software": (_l("Software development"), "软件开发"),
    "it_consulting": (_l("IT consulting services"), "信息技术咨询服务"),
    "tech_services": (
        _l("Technical services, development, consulting and transfer"),
        "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    ),
    "data": (_l("Data processing and storage support"), "数据处理和存储支持服务"),
    "management": (_l("Business management consulting"), "企业管理咨询"),
    "marketing": (_l("Marketing planning"), "市场营销策划"),
    "advertising": (_l("Advertising design and agency"), "广告设计、代理"),
    "events": (_l("Conference and exhibition services"), "会议及展览服务"),
    "hr": (
        _l("Human resources services (no job agency or labour dispatch)"),
        "人力资源服务（不含职业中介活动、劳务派遣服务）",
    ),
    "trade": (_l("Import and export of goods"), "货物进出口"),
    "retail": (_l("Sale of daily goods"), "日用百货销售"),
    "catering": (_l("Catering management"), "餐饮管理"),
}
SCOPE_EXTRA_MAX = 500
CAPITAL_MAX = 1_000_000  # 万元: 100 billion yuan
SHAREHOLDERS_SHOWN = 3
SHAREHOLDERS_MAX = 10


# ---- name ------------------------------------------------------------------------------------


class NameForm(FlaskForm):
    """The company's proposed name."""

    company_name = StringField(
        _l("Proposed company name"),
        description=_l(
            "Region, trade name, industry and form, e.g. 长沙星辰软件科技有限公司. "
            "We check it against the companies in the building and other applications."
        ),
        validators=[text_check(required=_l("Enter the proposed company name."), max_chars=50)],
        render_kw={"maxlength": 50},
    )


def _save_name(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    name = form.company_name.data
    if len(name) < 4:
        raise ValidationFailed(
            fields={"company_name": _l("A company name has at least 4 characters.")}
        )
    if tenants.name_taken(ctx.db, name):
        raise ValidationFailed(
            fields={
                "company_name": _l(
                    "A company with this name is already registered. Choose another trade name."
                )
            }
        )
    if _name_applied_for(ctx, name, answers.get("_amend")):
        raise ValidationFailed(
            fields={
                "company_name": _l(
                    "Another application for this name is being processed. "
                    "Choose another trade name."
                )
            }
        )
    answers["company_name"] = name


def _name_applied_for(ctx: StepContext, name: str, amending: Any) -> bool:
    key = tenants.name_key(name)
    rows = ctx.db.execute(
        select(Application.id, Application.company_name).where(
            Application.task == "register",
            Application.status.in_(
                [
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.CHANGES_REQUESTED,
                    ApplicationStatus.APPROVED,
                ]
            ),
        )
    )
    return any(tenants.name_key(other) == key and app_id != amending for app_id, other in rows)


# ---- type, capital, scope --------------------------------------------------------------------


class TypeForm(FlaskForm):
    """The legal form of the company."""

    company_type = RadioField(
        _l("Type of company"),
        choices=[SelectChoice(key, label) for key, label in COMPANY_TYPES.items()],
        validators=[OneOf(_l("Choose the type of company."))],
        validate_choice=False,
    )


def _capital_check(form: FlaskForm, field: Field) -> None:
    text = clean_text(field.data or "").text.replace(",", "").replace("，", "")
    if not text:
        raise StopValidation(gettext("Enter the registered capital."))
    if not text.isdigit() or not 1 <= int(text) <= CAPITAL_MAX:
        raise StopValidation(
            gettext("Enter a whole number of 10,000 yuan between 1 and %(max)s.", max=CAPITAL_MAX)
        )
    field.data = str(int(text))


class CapitalForm(FlaskForm):
    """The registered capital, in 10,000 yuan (万元) as the licence states it."""

    capital = StringField(
        _l("Registered capital (10,000 yuan)"),
        description=_l("Subscribed capital must be paid within five years (Company Law 2024)."),
        validators=[_capital_check],
        render_kw={"inputmode": "numeric", "maxlength": 7, "data-keyboard": "numeric"},
    )


class ScopeForm(FlaskForm):
    """What the company will do."""

    scopes = MultiCheckboxField(
        _l("Business scope"),
        description=_l("Choose everything the company will do."),
        choices=[SelectChoice(key, label) for key, (label, _zh) in SCOPES.items()],
        validate_choice=False,
    )
    scope_extra = TextAreaField(
        _l("Anything else the company will do (optional)"),
        description=_l("In the words of the national classification, separated by 、"),
        render_kw={"rows": 3, "data-max-chars": SCOPE_EXTRA_MAX, "maxlength": SCOPE_EXTRA_MAX},
    )


def _save_scope(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    chosen = [key for key in SCOPES if key in (form.scopes.data or [])]
    extra = clean_text(form.scope_extra.data or "", multiline=False).text
    if len(extra) > SCOPE_EXTRA_MAX:
        raise ValidationFailed(
            fields={
                "scope_extra": _l("Keep it under %(n)s characters.", n=SCOPE_EXTRA_MAX),
            }
        )
    if not chosen and not extra:
        raise ValidationFailed(fields={"scopes": _l("Choose at least one business activity.")})
    answers["scopes"] = chosen
    answers["scope_extra"] = extra


def scope_text(answers: Answers) -> str:
    """The business scope as the licence prints it (Chinese, 、-separated, ending in 。)."""
    parts = [SCOPES[key][1] for key in answers.get("scopes", []) if key in SCOPES]
    if answers.get("scope_extra"):
        parts.append(str(answers["scope_extra"]).rstrip("。；;"))
    return "；".join(parts) + "。" if parts else ""


# ---- legal representative --------------------------------------------------------------------


class RepresentativeForm(FlaskForm):
    """The legal representative (法定代表人)."""

    rep_name = person_name_field(
        _l("Name of the legal representative"), _l("Enter the legal representative's name.")
    )
    rep_id = StringField(
        _l("Resident ID number"),
        description=_l("18 characters, on the ID card. It is stored encrypted."),
        validators=[resident_id_check],
        render_kw={"maxlength": 22, "data-keyboard": "uscc", "autocomplete": "off"},
    )
    rep_mobile = mobile_field(_l("Mobile number of the legal representative"))


def _prefill_representative(form: FlaskForm, ctx: StepContext) -> None:
    """Never put a stored ID number back on the screen: the field starts empty when changing."""
    if form.rep_id.data and str(form.rep_id.data).startswith("v1:"):
        form.rep_id.data = ""


def _save_representative(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    answers["rep_name"] = form.rep_name.data
    answers["rep_mobile"] = form.rep_mobile.data
    seal_resident_id(answers, "rep_id", form.rep_id.data)


# ---- shareholders ----------------------------------------------------------------------------


class ShareholderForm(Form):
    """One shareholder: a person or a company, and their share."""

    name = StringField(_l("Shareholder name"), render_kw={"maxlength": 100})
    share = StringField(
        _l("Share (%)"),
        render_kw={"inputmode": "decimal", "maxlength": 6, "data-keyboard": "decimal"},
    )


class ShareholdersForm(FlaskForm):
    """The shareholders (股东) and their shares, adding up to 100%."""

    shareholders = FieldList(FormField(ShareholderForm), min_entries=SHAREHOLDERS_SHOWN)
    add = SubmitField(_l("Add another shareholder"))


def _prepare_shareholders(form: FlaskForm, ctx: StepContext) -> None:
    while len(form.shareholders) < SHAREHOLDERS_SHOWN:
        form.shareholders.append_entry()


def _share(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace("%", "").replace("％", "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > 100 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return value


def _save_shareholders(form: FlaskForm, answers: Answers, ctx: StepContext) -> Any:
    if form.add.data:
        if len(form.shareholders) < SHAREHOLDERS_MAX:
            form.shareholders.append_entry()
        return _l("A line for another shareholder was added below.")
    rows: list[dict[str, str]] = []
    errors: dict[str, Any] = {}
    for index, entry in enumerate(form.shareholders):
        name = clean_text(entry.form.name.data or "").text
        share_text = clean_text(entry.form.share.data or "").text
        if not name and not share_text:
            continue
        if not name:
            errors[f"shareholders-{index}-name"] = _l("Enter this shareholder's name.")
            continue
        if len(name) > 100:
            errors[f"shareholders-{index}-name"] = _l("Keep the name under 100 characters.")
            continue
        share = _share(share_text)
        if share is None:
            errors[f"shareholders-{index}-share"] = _l(
                "Enter a share between 0.01 and 100, e.g. 60 or 33.33."
            )
            continue
        rows.append({"name": name, "share": str(share)})
    if errors:
        for key, message in errors.items():
            position, part = key.split("-")[1:]
            getattr(form.shareholders[int(position)].form, part).errors = [str(message)]
        raise ValidationFailed(fields={"shareholders": _l("Check the shareholders marked below.")})
    if not rows:
        raise ValidationFailed(fields={"shareholders": _l("Enter at least one shareholder.")})
    if answers.get("company_type") in SINGLE_OWNER and len(rows) != 1:
        raise ValidationFailed(
            fields={"shareholders": _l("This type of company has exactly one owner.")}
        )
    total = sum((Decimal(row["share"]) for row in rows), Decimal(0))
    if total != 100:
        raise ValidationFailed(
            fields={
                "shareholders": _l(
                    "The shares add up to %(total)s%%. They must add up to exactly 100%%.",
                    total=format(total.normalize(), "f"),
                )
            }
        )
    answers["shareholders"] = rows
    return None


def _shareholders_text(answers: Answers) -> str:
    return "\n".join(f"{row['name']} {row['share']}%" for row in answers.get("shareholders", []))


# ---- check, receipt, approval ----------------------------------------------------------------


def _check_rows(answers: Answers, ctx: StepContext) -> list[CheckRow]:
    return [
        CheckRow(_l("Proposed company name"), answers.get("company_name", ""), "name"),
        CheckRow(
            _l("Type of company"),
            str(COMPANY_TYPES.get(answers.get("company_type", ""), "")),
            "type",
        ),
        CheckRow(
            _l("Registered capital"),
            gettext("%(amount)s × 10,000 yuan", amount=answers.get("capital", "")),
            "capital",
        ),
        CheckRow(
            _l("Business scope"),
            "\n".join(
                [str(SCOPES[key][0]) for key in answers.get("scopes", []) if key in SCOPES]
                + ([answers["scope_extra"]] if answers.get("scope_extra") else [])
            ),
            "scope",
            multiline=True,
        ),
        CheckRow(
            _l("Legal representative"),
            "\n".join(
                [
                    answers.get("rep_name", ""),
                    answers.get("rep_id_masked", ""),
                    answers.get("rep_mobile", ""),
                ]
            ),
            "representative",
            multiline=True,
        ),
        CheckRow(_l("Registered address"), room_label_of(ctx, answers), "room"),
        CheckRow(_l("Shareholders"), _shareholders_text(answers), "shareholders", multiline=True),
    ]


def _receipt(answers: Answers, locale: str) -> list[tuple[Label, str]]:
    return [
        (_l("Proposed company name"), answers.get("company_name", "")),
        (_l("Legal representative"), answers.get("rep_name", "")),
        (_l("Resident ID number"), answers.get("rep_id_masked", "")),
    ]


def _approve(approval: Approval) -> None:
    answers = approval.answers
    application = approval.application
    db = approval.db
    building = tenants.get_building(db, application.building_code)
    if building is None:
        raise ValidationFailed(_l("The building of this application is not set up."))
    if uscc_taken(db, approval.issued_uscc):  # on any unit's list, in reach or not
        raise ValidationFailed(
            fields={"issued_uscc": _l("A company with this code is already recorded.")}
        )
    room = tenants.get_room(db, building.id, answers.get("room_id"))
    if room is None:
        raise ValidationFailed(_l("The registered room is no longer on the building's list."))
    established = approval.now.astimezone(approval.settings.zone).date()
    tenant = Tenant(
        uscc=approval.issued_uscc,
        name=application.company_name,
        legal_representative=str(answers["rep_name"])[:60],
        registered_capital=Decimal(answers["capital"]),  # × 10,000 yuan, as asked
        founded_on=established,
        created_at=approval.now,
    )
    db.add(tenant)
    move = moves.place(
        db, tenant, moves.room_target(db, room), source=application.reference,
        staff_id=approval.actor.staff_id, now=approval.now,
    )  # fmt: skip
    moves.audit_move(db, approval.actor, tenant, move)
    application.tenant_id = tenant.id
    application.company_uscc = approval.issued_uscc
    licences.issue(
        db,
        approval.settings,
        tenant,
        licences.LicenceFacts(
            name=application.company_name,
            company_type=COMPANY_TYPES_ZH[answers["company_type"]],
            legal_representative=answers["rep_name"],
            registered_capital=Decimal(answers["capital"]) * 10_000,
            address=room_address(building, room),
            business_scope=scope_text(answers),
        ),
        application=application,
        established=established,
        now=approval.now,
    )


TASK = application_task(
    slug="register",
    title=_l("Register a new company"),
    summary=_l("Set up a company with its registered address in this building."),
    icon="img/task-register.svg",
    steps=(
        Step(
            "name",
            _l("What will the company be called?"),
            NameForm,
            ("company_name",),
            save=_save_name,
        ),
        answers_step(
            "type",
            _l("What type of company is it?"),
            TypeForm,
            "company_type",
        ),
        answers_step(
            "capital",
            _l("What is the registered capital, in 10,000 yuan?"),
            CapitalForm,
            "capital",
        ),
        Step(
            "scope",
            _l("What will the company do?"),
            ScopeForm,
            ("scopes", "scope_extra"),
            save=_save_scope,
        ),
        Step(
            "representative",
            _l("Who is the legal representative?"),
            RepresentativeForm,
            ("rep_name", "rep_id", "rep_mobile"),
            prepare=_prefill_representative,
            save=_save_representative,
        ),
        floor_step(),
        room_step(),
        Step(
            "shareholders",
            _l("Who are the shareholders?"),
            ShareholdersForm,
            ("shareholders",),
            template="terminal/steps/shareholders.html",
            prepare=_prepare_shareholders,
            save=_save_shareholders,
        ),
    ),
    check_rows=_check_rows,
    paperwork=Paperwork(
        reference_prefix="DJ",
        company=lambda answers: Company(str(answers.get("company_name", ""))),
        receipt=_receipt,
        next_steps=_l(
            "Staff check the application, usually within 3 working days, and may call the legal "
            "representative. Once it is approved, collect the business licence at the station's "
            "kiosk with the unified social credit code and your pickup code."
        ),
        approve=_approve,
        issues_uscc=True,
        issues_licence=True,
    ),
    submit_label=_l("Submit application"),
    check_lead=_l(
        "Staff at the service station will check the application with the registration "
        "authority. The resident ID number is stored encrypted and shown only masked."
    ),
)
