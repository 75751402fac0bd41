"""Events at the touchscreen: the upcoming list, one event with its sign-up form, the slip.

The draft (which event, which company, the submission key) lives in the session with the
tasks' answers, so the idle wipe forgets it like any other answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response
from wtforms import Field, HiddenField, StringField
from wtforms.validators import ValidationError

from kiosk.access import public
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Event, EventSignup
from kiosk.services import events, printing, slips, tenants
from kiosk.services.appeals import Checked, check_company_name, check_contact_name, check_mobile
from kiosk.services.appeals.checks import COMPANY_NAME_MAX, CONTACT_NAME_MAX
from kiosk.tasks.appeal import CLEANED
from kiosk.terminal.common import bp, context
from kiosk.web import csrf, public_link

DRAFT = "events"  # key in session["answers"] and session["done"]; no task has this slug
OTHER = "other"
EXPIRED = _l("This page had expired, so nothing was saved yet. Check your answer and try again.")
CHECKS = {
    "company_name": check_company_name,
    "contact_name": check_contact_name,
    "contact_mobile": check_mobile,
}


def _check(form: FlaskForm, field: Field) -> None:
    """The service's own rules for this field (one set of rules for the form and the service)."""
    try:
        CHECKS[field.name](field.data or "")
    except ValidationFailed as exc:
        raise ValidationError(str(next(iter(exc.fields.values())))) from None


class CompanyForm(FlaskForm):
    """A company from the building's list, "other", or "change" to choose again."""

    tenant = StringField(_l("Company"))


class SignupForm(FlaskForm):
    """Who is coming: the company (when not on the list), a name and a mobile number."""

    company_name = StringField(
        _l("Company name"),
        validators=[_check],
        render_kw={"maxlength": COMPANY_NAME_MAX * 2},
    )
    contact_name = StringField(
        _l("Your name"), validators=[_check], render_kw={"maxlength": CONTACT_NAME_MAX * 2}
    )
    contact_mobile = StringField(
        _l("Mobile number"),
        description=_l("We only use it to contact you about this event."),
        validators=[_check],
        render_kw={"inputmode": "tel", "data-keyboard": "numeric", "maxlength": 20},
    )
    submission_key = HiddenField()


def _draft(event_id: int) -> dict[str, Any]:
    """This event's draft; a draft for another event is started afresh."""
    draft: dict[str, Any] = dict(session.get("answers", {}).get(DRAFT) or {})
    if draft.get("event_id") != event_id:
        draft = {"event_id": event_id}
    if "_key" not in draft:
        draft["_key"] = secrets.token_hex(16)
    return draft


def _store(draft: dict[str, Any] | None) -> None:
    answers = dict(session.get("answers", {}))
    if draft is None:
        answers.pop(DRAFT, None)
    else:
        answers[DRAFT] = draft
    session["answers"] = answers


@bp.get("/events")
@public
def list_events() -> str:
    """Upcoming events, soonest first, a few to a page, with the places left."""
    ctx = context()
    page = events.upcoming(ctx.db, ctx.settings.building, page=request.args.get("page", 1, int))
    return render_template("terminal/events.html", page=page, kinds=events.KINDS)


def _render_event(
    event: Event, form: FlaskForm | None = None, notice: Any = None, status: int = 200
) -> tuple[str, int]:
    ctx = context()
    draft = _draft(event.id)
    _store(draft)
    choosing = "company_choice" not in draft
    if form is None:
        form = CompanyForm() if choosing else _signup_form(draft, formdata=None)
    if isinstance(form, SignupForm):
        form.submission_key.data = draft["_key"]
    query = request.args.get("q", "")
    results = None
    if choosing:
        page = request.args.get("page", 1, type=int) or 1
        results = tenants.search(ctx.db, ctx.settings.building, query, page)
    html = render_template(
        "terminal/event.html",
        event=event,
        kinds=events.KINDS,
        draft=draft,
        form=form,
        notice=notice,
        choosing=choosing,
        query=query,
        results=results,
    )
    return html, status


def _signup_form(draft: dict[str, Any], **kwargs: Any) -> SignupForm:
    form = SignupForm(meta={"csrf": True}, **kwargs)
    if draft.get("company_choice") != OTHER:
        del form.company_name
    return form


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@public
def show_event(event_id: int) -> Response | tuple[str, int]:
    """One event: what, when, where, places left; the sign-up form; POST signs up."""
    if request.method == "POST" and not _csrf_ok():
        return _expired(event_id, lambda: _signup_form(_draft(event_id)))
    ctx = context()
    event = events.open_event(ctx.db, ctx.settings.building, event_id)
    if request.method == "GET":
        return _render_event(event)
    draft = _draft(event.id)
    key = request.form.get("submission_key", "")
    done = session.get("done", {}).get(DRAFT, {})
    if key and key != draft["_key"] and done.get("key") == key:
        return redirect(
            url_for("terminal.event_signed_up"), 303
        )  # sent again after it went through
    if "company_choice" not in draft:
        return _render_event(event, status=400)
    form = _signup_form(draft)
    if not form.validate():
        return _render_event(event, form, status=400)
    cleaned = _cleaned(form)
    if cleaned:
        return _render_event(event, form, notice=CLEANED)
    return _sign_up(event, draft, form)


