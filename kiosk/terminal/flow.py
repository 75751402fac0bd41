"""Any task's flow at the touchscreen: one question a page, check your answers, done."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.errors import Conflict, ServiceBusy, ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.services import printing, tenants
from kiosk.sessions import write_session_now
from kiosk.tasks import TASKS, Answers, Step, StepContext, Task, dates
from kiosk.terminal.common import TASK, SubmitForm, answers_of, bp, context, store, task_or_404


@bp.get(f"/{TASK}/")
@public
def start_task(task_slug: str) -> Response:
    """Start a task, or carry on where the person left it."""
    task = task_or_404(task_slug)
    step = task.first_incomplete(answers_of(task))
    if step is None:
        return redirect(url_for("terminal.check_answers", task_slug=task.slug))
    return redirect(url_for("terminal.task_step", task_slug=task.slug, step_slug=step.slug))


def render_step(
    task: Task, step: Step, form: FlaskForm, *, notice: Any = None, status: int = 200
) -> tuple[str, int]:
    """Render one step's page (also used to show a rejected form again, with its data)."""
    ctx = context()
    answers = answers_of(task)
    previous = task.previous_step(step, answers)
    back = (
        url_for("terminal.task_step", task_slug=task.slug, step_slug=previous.slug)
        if previous
        else url_for("terminal.home")
    )
    extra: dict[str, Any] = {}
    if step.template == "terminal/steps/company.html":
        query = request.args.get("q", "")
        page = request.args.get("page", 1, type=int) or 1
        extra = {
            "query": query,
            "results": tenants.search(ctx.db, ctx.settings.building, query, page),
            # An application acts on a company of the building: no "not on the list" for it.
            "allow_other": task.paperwork is None,
        }
    if step.template == dates.TEMPLATE:
        chosen = dates.parse_day(answers.get(step.fields[0]))
        extra = {"shown": dates.month_of(form.calendar, chosen, request.args.get("month"))}
    steps = task.active_steps(answers)
    position = next((i for i, s in enumerate(steps) if s.slug == step.slug), 0) + 1
    html = render_template(
        step.template,
        task=task,
        step=step,
        form=form,
        notice=notice,
        back_url=back,
        changing=request.args.get("change") == "1",
        position=position,
        total=len(steps) + 1,  # the check page is the last step
        answers=answers,
        **extra,
    )
    return html, status


@bp.route(f"/{TASK}/<step_slug>", methods=["GET", "POST"])
@public
def task_step(task_slug: str, step_slug: str) -> Response | tuple[str, int]:
    """Show one question; on a valid answer store it and go on."""
    task = task_or_404(task_slug)
    step = task.step(step_slug) or abort(404)
    answers = answers_of(task)
    first = task.first_incomplete(answers)
    active = [s.slug for s in task.active_steps(answers)]
    if step.slug not in active or (
        first is not None and active.index(step.slug) > active.index(first.slug)
    ):
        return start_task(task.slug)
    ctx = replace(context(), answers=answers)
    if request.method == "GET":
        form = step.form(formdata=None, data={k: answers.get(k) for k in step.fields})
        step.prepare(form, ctx)
        return render_step(task, step, form)
    form = step.form()
    step.prepare(form, ctx)
    if not form.validate():
        return render_step(task, step, form, status=400)
    try:
        notice = step.save(form, answers, ctx) if step.save else None
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            if hasattr(form, name):
                getattr(form, name).errors = [message]
        return render_step(task, step, form, status=400)
    store(task, answers)
    try:
        write_session_now()
    except OperationalError:
        # The database is locked: the answer was not kept, so show it again to send once more.
        return render_step(task, step, form, notice=ServiceBusy().message, status=503)
    if notice:
        return render_step(task, step, form, notice=notice)
    following = task.next_step(step, answers)
    if request.args.get("change") == "1" or following is None:
        target = task.first_incomplete(answers)
        if target is None:
            return redirect(url_for("terminal.check_answers", task_slug=task.slug), 303)
        following = target
    return redirect(
        url_for("terminal.task_step", task_slug=task.slug, step_slug=following.slug), 303
    )


@bp.route(f"/{TASK}/check", methods=["GET", "POST"])
@public
def check_answers(task_slug: str) -> Response | tuple[str, int]:
    """Check your answers, each changeable; submitting twice gives one result."""
    task = task_or_404(task_slug)
    answers = answers_of(task)
    ctx = context()
    form = SubmitForm()
    if request.method == "POST" and form.validate():
        return _submit(task, answers, form.submission_key.data or "", ctx)
    step = task.first_incomplete(answers)
    if step is not None:
        return redirect(url_for("terminal.task_step", task_slug=task.slug, step_slug=step.slug))
    return render_check(task, answers)


