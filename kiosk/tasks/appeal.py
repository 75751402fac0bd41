"""诉求 / 企业哨: a tenant raises a problem with the government and gets an answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.services import appeals, slips, tenants
from kiosk.services.appeals import Checked
from kiosk.tasks.base import Answers, CheckRow, Step, StepContext, Submitted, Task
from kiosk.text import mask_mobile
from kiosk.web import public_link

OTHER = "other"
CLEANED = _l(
    "We removed invisible formatting characters from what you entered. "
    "Check it below and tap Continue."
)


def _check(check: Callable[[str], Checked]) -> Callable[[FlaskForm, Field], None]:
    """A WTForms validator from one of the appeal service's checks (one set of rules)."""

    def validator(form: FlaskForm, field: Field) -> None:
        try:
            check(field.data or "")
        except ValidationFailed as exc:
            raise ValidationError(str(next(iter(exc.fields.values())))) from None

    return validator


def _save_checked(
    form: FlaskForm, answers: Answers, checks: Mapping[str, Callable[[str], Checked]]
) -> Any:
    """Store each field's checked value; ask to look again if invisible characters went."""
    cleaned = False
    for name, check in checks.items():
        result = check(getattr(form, name).data or "")
        answers[name] = result.value
        getattr(form, name).data = result.value
        cleaned = cleaned or result.cleaned
    return CLEANED if cleaned else None


# ---- company ---------------------------------------------------------------------------------


class CompanyForm(FlaskForm):
    """Pick the company from the building's list (or say it is not listed)."""

    tenant = StringField(_l("Company"))


