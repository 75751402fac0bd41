"""Hand-offs in the admin: hand an appeal to a department, the department's steps, the
sending unit's review, urges, the follow-up call, the queues, and a 12345 call entered."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.appeal import render_appeal
from kiosk.admin.assignment_forms import CallbackForm, HandOffForm, HotlineForm
from kiosk.admin.forms import ActionForm
from kiosk.admin.handoff_panel import ROW_FORMS, hand_off_form, row_prefix
from kiosk.admin.views import actor, bp, me, settings, today
from kiosk.db import get_session
from kiosk.errors import Conflict, ValidationFailed
from kiosk.i18n import current_locale
from kiosk.labels import CALLBACK, HANDOFF_STATE
from kiosk.models import Appeal, Role
from kiosk.services import assignments, ledger
from kiosk.services.appeals import active_categories
from kiosk.services.audit import Actor

Run = Callable[[ActionForm, Actor], object]


def _done(
    appeal: Appeal, name: str, form: ActionForm, run: Run, message: str
) -> Response | tuple[str, int]:
    """Validate, call the one service function, and go back to the appeal's page."""
    back = url_for("admin.show_appeal", reference=appeal.reference)
    if not form.validate():
        return render_appeal(appeal, (name, form))
    try:
        run(form, actor())
    except ValidationFailed as exc:
        if not form.show_errors(exc.fields):
            flash(str(exc.message), "error")
        return render_appeal(appeal, (name, form))
    except Conflict as exc:
        flash(str(exc.message), "error")  # e.g. a colleague published it a moment ago
        return redirect(back, 303)
    flash(message, "success")
    return redirect(back, 303)


@bp.post("/appeals/<reference>/hand-off")
@requires(Role.STAFF)
def hand_off_appeal(reference: str) -> Response | tuple[str, int]:
    """交办: hand the appeal to a department with a time limit in working days."""
    appeal = ledger.get_appeal(get_session(), reference)
    form = hand_off_form(appeal, ("hand_off", HandOffForm()))

    def run(form: ActionForm, who: Actor) -> object:
        assert isinstance(form, HandOffForm)
        department = form.department.data or ""
        helpers = [int(v) for v in form.co_handlers.data or [] if str(v).isdigit()]
        return assignments.hand_off(
            get_session(), settings(), appeal.id, int(department) if department.isdigit() else None,
            form.days.data, who, today=today(), co_handlers=helpers,
        )  # fmt: skip

    return _done(appeal, "hand_off", form, run, _("The appeal has been handed to the department."))


def _step(assignment_id: int, name: str, run: Run, message: str) -> Response | tuple[str, int]:
    """One step on a hand-off, from its row's form on the appeal's page."""
    row = assignments.get(get_session(), assignment_id)
    appeal = ledger.get_appeal(get_session(), row.appeal.reference)
    form = ROW_FORMS[name](prefix=row_prefix(row.id))
    return _done(appeal, f"{name}:{row.id}", form, run, message)


@bp.post("/hand-offs/<int:assignment_id>/accept")
@requires(Role.STAFF)
def accept_hand_off(assignment_id: int) -> Response | tuple[str, int]:
    """The department takes the hand-off on."""

    def run(form: ActionForm, who: Actor) -> object:
        return assignments.accept(get_session(), assignment_id, who)

    return _step(assignment_id, "accept", run, _("Your department has accepted it."))


@bp.post("/hand-offs/<int:assignment_id>/return")
@requires(Role.STAFF)
def return_hand_off(assignment_id: int) -> Response | tuple[str, int]:
    """ "Not ours": back to the unit that sent it, with the reason."""

    def run(form: Any, who: Actor) -> object:
        return assignments.return_to_sender(get_session(), assignment_id, form.reason.data, who)

    return _step(assignment_id, "return", run, _("It has gone back to the unit that sent it."))


@bp.post("/hand-offs/<int:assignment_id>/reply")
@requires(Role.STAFF)
def reply_to_hand_off(assignment_id: int) -> Response | tuple[str, int]:
    """The department's reply, for the sending unit's review."""

    def run(form: Any, who: Actor) -> object:
        return assignments.reply(
            get_session(), assignment_id, form.reply.data or "", who,
            asks_info=bool(form.asks_info.data),
        )  # fmt: skip

    return _step(assignment_id, "reply", run, _("Your reply has been sent for review."))


