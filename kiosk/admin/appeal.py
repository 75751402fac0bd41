"""One appeal: every field, the whole timeline, and the actions its status allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from kiosk.access import requires
from kiosk.admin.forms import (
    ActionForm,
    AssignForm,
    NoteForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
)
from kiosk.admin.handoff_panel import panel
from kiosk.admin.ledger_filters import TIMING
from kiosk.admin.views import actor, bp, can_supervise, me, settings, today
from kiosk.db import get_session
from kiosk.errors import Conflict, NotFound, ValidationFailed
from kiosk.i18n import current_locale
from kiosk.labels import CALLBACK, EVENT, HANDOFF_STATE, RATING, SOURCE, STATUS
from kiosk.models import Appeal, AppealStatus, Role
from kiosk.services import appeals, assignments, ledger, notify, staff
from kiosk.services.audit import Actor

FORMS: dict[str, type[ActionForm]] = {
    "accept": ActionForm,
    "assign": AssignForm,
    "reply": ReplyForm,
    "note": NoteForm,
    "resolve": ResolveForm,
    "reopen": ReopenForm,
}

PANEL_LABELS = {
    "handoff_state_labels": HANDOFF_STATE,
    "source_labels": SOURCE,
    "callback_labels": CALLBACK,
    "timing_labels": TIMING,
}
ENDPOINT_ACTIONS = {
    "admin.accept_appeal": "accept",
    "admin.assign_appeal": "assign",
    "admin.reply_to_appeal": "reply",
    "admin.add_note": "note",
    "admin.resolve_appeal": "resolve",
    "admin.reopen_appeal": "reopen",
}


def _allowed(appeal: Appeal) -> list[str]:
    """The actions that make sense in the appeal's current status, in the page's order (a
    department's officer answers through the hand-off: notes only here)."""
    if assignments.is_department(me()):
        return ["note"]
    status = appeal.status
    allowed = ["accept"] if status is AppealStatus.NEW else []
    if status.is_open:
        allowed += ["reply", "resolve", "assign"]
    if status in (AppealStatus.RESOLVED, AppealStatus.CLOSED):
        allowed.append("reopen")
    return [*allowed, "note"]


def _assign_choices(form: AssignForm, appeal: Appeal) -> None:
    """A supervisor may pick any active staff member; anyone else only themselves."""
    myself = me()
    people = staff.active_staff(get_session()) if can_supervise(myself) else [myself]
    form.assignee.choices = [SelectChoice(person.id, person.display_name) for person in people]
    if form.assignee.data is None:
        form.assignee.data = appeal.assignee_id or myself.id


def render_appeal(
    appeal: Appeal, posted: tuple[str, ActionForm] | None = None, *, notice: Any = None
) -> tuple[str, int]:
    """The appeal's page; `posted` is a refused form, shown again with what was typed."""
    forms: dict[str, ActionForm] = {}
    for name in _allowed(appeal):
        form = posted[1] if posted and posted[0] == name else FORMS[name](formdata=None)
        if isinstance(form, AssignForm):
            _assign_choices(form, appeal)
        forms[name] = form
    html = render_template(
        "admin/show_appeal.html",
        appeal=appeal,
        forms=forms,
        notice=notice,
        today=today(),
        locale=current_locale(),
        status_label=STATUS[appeal.status],
        event_labels=EVENT,
        rating_labels=RATING,
        may_assign_others=can_supervise(me()),
        told=notify.for_subject(get_session(), "appeal", appeal.reference),
        handoff=panel(appeal, posted),
        **PANEL_LABELS,
    )
    return html, 200 if posted is None else 400


def render_after_csrf_failure(reference: str, message: Any) -> tuple[str, int]:
    """A refused action without a valid token: the page again, the typed text kept."""
    try:
        appeal = _appeal(reference)
    except NotFound:
        return render_template("admin/error.html", message=message, status=400), 400
    action = ENDPOINT_ACTIONS.get(request.endpoint or "")
    if action is None or action not in _allowed(appeal):
        return render_appeal(appeal, notice=message)[0], 400
    return render_appeal(appeal, (action, FORMS[action]()), notice=message)


def _appeal(reference: str) -> Appeal:
    """The appeal, if it is this staff member's to see (the session's scope)."""
    return ledger.get_appeal(get_session(), reference)


@bp.get("/appeals/<reference>")
@requires(Role.STAFF)
def show_appeal(reference: str) -> tuple[str, int]:
    """Everything about one appeal, for staff (the full mobile number, internal notes)."""
    return render_appeal(_appeal(reference))


Run = Callable[[int, ActionForm, Actor], object]


def _act(reference: str, action: str, run: Run, done: str) -> Response | tuple[str, int]:
    """Validate the action's form, call its one service function, and go back to the appeal."""
    appeal = _appeal(reference)
    if action not in _allowed(appeal) and assignments.is_department(me()):
        message = _("A department answers through the hand-off, for the sender's review.")
        return render_template("admin/error.html", message=message, status=403), 403
    form = FORMS[action]()
    if isinstance(form, AssignForm):
        _assign_choices(form, appeal)
    back = url_for("admin.show_appeal", reference=appeal.reference)
    if not form.validate():
        return render_appeal(appeal, (action, form))
    try:
        run(appeal.id, form, actor())
    except ValidationFailed as exc:
        if not form.show_errors(exc.fields):
            flash(str(exc.message), "error")
        return render_appeal(appeal, (action, form))
    except (Conflict, NotFound) as exc:
        flash(str(exc.message), "error")  # e.g. a colleague resolved it a moment ago
        return redirect(back, 303)
    flash(done, "success")
    return redirect(back, 303)


@bp.post("/appeals/<reference>/accept")
@requires(Role.STAFF)
def accept_appeal(reference: str) -> Response | tuple[str, int]:
    """Accept a new appeal for handling (受理)."""

    def run(appeal_id: int, form: ActionForm, who: Actor) -> object:
        return appeals.accept(get_session(), appeal_id, who)

    return _act(reference, "accept", run, _("The appeal has been accepted."))


@bp.post("/appeals/<reference>/assign")
@requires(Role.STAFF)
def assign_appeal(reference: str) -> Response | tuple[str, int]:
    """Give the appeal to someone; a plain staff member can only take it themselves."""
    myself = me()
    if not can_supervise(myself) and request.form.get("assignee") != str(myself.id):
        message = _("Only a supervisor can assign an appeal to someone else.")
        return render_template("admin/error.html", message=message, status=403), 403

    def run(appeal_id: int, form: ActionForm, who: Actor) -> object:
        return appeals.assign(get_session(), appeal_id, form.assignee.data, who)

    return _act(reference, "assign", run, _("The appeal has been assigned."))


@bp.post("/appeals/<reference>/reply")
@requires(Role.STAFF)
def reply_to_appeal(reference: str) -> Response | tuple[str, int]:
    """Send a reply the tenant sees on their status page."""

    def run(appeal_id: int, form: ActionForm, who: Actor) -> object:
        return appeals.reply(
            get_session(),
            appeal_id,
            form.reply.data or "",
            who,
            needs_info=bool(form.needs_info.data),
        )

    return _act(reference, "reply", run, _("Your reply has been sent to the tenant."))


@bp.post("/appeals/<reference>/note")
@requires(Role.STAFF)
def add_note(reference: str) -> Response | tuple[str, int]:
    """Add an internal note for colleagues."""

    def run(appeal_id: int, form: ActionForm, who: Actor) -> object:
        return appeals.add_note(get_session(), appeal_id, form.note.data or "", who)

    return _act(reference, "note", run, _("Your note has been added."))


@bp.post("/appeals/<reference>/resolve")
@requires(Role.STAFF)
def resolve_appeal(reference: str) -> Response | tuple[str, int]:
    """Resolve the appeal with a final answer; the tenant is then asked to rate it."""

    def run(appeal_id: int, form: ActionForm, who: Actor) -> object:
        return appeals.resolve(get_session(), appeal_id, form.answer.data or "", who)

    return _act(reference, "resolve", run, _("The appeal has been resolved."))


@bp.post("/appeals/<reference>/reopen")
@requires(Role.STAFF)
def reopen_appeal(reference: str) -> Response | tuple[str, int]:
    """Take a resolved or closed appeal up again, with the reason."""

    def run(appeal_id: int, form: ActionForm, who: Actor) -> object:
        return appeals.reopen(get_session(), settings(), appeal_id, form.reason.data or "", who)

    return _act(reference, "reopen", run, _("The appeal has been reopened."))
