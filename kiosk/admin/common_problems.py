"""Common problems (共性问题 / 会商) in the admin: the list, one problem's page with its appeals,
meetings, progress and answer, the meeting form, and the appeal page's similar-appeals panel
from which appeals are grouped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.common_problem_forms import (
    AnswerForm,
    GroupForm,
    JoinForm,
    MeetingForm,
    ProgressForm,
)
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, today
from kiosk.db import get_session
from kiosk.errors import DomainError, NotFound, ValidationFailed
from kiosk.i18n import current_locale
from kiosk.labels import PROBLEM_EVENT, PROBLEM_STATE, STATUS
from kiosk.models import Appeal, CommonProblem, ProblemState, Role, Unit
from kiosk.services import common_problems, ledger
from kiosk.services.common_problems import ActionItem, Match

Page = str | tuple[str, int]


@dataclass(frozen=True)
class Panel:
    """What the appeal page shows of common problems: the one it is in, or similar appeals."""

    problem: CommonProblem | None
    owned: bool
    similar: list[Match]
    form: GroupForm | None  # None: this officer cannot own a common problem of it
    joinable: set[int]  # problems among the similar ones this officer may add the appeal to


def _panel(appeal: Appeal, form: GroupForm | None = None) -> Panel:
    db = get_session()
    problem = common_problems.for_appeal(db, appeal.id)
    if problem is not None:
        return Panel(problem, common_problems.owns(db, problem), [], None, set())
    if not appeal.status.is_open:
        return Panel(None, False, [], None, set())
    found = common_problems.similar(db, appeal)
    owners = common_problems.owners(db, [appeal])
    joinable = {
        m.problem_id
        for m in found
        if m.problem_id is not None
        and m.problem_state is ProblemState.OPEN
        and common_problems.owns(db, common_problems.get(db, m.problem_id))
    }
    if owners:
        form = form or GroupForm(formdata=None)
        _offer(form, owners)
        form.appeals.choices = [(str(m.id), m.reference) for m in found if m.problem_id is None]
    return Panel(None, False, found, form if owners else None, joinable)


def _offer(form: GroupForm, owners: list[Unit]) -> None:
    """The units the officer may give the problem to, and their officers."""
    locale = current_locale()
    form.owner.choices = [(str(u.id), u.name(locale)) for u in owners]
    db = get_session()
    people = {s.id: s for u in owners for s in common_problems.officers(db, u)}
    form.officer.choices = [(str(s.id), s.display_name) for s in people.values()]


@bp.context_processor
def _words() -> dict[str, Any]:
    return {
        "common_problem_panel": _panel,
        "problem_state_labels": PROBLEM_STATE,
        "problem_event_labels": PROBLEM_EVENT,
    }


def _number(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


@bp.get("/common-problems")
@requires(Role.STAFF)
def list_common_problems() -> str:
    """The common problems in reach: those a company says are not resolved first."""
    wanted = request.args.get("state", "")
    state = ProblemState(wanted) if wanted in {s.value for s in ProblemState} else None
    rows = common_problems.listing(get_session(), state)
    return render_template(
        "admin/common_problems/list_common_problems.html", rows=rows, state=state
    )


def _page(problem_id: int, status: int = 200, **forms: ActionForm) -> Page:
    db = get_session()
    problem = common_problems.get(db, problem_id)
    members = common_problems.members(db, problem)
    units = {u.id: u for u in common_problems.departments(db, problem.unit)}
    html = render_template(
        "admin/common_problems/show_common_problem.html",
        problem=problem,
        members=members,
        flagged=common_problems.flagged(problem, members),
        owned=common_problems.owns(db, problem),
        units=units,
        status_labels=STATUS,
        answer_form=forms.get("answer") or AnswerForm(formdata=None, answer=problem.answer),
        progress_form=forms.get("progress") or ProgressForm(formdata=None),
        action=ActionForm(formdata=None),
    )
    return html, status


@bp.get("/common-problems/<int:problem_id>")
@requires(Role.STAFF)
def show_common_problem(problem_id: int) -> Page:
    """One common problem: its appeals, meetings, progress and answer."""
    return _page(problem_id)


def _owned_or_404(problem_id: int) -> CommonProblem:
    db = get_session()
    problem = common_problems.get(db, problem_id)
    if not common_problems.owns(db, problem):
        raise NotFound()
    return problem


def _refused(form: ActionForm, exc: ValidationFailed) -> None:
    if not form.show_errors(exc.fields):
        flash(str(exc.message), "error")


@bp.post("/appeals/<reference>/common-problem")
@requires(Role.STAFF)
def group_appeals(reference: str) -> Response:
    """Group this appeal and the similar ones chosen into a new common problem."""
    appeal = ledger.get_appeal(get_session(), reference)
    form = GroupForm()
    back = url_for("admin.show_appeal", reference=reference)
    if not form.validate():
        flash(_("This page had expired. Please try again."), "error")
        return redirect(back, 303)
    chosen = [n for n in (_number(v) for v in form.appeals.data or []) if n is not None]
    try:
        problem = common_problems.group(
            get_session(), actor(), [appeal.id, *chosen], title=form.title.data or "",
            unit_id=_number(form.owner.data), officer_id=_number(form.officer.data),
        )  # fmt: skip
    except DomainError as exc:
        if exc.status == 404:
            raise
        fields = exc.fields if isinstance(exc, ValidationFailed) else {}
        for message in fields.values() if fields else [exc.message]:
            flash(str(message), "error")
        return redirect(back + "#common-problem", 303)
    flash(_("Grouped into a common problem."), "success")
    return redirect(url_for("admin.show_common_problem", problem_id=problem.id), 303)


def _act(problem_id: int, form: ActionForm, run: Callable[[], object], done: str) -> Response:
    """Run one change behind the form's CSRF token; say what happened or why not."""
    _owned_or_404(problem_id)
    if not form.validate():
        flash(_("This page had expired. Please try again."), "error")
    else:
        try:
            run()
        except DomainError as exc:
            if exc.status == 404:
                raise
            fields = exc.fields if isinstance(exc, ValidationFailed) else {}
            flash(str(next(iter(fields.values()), exc.message)), "error")
        else:
            flash(done, "success")
    return redirect(url_for("admin.show_common_problem", problem_id=problem_id), 303)