def _save_company(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    choice = (form.tenant.data or "").strip()
    if choice == OTHER:
        if answers.get("company_choice") != OTHER:
            for key in ("tenant_id", "company_name", "company_uscc"):
                answers.pop(key, None)
        answers["company_choice"] = OTHER
        return None
    tenant = tenants.get_tenant(ctx.db, ctx.settings.building, choice)
    if tenant is None:
        raise ValidationFailed(fields={"tenant": _l("Choose your company from the list.")})
    answers.update(
        company_choice="listed",
        tenant_id=tenant.id,
        company_name=tenant.name,
        company_uscc=tenant.uscc,
    )
    return None


class CompanyDetailsForm(FlaskForm):
    """A company that is not on the building's list types its name (and code, if it has one)."""

    company_name = StringField(_l("Company name"), validators=[_check(appeals.check_company_name)])
    company_uscc = StringField(
        _l("Unified social credit code (optional)"),
        description=_l("18 characters, on the business licence. Leave empty if you don't know it."),
        validators=[_check(appeals.check_uscc)],
        render_kw={"data-keyboard": "uscc"},
    )


def _save_company_details(form: FlaskForm, answers: Answers, ctx: StepContext) -> Any:
    return _save_checked(
        form,
        answers,
        {"company_name": appeals.check_company_name, "company_uscc": appeals.check_uscc},
    )


# ---- category, description, contact ---------------------------------------------------------


class CategoryForm(FlaskForm):
    """What the problem is about."""

    category = RadioField(_l("Category"), choices=[], validate_choice=False)


def _one_of_the_choices(form: FlaskForm, field: Field) -> None:
    """A choice must be made, from the list shown (WTForms' own message is too terse)."""
    if field.data not in {choice.value for choice in field.choices}:
        raise StopValidation(str(_l("Choose a category.")))


def _prepare_category(form: FlaskForm, ctx: StepContext) -> None:
    form.category.choices = [
        SelectChoice(c.code, c.name(ctx.locale)) for c in appeals.active_categories(ctx.db)
    ]
    form.category.validators = [_one_of_the_choices]


def _save_category(form: FlaskForm, answers: Answers, ctx: StepContext) -> None:
    answers["category"] = form.category.data
    return None


class DescriptionForm(FlaskForm):
    """The problem, in the tenant's words."""

    description = TextAreaField(
        _l("Describe the problem"),
        description=_l("Up to 1,000 characters. Say what happened, where, and what you need."),
        validators=[_check(appeals.check_description)],
        render_kw={"data-max-chars": appeals.DESCRIPTION_MAX, "rows": 8, "data-hand-off": "1"},
    )


def _save_description(form: FlaskForm, answers: Answers, ctx: StepContext) -> Any:
    return _save_checked(form, answers, {"description": appeals.check_description})


class ContactForm(FlaskForm):
    """Who staff should call back."""

    contact_name = StringField(_l("Your name"), validators=[_check(appeals.check_contact_name)])
    contact_mobile = StringField(
        _l("Mobile number"),
        description=_l("We only use it to contact you about this appeal."),
        validators=[_check(appeals.check_mobile)],
        render_kw={"inputmode": "tel", "autocomplete": "off", "data-keyboard": "numeric"},
    )


def _save_contact(form: FlaskForm, answers: Answers, ctx: StepContext) -> Any:
    return _save_checked(
        form,
        answers,
        {"contact_name": appeals.check_contact_name, "contact_mobile": appeals.check_mobile},
    )


# ---- check, submit, done --------------------------------------------------------------------


def _check_rows(answers: Answers, ctx: StepContext) -> list[CheckRow]:
    category = next(
        (
            c.name(ctx.locale)
            for c in appeals.active_categories(ctx.db)
            if c.code == answers.get("category")
        ),
        "",
    )
    company = answers.get("company_name", "")
    if answers.get("company_uscc"):
        company = f"{company}\n{answers['company_uscc']}"
    company_step = "company-details" if answers.get("company_choice") == OTHER else "company"
    return [
        CheckRow(_l("Company"), company, company_step, multiline=True),
        CheckRow(_l("Category"), category, "category"),
        CheckRow(_l("Problem"), answers.get("description", ""), "description", multiline=True),
        CheckRow(_l("Contact"), answers.get("contact_name", ""), "contact"),
        CheckRow(_l("Mobile number"), answers.get("contact_mobile", ""), "contact"),
    ]


def _submit(answers: Answers, ctx: StepContext) -> Submitted:
    draft = appeals.AppealDraft.from_answers(answers, ctx.locale)
    building = tenants.get_building(ctx.db, ctx.settings.building)
    building_name = _building_name(building, ctx.locale) if building else ""

    def slip(appeal: Any) -> dict[str, Any]:
        url = public_link("public.appeal_status", token=appeal.token)
        return slips.appeal_slip(appeal, ctx.settings, building_name, url)

    appeal = appeals.submit_appeal(ctx.db, ctx.settings, draft, slip=slip)
    return Submitted(appeal.reference)


def _building_name(building: Any, locale: str) -> str:
    return str(building.name_en if locale == "en" else building.name_zh)


def _done_context(reference: str, ctx: StepContext) -> Mapping[str, Any]:
    appeal = appeals.get_by_reference(ctx.db, reference)
    return {
        "appeal": appeal,
        "status_url": public_link("public.appeal_status", token=appeal.token),
        "masked_mobile": mask_mobile(appeal.contact_mobile),
    }


TASK = Task(
    slug="appeal",
    title=_l("Raise a problem"),
    summary=_l("Tell the government about a problem your company has. We answer every one."),
    icon="img/task-appeal.svg",
    steps=(
        Step(
            "company",
            _l("Which company are you from?"),
            CompanyForm,
            fields=("company_choice",),
            template="terminal/steps/company.html",
            save=_save_company,
        ),
        Step(
            "company-details",
            _l("What is your company called?"),
            CompanyDetailsForm,
            fields=("company_name", "company_uscc"),
            applies=lambda answers: answers.get("company_choice") == OTHER,
            save=_save_company_details,
        ),
        Step(
            "category",
            _l("What is the problem about?"),
            CategoryForm,
            fields=("category",),
            prepare=_prepare_category,
            save=_save_category,
        ),
        Step(
            "description",
            _l("What is the problem?"),
            DescriptionForm,
            fields=("description",),
            save=_save_description,
        ),
        Step(
            "contact",
            _l("How can we contact you?"),
            ContactForm,
            fields=("contact_name", "contact_mobile"),
            save=_save_contact,
        ),
    ),
    check_rows=_check_rows,
    submit=_submit,
    submit_label=_l("Submit appeal"),
    check_lead=_l(
        "Staff at the service station will read your appeal and contact you. "
        "Your mobile number is only used for this appeal."
    ),
    done_template="terminal/appeal_done.html",
    done_context=_done_context,
)