@bp.post("/hand-offs/<int:assignment_id>/publish")
@requires(Role.STAFF)
def publish_hand_off(assignment_id: int) -> Response | tuple[str, int]:
    """Publish the department's reply to the tenant."""

    def run(form: ActionForm, who: Actor) -> object:
        return assignments.publish(get_session(), assignment_id, who)

    return _step(assignment_id, "publish", run, _("The reply has been published to the tenant."))


@bp.post("/hand-offs/<int:assignment_id>/send-back")
@requires(Role.STAFF)
def send_back_hand_off(assignment_id: int) -> Response | tuple[str, int]:
    """Send the department's reply back, saying what to change."""

    def run(form: Any, who: Actor) -> object:
        return assignments.send_back(get_session(), assignment_id, form.note.data or "", who)

    return _step(assignment_id, "send_back", run, _("The reply has gone back to the department."))


@bp.post("/hand-offs/<int:assignment_id>/urge")
@requires(Role.STAFF)
def urge_hand_off(assignment_id: int) -> Response | tuple[str, int]:
    """催办: press the department; recorded, and its handler is told."""

    def run(form: Any, who: Actor) -> object:
        return assignments.urge(
            get_session(), settings(), assignment_id, form.note.data or "", who, today=today()
        )

    return _step(assignment_id, "urge", run, _("The department has been urged."))


@bp.post("/appeals/<reference>/call-back")
@requires(Role.STAFF)
def call_back_appeal(reference: str) -> Response | tuple[str, int]:
    """Record the follow-up call (回访) on a resolved appeal."""
    appeal = ledger.get_appeal(get_session(), reference)
    form = CallbackForm(prefix="callback")
    form.result.choices = [(k.value, v) for k, v in CALLBACK.items()]

    def run(form: Any, who: Actor) -> object:
        return assignments.call_back(
            get_session(), appeal.id, form.result.data or "", form.note.data or "", who
        )

    return _done(appeal, "call_back", form, run, _("The follow-up call has been recorded."))


@bp.get("/hand-offs")
@requires(Role.STAFF)
def list_hand_offs() -> str:
    """What waits for the reader's unit: a department's hand-offs, or replies to review and
    hand-offs returned to it."""
    staff = me()
    department = assignments.is_department(staff)
    unit_id = staff.unit_id or 0
    cutoffs = assignments.Cutoffs.on(assignments.Calendar.of(settings()), today())
    return render_template(
        "admin/assignments/list_hand_offs.html",
        queues=assignments.queues(get_session(), unit_id, department=department),
        department=department,
        cutoffs=cutoffs,
        state_labels=HANDOFF_STATE,
        locale=current_locale(),
    )


def _hotline_form() -> HotlineForm:
    form = HotlineForm()
    db, locale = get_session(), current_locale()
    form.building.choices = [(u.code, u.name(locale)) for u in assignments.buildings(db)]
    form.category.choices = [(c.code, c.name(locale)) for c in active_categories(db)]
    if not form.key.data:
        form.key.data = uuid.uuid4().hex
    return form


@bp.route("/hotline", methods=["GET", "POST"])
@requires(Role.STAFF)
def new_hotline_appeal() -> Response | tuple[str, int]:
    """Enter a 12345 hotline call as an appeal (source "hotline")."""
    form = _hotline_form()
    if request.method == "POST" and form.validate():
        call = assignments.HotlineCall(
            submission_key=form.key.data or "", building=form.building.data or "",
            ticket=form.ticket.data or "", company_name=form.company_name.data or "",
            company_uscc=form.company_uscc.data or "", category=form.category.data or "",
            description=form.description.data or "", contact_name=form.contact_name.data or "",
            contact_mobile=form.contact_mobile.data or "",
        )  # fmt: skip
        try:
            appeal = assignments.record_call(get_session(), settings(), call, actor())
        except ValidationFailed as exc:
            if not form.show_errors(exc.fields):
                flash(str(exc.message), "error")
        else:
            flash(_("The call has been recorded as appeal %(ref)s.", ref=appeal.reference))
            return redirect(url_for("admin.show_appeal", reference=appeal.reference), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/assignments/new_hotline_appeal.html", form=form), status
