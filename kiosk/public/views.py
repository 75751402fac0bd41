"""An appeal's status page, opened from the slip's or the screen's QR code."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectChoice, TextAreaField

from kiosk.access import public
from kiosk.db import get_session
from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.i18n import use_record_locale
from kiosk.labels import EVENT, RATING, STATUS
from kiosk.models import AppealStatus, Rating
from kiosk.public.forms import LinkForm
from kiosk.services import appeals, common_problems
from kiosk.text import mask_mobile
from kiosk.web import csrf

bp = Blueprint("public", __name__)


class RateForm(LinkForm):
    """How satisfied the tenant is with the answer."""

    rating = RadioField(
        _l("How satisfied are you with the answer?"),
        choices=[SelectChoice(r.value, RATING[r]) for r in Rating],
        validate_choice=False,
    )
    reason = TextAreaField(
        _l("Anything to add?"),
        description=_l("Required if you are not satisfied."),
        render_kw={"rows": 3},
    )


class ReopenForm(LinkForm):
    """The tenant says the problem is not resolved."""

    reason = TextAreaField(_l("What is still not resolved?"), render_kw={"rows": 3})


def _render(
    token: str,
    rate_form: RateForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    appeal = appeals.get_for_status_page(get_session(), token)
    use_record_locale(appeal.locale)
    settings = current_app.config["KIOSK"]
    can_rate = appeal.status is AppealStatus.RESOLVED
    can_reopen = appeals.can_reopen(settings, appeal)
    common = common_problems.for_appeal(get_session(), appeal.id) if appeal.grouped else None
    html = render_template(
        "public/status.html",
        appeal=appeal,
        events=appeal.events,
        status_label=STATUS[appeal.status],
        event_labels=EVENT,
        rating_labels=RATING,
        masked_mobile=mask_mobile(appeal.contact_mobile),
        hotline=settings.hotline,
        rate_form=(rate_form or RateForm(link=token)) if can_rate else None,
        reopen_form=(reopen_form or ReopenForm(prefix="reopen", link=token))
        if can_reopen
        else None,
        reopen_until=appeals.reopen_until(settings, appeal) if can_reopen else None,
        token=token,
        common=common,
        common_size=common_problems.size(get_session(), common) if common else 0,
    )
    return html, status


@bp.get("/status/<token>")
@public
def appeal_status(token: str) -> tuple[str, int]:
    """Status, expected date and the public timeline; no personal data but a masked number."""
    return _render(token)


def _apply_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    for name, message in exc.fields.items():
        field: Any = getattr(form, name, None)
        if field is not None:
            field.errors = [message]


@bp.post("/status/<token>/rate")
@public
def rate_appeal(token: str) -> Response | tuple[str, int]:
    """Record the tenant's rating of the answer."""
    form = RateForm(link=token)
    if form.validate():
        try:
            appeals.rate(
                get_session(),
                current_app.config["KIOSK"],
                token,
                form.rating.data or "",
                form.reason.data or "",
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
            return _render(token, rate_form=form, status=400)
        flash(_l("Thank you for rating the answer."), "success")
        return redirect(url_for("public.appeal_status", token=token), 303)
    return _render(token, rate_form=form, status=400)


@bp.post("/status/<token>/reopen")
@public
def reopen_appeal(token: str) -> Response | tuple[str, int]:
    """The tenant says it is not resolved: the appeal goes back to the staff."""
    form = ReopenForm(prefix="reopen", link=token)
    if form.validate():
        try:
            appeals.tenant_reopen(
                get_session(), current_app.config["KIOSK"], token, form.reason.data or ""
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
            return _render(token, reopen_form=form, status=400)
        flash(_l("Your appeal has been reopened. The service station will contact you."), "success")
        return redirect(url_for("public.appeal_status", token=token), 303)
    return _render(token, reopen_form=form, status=400)


# Their forms carry a CSRF value bound to the link (kiosk.public.forms), kept in no session.
csrf.exempt(rate_appeal)
csrf.exempt(reopen_appeal)