@bp.post("/common-problems/<int:problem_id>/join")
@requires(Role.STAFF)
def join_common_problem(problem_id: int) -> Response:
    """Add an appeal (named in the form) to this open common problem."""
    form = JoinForm()
    appeal_id = _number(form.appeal.data)
    return _act(
        problem_id,
        form,
        lambda: common_problems.add(get_session(), actor(), problem_id, [appeal_id or 0]),
        _("Added to the common problem."),
    )


@bp.post("/common-problems/<int:problem_id>/remove")
@requires(Role.STAFF)
def remove_from_common_problem(problem_id: int) -> Response:
    """Take an appeal (named in the form) out of the common problem."""
    form = JoinForm()
    appeal_id = _number(form.appeal.data) or 0
    return _act(
        problem_id,
        form,
        lambda: common_problems.remove(get_session(), actor(), problem_id, appeal_id),
        _("Taken out of the common problem; it goes on as an appeal of its own."),
    )


@bp.post("/common-problems/<int:problem_id>/progress")
@requires(Role.STAFF)
def note_common_problem(problem_id: int) -> Response:
    """Record progress on the problem."""
    form = ProgressForm()
    return _act(
        problem_id,
        form,
        lambda: common_problems.note_progress(
            get_session(), actor(), problem_id, form.body.data or ""
        ),
        _("Progress recorded."),
    )


@bp.post("/common-problems/<int:problem_id>/answer")
@requires(Role.STAFF)
def answer_common_problem(problem_id: int) -> Response | Page:
    """Send the one answer to every open appeal of the problem."""
    _owned_or_404(problem_id)
    form = AnswerForm()
    if not form.validate():
        flash(_("This page had expired. Please try again."), "error")
        return redirect(url_for("admin.show_common_problem", problem_id=problem_id), 303)
    try:
        reached = common_problems.answer(get_session(), actor(), problem_id, form.answer.data or "")
    except ValidationFailed as exc:
        _refused(form, exc)
        return _page(problem_id, 400, answer=form)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(str(exc.message), "error")
    else:
        flash(
            _("The answer reached %(n)s appeals; their companies are told by SMS.", n=reached),
            "success",
        )
    return redirect(url_for("admin.show_common_problem", problem_id=problem_id), 303)


@bp.post("/common-problems/<int:problem_id>/close")
@requires(Role.STAFF)
def close_common_problem(problem_id: int) -> Response:
    """Close an answered problem, or take a closed one up again."""
    return _act(
        problem_id,
        ActionForm(),
        lambda: common_problems.close(get_session(), actor(), problem_id),
        _("Saved."),
    )


@bp.route("/common-problems/<int:problem_id>/meetings/new", methods=["GET", "POST"])
@requires(Role.STAFF)
def record_meeting(problem_id: int) -> Response | Page:
    """The meeting form (会商会), and recording it."""
    problem = _owned_or_404(problem_id)
    posted = request.method == "POST"
    form = MeetingForm() if posted else MeetingForm(formdata=None, held_on=today())
    departments = common_problems.departments(get_session(), problem.unit)
    locale = current_locale()
    form.present.choices = [(str(u.id), u.name(locale)) for u in departments]
    for row in form.actions:
        row.form.who.choices = [("", problem.unit.name(locale)), *form.present.choices]
    status = 200
    if posted and form.validate():
        try:
            common_problems.record_meeting(
                get_session(), actor(), problem_id, today=today(), held_on=form.held_on.data,
                present=[n for n in map(_number, form.present.data or []) if n is not None],
                others=form.others.data or "", decisions=form.decisions.data or "",
                actions=[ActionItem(_number(r.form.who.data), r.form.what.data or "",
                                    r.form.due.data) for r in form.actions],
            )  # fmt: skip
        except ValidationFailed as exc:
            _refused(form, exc)
            status = 400
        else:
            flash(_("Meeting recorded."), "success")
            return redirect(url_for("admin.show_common_problem", problem_id=problem_id), 303)
    elif posted:
        status = 400
    html = render_template("admin/common_problems/record_meeting.html", problem=problem, form=form)
    return html, status