# These two views check the CSRF token themselves (first thing, before anything else) so that a
# page left too long is shown again with everything typed and a notice, instead of the
# blueprint's generic error page.
csrf.exempt(show_event)


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _expired(event_id: int, make_form: Callable[[], FlaskForm]) -> tuple[str, int]:
    """The event's page again, with what was sent and a notice; a plain error if it is gone."""
    ctx = context()
    try:
        event = events.open_event(ctx.db, ctx.settings.building, event_id)
    except NotFound:
        return render_template("terminal/error.html", message=EXPIRED, status=400), 400
    draft = _draft(event.id)
    form = make_form() if "company_choice" in draft else None
    return _render_event(event, form, notice=EXPIRED, status=400)


def _cleaned(form: SignupForm) -> bool:
    """Put each field's cleaned value back; True when invisible characters were taken out."""
    removed = False
    for name, check in CHECKS.items():
        field = getattr(form, name, None)
        if field is not None:
            result: Checked = check(field.data or "")
            removed = removed or result.cleaned
            field.data = result.value
    return removed


def _sign_up(event: Event, draft: dict[str, Any], form: SignupForm) -> Response | tuple[str, int]:
    ctx = context()
    company = form.company_name.data if "company_name" in form else draft.get("company_name", "")
    signup_draft = events.SignupDraft(
        submission_key=draft["_key"],
        event_id=event.id,
        tenant_id=draft.get("tenant_id"),
        company_name=company or "",
        contact_name=form.contact_name.data or "",
        mobile=form.contact_mobile.data or "",
        locale=ctx.locale,
    )
    try:
        signup = events.sign_up(ctx.db, ctx.settings, signup_draft, slip=_slip_builder(event))
    except ValidationFailed as exc:
        if "tenant_id" in exc.fields:  # the company moved out meanwhile: choose again
            draft.pop("company_choice", None)
            _store(draft)
            flash(str(exc.fields["tenant_id"]), "error")
            return redirect(url_for("terminal.show_event", event_id=event.id), 303)
        for name, message in exc.fields.items():
            if name in form:
                form[name].errors = [message]
        return _render_event(event, form, notice=None if exc.fields else exc.message, status=400)
    done = dict(session.get("done", {}))
    done[DRAFT] = {"reference": signup.reference, "key": draft["_key"]}
    session["done"] = done
    _store(None)
    _wake_printer()
    return redirect(url_for("terminal.event_signed_up"), 303)


def _slip_builder(event: Event) -> events.SlipBuilder:
    ctx = context()
    building = tenants.get_building(ctx.db, ctx.settings.building)

    def build(signup: EventSignup, position: int | None) -> dict[str, Any]:
        name = ""
        if building is not None:
            name = (
                building.name_en if signup.locale == "en" and building.name_en else building.name_zh
            )
        url = public_link("public.signup_status", token=signup.token)
        return slips.event_slip(signup, event, ctx.settings, name, url, position)

    return build


@bp.post("/events/<int:event_id>/company")
@public
def pick_event_company(event_id: int) -> Response | tuple[str, int]:
    """Choose the company from the building's list, say it is not listed, or choose again."""
    if not _csrf_ok():
        return _expired(event_id, lambda: _signup_form(_draft(event_id), formdata=None))
    ctx = context()
    event = events.open_event(ctx.db, ctx.settings.building, event_id)
    form = CompanyForm()
    draft = _draft(event.id)
    choice = (form.tenant.data or "").strip()
    for name in ("company_choice", "tenant_id", "company_name"):
        draft.pop(name, None)
    if choice == OTHER:
        draft["company_choice"] = OTHER
    elif choice != "change":
        tenant = tenants.get_tenant(ctx.db, ctx.settings.building, choice)
        if tenant is None:
            _store(draft)
            return _render_event(event, notice=_l("Choose your company from the list."), status=400)
        draft.update(company_choice="listed", tenant_id=tenant.id, company_name=tenant.name)
    _store(draft)
    return redirect(url_for("terminal.show_event", event_id=event.id), 303)


csrf.exempt(pick_event_company)  # checked by CompanyForm: an expired page is shown again


def _done_reference() -> str | None:
    entry = session.get("done", {}).get(DRAFT)
    return str(entry["reference"]) if entry else None


@bp.get("/events/done")
@public
def event_signed_up() -> Response | str:
    """The confirmation: reference, place or waiting-list number, status QR, the slip."""
    reference = _done_reference()
    ctx = context()
    signup = events.find_by_reference(ctx.db, reference) if reference else None
    if signup is None:
        return redirect(url_for("terminal.list_events"))
    slip = printing.slip_status(ctx.db, ctx.settings.id, "event_slip", signup.reference)
    return render_template(
        "terminal/event_done.html",
        signup=signup,
        event=signup.event,
        kinds=events.KINDS,
        position=events.position(ctx.db, signup),
        status_url=public_link("public.signup_status", token=signup.token),
        slip=slip,
    )


@bp.get("/events/done/print-status")
@public
def event_print_status() -> Response:
    """Whether the slip printed, for the confirmation page to show without reloading."""
    reference = _done_reference()
    if reference is None:
        return jsonify(state="gone")
    ctx = context()
    slip = printing.slip_status(ctx.db, ctx.settings.id, "event_slip", reference)
    return jsonify(state=slip.state, printer_down=slip.printer_down, can_retry=slip.can_retry)


@bp.post("/events/done/print")
@public
def print_event_slip() -> Response:
    """Print the slip again after it failed (offered only while the printer can print)."""
    reference = _done_reference()
    if reference is None:
        return redirect(url_for("terminal.list_events"))
    ctx = context()
    try:
        printing.print_again(ctx.db, ctx.settings.id, "event_slip", reference)
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        _wake_printer()
    return redirect(url_for("terminal.event_signed_up"), 303)


def _wake_printer() -> None:
    worker = current_app.extensions.get("kiosk.print_worker")
    if worker is not None:
        worker.wake()
