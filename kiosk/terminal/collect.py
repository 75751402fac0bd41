"""领取 / 打印执照 and 补正: collect a licence, or fix an application staff sent back."""

from __future__ import annotations

import secrets
from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired

from kiosk.access import public
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.services import applications as service
from kiosk.services import licences
from kiosk.services.lockouts import Source
from kiosk.sessions import session_id
from kiosk.tasks import TASKS
from kiosk.terminal.common import bp, context, store
from kiosk.web import public_link


def _code_field() -> StringField:
    return StringField(
        _l("Pickup code"),
        description=_l("6 digits, on your slip and on the application's status page."),
        validators=[InputRequired(_l("Enter the pickup code."))],
        render_kw={"inputmode": "numeric", "maxlength": 6, "data-keyboard": "numeric"},
    )


class CollectForm(FlaskForm):
    """The company's code and the application's pickup code."""

    uscc = StringField(
        _l("Unified social credit code"),
        description=_l("The 18-character code on your status page or approval message."),
        validators=[InputRequired(_l("Enter the unified social credit code."))],
        render_kw={"maxlength": 24, "data-keyboard": "uscc"},
    )
    code = _code_field()


class FixForm(FlaskForm):
    """The application's reference and pickup code."""

    reference = StringField(
        _l("Reference number"),
        description=_l("On your slip, e.g. DJ-20261125-0001."),
        validators=[InputRequired(_l("Enter the reference number."))],
        render_kw={"maxlength": 24, "data-keyboard": "latin"},
    )
    code = _code_field()


PAGES = {
    "collect": {
        "heading": _l("Collect a business licence"),
        "lead": _l(
            "Once your registration is approved, print the licence here. Enter the company’s "
            "code and the pickup code from your slip."
        ),
        "submit_label": _l("Print the licence"),
    },
    "fix": {
        "heading": _l("Fix an application"),
        "lead": _l(
            "If staff asked you to change something, open the application with its reference "
            "number and pickup code."
        ),
        "submit_label": _l("Open the application"),
    },
}


def _form_page(
    page: str, form: FlaskForm, *, notice: Any = None, status: int = 200
) -> tuple[str, int]:
    return render_template(
        "terminal/code_form.html", form=form, notice=notice, **PAGES[page]
    ), status


def _source() -> Source:
    """Who is typing codes: this visit's session, at this kiosk (counted apart from the key)."""
    return Source(session_id(), request.remote_addr or "", context().settings.id)


def _field_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    for name, message in exc.fields.items():
        if hasattr(form, name):
            getattr(form, name).errors = [str(message)]


@bp.route("/collect", methods=["GET", "POST"])
@public
def collect_licence() -> Response | tuple[str, int]:
    """Print an approved company's licence on this kiosk's licence printer."""
    form = CollectForm()
    if not form.is_submitted():
        return _form_page("collect", form)
    if not form.validate():
        return _form_page("collect", form, status=400)
    ctx = context()
    try:
        licence, application = licences.find_for_collection(
            ctx.db, form.uscc.data or "", form.code.data or "", _source()
        )
        url = public_link("public.verify_licence", token=licence.verify_token)
        licences.print_licence(ctx.db, ctx.settings, licence, application, url)
    except ValidationFailed as exc:
        _field_errors(form, exc)
        return _form_page("collect", form, status=400)
    except Conflict as exc:  # too many wrong codes, or the printer is not available
        return _form_page("collect", form, notice=exc.message, status=409)
    session["collected"] = {"name": licence.name, "uscc": licence.uscc}
    return redirect(url_for("terminal.licence_collected"), 303)


@bp.get("/collect/done")
@public
def licence_collected() -> Response | str:
    """The licence is on its way out of the printer."""
    collected = session.get("collected")
    if not collected:
        return redirect(url_for("terminal.home"))
    return render_template("terminal/collected.html", collected=collected)


@bp.route("/fix", methods=["GET", "POST"])
@public
def fix_application() -> Response | tuple[str, int]:
    """Open an application staff sent back, to change the answers they asked about."""
    form = FixForm()
    if not form.is_submitted():
        return _form_page("fix", form)
    if not form.validate():
        return _form_page("fix", form, status=400)
    ctx = context()
    try:
        application = service.find_for_fixing(
            ctx.db, form.reference.data or "", form.code.data or "", _source()
        )
    except ValidationFailed as exc:
        _field_errors(form, exc)
        return _form_page("fix", form, status=400)
    except Conflict as exc:
        return _form_page("fix", form, notice=exc.message, status=409)
    task = TASKS[application.task]
    answers = dict(application.answers)
    answers.update(
        _amend=application.id,
        _key=secrets.token_hex(16),
        _fix={"reason": application.decision_reason, "steps": list(application.fix_steps)},
    )
    store(task, answers)
    return redirect(url_for("terminal.check_answers", task_slug=task.slug), 303)