def render_check(
    task: Task, answers: Answers, notice: Any = None, status: int = 200
) -> tuple[str, int]:
    """The check-your-answers page, with a fresh form carrying the draft's submission key."""
    if "_key" not in answers:
        answers["_key"] = secrets.token_hex(16)
        store(task, answers)
    form = SubmitForm(formdata=None)
    form.submission_key.data = answers["_key"]
    rows = task.check_rows(answers, context())
    last = task.active_steps(answers)[-1]
    back = url_for("terminal.task_step", task_slug=task.slug, step_slug=last.slug)
    html = render_template(
        "terminal/check.html",
        task=task,
        form=form,
        rows=rows,
        notice=notice,
        back_url=back,
        fix=answers.get("_fix"),
    )
    return html, status


def _submit(task: Task, answers: Answers, key: str, ctx: StepContext) -> Response:
    done = dict(session.get("done", {}))
    if answers.get("_key") != key:
        # A resubmitted form whose answers were already sent: show what it became.
        if done.get(task.slug, {}).get("key") == key:
            return redirect(url_for("terminal.task_done", task_slug=task.slug), 303)
        return redirect(url_for("terminal.check_answers", task_slug=task.slug), 303)
    try:
        submitted = task.submit(answers, ctx)
    except ValidationFailed as exc:
        # Something changed since the answer was given (a category withdrawn, a company
        # moved out): ask that question again, keeping every other answer.
        for name in exc.fields:
            answers.pop(name, None)
        if "tenant_id" in exc.fields:
            answers.pop("company_choice", None)
        store(task, answers)
        flash(str(exc.message if not exc.fields else next(iter(exc.fields.values()))), "error")
        return start_task(task.slug)
    done[task.slug] = {"reference": submitted.reference, "key": key}
    session["done"] = done
    drafts = dict(session.get("answers", {}))
    drafts.pop(task.slug, None)
    session["answers"] = drafts
    worker = current_app.extensions.get("kiosk.print_worker")
    if worker is not None:
        worker.wake()
    return redirect(url_for("terminal.task_done", task_slug=task.slug), 303)


def _done_reference(task: Task) -> str | None:
    entry = session.get("done", {}).get(task.slug)
    return str(entry["reference"]) if entry else None


@bp.get(f"/{TASK}/done")
@public
def task_done(task_slug: str) -> Response | str:
    """The confirmation: reference number, expected date, tracking QR, print status."""
    task = task_or_404(task_slug)
    reference = _done_reference(task)
    if reference is None:
        return redirect(url_for("terminal.home"))
    ctx = context()
    values = task.done_context(reference, ctx)
    slip = printing.slip_status(ctx.db, ctx.settings.id, f"{task.slug}_slip", reference)
    return render_template(task.done_template, task=task, slip=slip, **values)


@bp.get(f"/{TASK}/done/print-status")
@public
def print_status(task_slug: str) -> Response:
    """Whether the slip printed, for the confirmation page to show without reloading."""
    task = task_or_404(task_slug)
    reference = _done_reference(task)
    if reference is None:
        return jsonify(state="gone")
    ctx = context()
    slip = printing.slip_status(ctx.db, ctx.settings.id, f"{task.slug}_slip", reference)
    return jsonify(state=slip.state, printer_down=slip.printer_down, can_retry=slip.can_retry)


@bp.post(f"/{TASK}/done/print")
@public
def print_again(task_slug: str) -> Response:
    """Print the slip again after it failed (offered only while the printer can print)."""
    task = task_or_404(task_slug)
    reference = _done_reference(task)
    if reference is None:
        return redirect(url_for("terminal.home"))
    ctx = context()
    try:
        printing.print_again(ctx.db, ctx.settings.id, f"{task.slug}_slip", reference)
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        worker = current_app.extensions.get("kiosk.print_worker")
        if worker is not None:
            worker.wake()
    return redirect(url_for("terminal.task_done", task_slug=task.slug), 303)


@bp.errorhandler(CSRFError)
def _csrf_failed(exc: CSRFError) -> Any:
    """The page sat too long (or its session was wiped): show it again with what was typed."""
    message = _l(
        "This page had expired, so nothing was saved yet. Check your answer and try again."
    )
    args = request.view_args or {}
    task = TASKS.get(str(args.get("task_slug", "")))
    step = task.step(str(args.get("step_slug", ""))) if task else None
    if task is not None and step is not None and request.endpoint == "terminal.task_step":
        form = step.form(meta={"csrf": True})
        step.prepare(form, replace(context(), answers=answers_of(task)))
        return render_step(task, step, form, notice=message, status=400)
    if task is not None and request.endpoint == "terminal.check_answers":
        answers = answers_of(task)
        if task.first_incomplete(answers) is None:
            return render_check(task, answers, notice=message, status=400)
    if request.endpoint == "terminal.print_sheet":  # the company's list again, nothing printed
        from kiosk.terminal.policies import render_matches

        notice = _l("This page had expired, so nothing was printed. Try again.")
        try:
            return render_matches(int(args.get("tenant_id", 0)), notice=notice, status=400)
        except NotFound:
            pass  # not one of this building's companies: the plain error page
    return render_template("terminal/error.html", message=message, status=400), 400
