"""The phone's appeal form, opened from the complaint QR on every screen and on the building's
posters: the appeal's questions on one page, then the code sent by SMS to confirm the mobile,
then the appeal's status page (/status/<token>)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField, TextAreaField

from kiosk.access import public
from kiosk.config import Settings
from kiosk.db import get_session
from kiosk.errors import ValidationFailed
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.public.forms import LinkForm
from kiosk.public.views import bp
from kiosk.services import phone_appeals
from kiosk.services.appeals import CONTACT_NAME_MAX, DESCRIPTION_MAX, active_categories
from kiosk.services.lockouts import Source
from kiosk.text import mask_mobile
from kiosk.web import csrf, public_link

OTHER = "other"  # the company is not on the building's list: typed instead


class PhoneAppealForm(LinkForm):
    """The appeal's questions, as the kiosk asks them."""

    company = SelectField(_l("Your company"), validate_choice=False)
    company_name = StringField(
        _l("Company name"), description=_l("If your company is not in the list above.")
    )
    category = SelectField(_l("What is it about?"), validate_choice=False)
    description = TextAreaField(
        _l("Describe the problem"), render_kw={"rows": 5, "data-max-chars": DESCRIPTION_MAX}
    )
    contact_name = StringField(_l("Your name"), render_kw={"maxlength": CONTACT_NAME_MAX})
    contact_mobile = StringField(
        _l("Your mobile number"),
        description=_l("We send a code to this number to confirm it."),
        render_kw={"inputmode": "numeric", "maxlength": 11, "autocomplete": "tel"},
    )


class CodeForm(LinkForm):
    """The code from the SMS."""

    code = StringField(
        _l("Code from the SMS"),
        render_kw={"inputmode": "numeric", "maxlength": 6, "autocomplete": "one-time-code"},
    )


class ResendForm(LinkForm):
    """Ask for a new code."""


def _settings() -> Settings:
    value: Settings = current_app.config["KIOSK"]
    return value


def complaint_link() -> str:
    """Where the complaint QR points: the configured address, else this building's phone form."""
    settings = _settings()
    if settings.complaint_qr_url:
        return settings.complaint_qr_url
    return public_link("public.new_phone_appeal", building=settings.building)


bp.add_app_template_global(complaint_link, "complaint_link")


def _offer(form: PhoneAppealForm, building: str) -> None:
    db = get_session()
    place = phone_appeals.building(db, building)
    form.company.choices = [("", _l("Choose your company"))] + [
        (str(t.id), t.name) for t in phone_appeals.companies_of(db, place)
    ]
    form.company.choices.append((OTHER, _l("My company is not in the list")))
    form.category.choices = [("", _l("Choose a category"))] + [
        (c.code, c.name(current_locale())) for c in active_categories(db)
    ]


def _draft(form: PhoneAppealForm, building: str) -> phone_appeals.PhoneDraft:
    picked = form.company.data or ""
    return phone_appeals.PhoneDraft(
        building=building, tenant_id=int(picked) if picked.isdigit() and len(picked) < 10 else None,
        company_name=form.company_name.data or "" if not picked.isdigit() else "",
        category=form.category.data or "", description=form.description.data or "",
        contact_name=form.contact_name.data or "", contact_mobile=form.contact_mobile.data or "",
        locale=current_locale(),
    )  # fmt: skip


def _show_errors(form: LinkForm, exc: ValidationFailed) -> None:
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [message]
    if not exc.fields:
        flash(str(exc.message), "error")


@bp.route("/phone-appeal/<building>", methods=["GET", "POST"])
@public
def new_phone_appeal(building: str) -> Response | tuple[str, int]:
    """The appeal's questions; a right answer sends a code to the mobile."""
    form = PhoneAppealForm(link=f"phone-appeal:{building}")
    if request.method == "POST":
        form.refuse_forgery()
    _offer(form, building)
    status = 200
    if request.method == "POST" and form.validate():
        try:
            row = phone_appeals.start(
                get_session(), _settings(), _draft(form, building), request.remote_addr or ""
            )
        except ValidationFailed as exc:
            _show_errors(form, exc)
            status = 400
        except phone_appeals.TooMany as exc:
            flash(str(exc.message), "error")
            status = 429
        else:
            return redirect(url_for("public.confirm_phone_appeal", token=row.token), 303)
    elif request.method == "POST":
        status = 400
    html = render_template(
        "public/phone/new_appeal.html", form=form, building=building, other=OTHER
    )
    return html, status


def _confirm_page(token: str, form: CodeForm, status: int) -> tuple[str, int]:
    row = phone_appeals.pending(get_session(), token)
    html = render_template(
        "public/phone/confirm.html", form=form, resend=ResendForm(link=token), token=token,
        masked=mask_mobile(str(row.draft.get("contact_mobile", ""))),
        minutes=phone_appeals.CODE_MINUTES,
    )  # fmt: skip
    return html, status


@bp.route("/phone-appeal/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_phone_appeal(token: str) -> Response | tuple[str, int]:
    """The code from the SMS; a right one files the appeal and opens its status page."""
    form = CodeForm(link=token)
    if request.method == "GET":
        return _confirm_page(token, form, 200)
    status = 400
    if form.validate():
        source = Source(remote_addr=request.remote_addr or "")
        try:
            appeal = phone_appeals.confirm(
                get_session(), _settings(), token, form.code.data or "", source
            )
        except ValidationFailed as exc:
            _show_errors(form, exc)
        except phone_appeals.TooMany as exc:
            flash(str(exc.message), "error")
            status = 429
        else:
            flash(_("Your appeal %(ref)s has been received.", ref=appeal.reference), "success")
            return redirect(url_for("public.appeal_status", token=appeal.token), 303)
    return _confirm_page(token, form, status)


@bp.post("/phone-appeal/confirm/<token>/resend")
@public
def resend_phone_code(token: str) -> Response | tuple[str, int]:
    """Send a new code to the same mobile (within the limits)."""
    form = ResendForm(link=token)
    if not form.validate():
        return _confirm_page(token, CodeForm(link=token, formdata=None), 400)
    try:
        phone_appeals.resend(get_session(), _settings(), token, request.remote_addr or "")
    except phone_appeals.TooMany as exc:
        flash(str(exc.message), "error")
        return _confirm_page(token, CodeForm(link=token, formdata=None), 429)
    flash(_("A new code has been sent."), "success")
    return redirect(url_for("public.confirm_phone_appeal", token=token), 303)


# Their forms carry a CSRF value bound to the page (kiosk.public.forms), not the session's.
for _view in (new_phone_appeal, confirm_phone_appeal, resend_phone_code):
    csrf.exempt(_view)
