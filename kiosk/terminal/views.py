"""The touchscreen: home, language, wipe, and the generic task flow (steps → check → done)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
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
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response
from wtforms import HiddenField

from kiosk.access import public
from kiosk.config import LOCALES
from kiosk.db import get_session
from kiosk.errors import ServiceBusy, ValidationFailed
from kiosk.i18n import current_locale
from kiosk.services import appeals, printing, tenants
from kiosk.sessions import write_session_now
from kiosk.tasks import TASKS, Answers, Step, StepContext, Task
from kiosk.web import csrf

bp = Blueprint("terminal", __name__)
# Only registered task slugs route here, so /admin/… and typos 404 in their own face.
TASK = "<any({}):task_slug>".format(", ".join(TASKS))
GRACE = 15  # seconds the server waits beyond the screen's own idle countdown before forgetting


class SubmitForm(FlaskForm):
    """The check-your-answers page's submit; the key makes a double submit harmless."""

    submission_key = HiddenField()


@bp.before_request
def _short_sessions() -> None:
    settings = current_app.config["KIOSK"]
    idle = settings.idle_seconds + settings.idle_countdown_seconds + GRACE
    session.idle_lifetime = timedelta(seconds=idle)  # type: ignore[attr-defined]


@bp.context_processor
def _layout_helpers() -> dict[str, Any]:
    def building_name() -> str:
        settings = current_app.config["KIOSK"]
        building = tenants.get_building(get_session(), settings.building)
        if building is None:
            return str(settings.station_name)
        return building.name_en if current_locale() == "en" else building.name_zh

    def terminal_has_state() -> bool:
        return any(key in session for key in ("answers", "done", "locale"))

    return {"building_name": building_name, "terminal_has_state": terminal_has_state}


def _context() -> StepContext:
    return StepContext(get_session(), current_app.config["KIOSK"], current_locale())


def _task(slug: str) -> Task:
    task = TASKS.get(slug)
    if task is None:
        abort(404)
    return task


def _answers(task: Task) -> Answers:
    drafts: dict[str, Answers] = session.setdefault("answers", {})
    return drafts.setdefault(task.slug, {})


def _store(task: Task, answers: Answers) -> None:
    drafts = dict(session.get("answers", {}))
    drafts[task.slug] = answers
    session["answers"] = drafts


@bp.get("/")
@public
def home() -> str:
    """The home screen: the building, the tiles, the language switch."""
    ctx = _context()
    year_start = datetime.now(ctx.settings.zone).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    figures = appeals.building_figures(ctx.db, ctx.settings.building, year_start)
    return render_template("terminal/home.html", tasks=list(TASKS.values()), figures=figures)


@bp.post("/language")
@public
def switch_language() -> Response:
    """Switch between 中文 and English, staying on the same page."""
    locale = request.form.get("locale", "")
    if locale in LOCALES:
        session["locale"] = locale
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = url_for("terminal.home")
    return redirect(target, 303)


@bp.post("/reset")
@public
def wipe_session() -> Response:
    """Forget everything of the person at the screen (idle timeout, Finish, Start again)."""
    session.wipe()  # type: ignore[attr-defined]
    if request.accept_mimetypes.best == "application/json":
        return jsonify(wiped=True)
    return redirect(url_for("terminal.home"), 303)


# Wiping is harmless to force, and must work after the session (and its CSRF token) expired.
csrf.exempt(wipe_session)


@bp.get(f"/{TASK}/")
@public
def start_task(task_slug: str) -> Response:
    """Start a task, or carry on where the person left it."""
    task = _task(task_slug)
    step = task.first_incomplete(_answers(task))
    if step is None:
        return redirect(url_for("terminal.check_answers", task_slug=task.slug))
    return redirect(url_for("terminal.task_step", task_slug=task.slug, step_slug=step.slug))


def render_step(
    task: Task, step: Step, form: FlaskForm, *, notice: Any = None, status: int = 200
) -> tuple[str, int]:
    """Render one step's page (also used to show a rejected form again, with its data)."""
    ctx = _context()
    answers = _answers(task)
    previous = task.previous_step(step, answers)
    back = (
        url_for("terminal.task_step", task_slug=task.slug, step_slug=previous.slug)
        if previous
        else url_for("terminal.home")
    )
    extra: dict[str, Any] = {}
    if step.slug == "company":
        query = request.args.get("q", "")
        page = request.args.get("page", 1, type=int) or 1
        extra = {
            "query": query,
            "results": tenants.search(ctx.db, ctx.settings.building, query, page),
        }
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
    task = _task(task_slug)
    step = task.step(step_slug) or abort(404)
    answers = _answers(task)
    first = task.first_incomplete(answers)
    active = [s.slug for s in task.active_steps(answers)]
    if step.slug not in active or (
        first is not None and active.index(step.slug) > active.index(first.slug)
    ):
        return start_task(task.slug)
    ctx = _context()
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
    _store(task, answers)
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
    task = _task(task_slug)
    answers = _answers(task)
    ctx = _context()
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
        _store(task, answers)
    form = SubmitForm(formdata=None)
    form.submission_key.data = answers["_key"]
    rows = task.check_rows(answers, _context())
    last = task.active_steps(answers)[-1]
    back = url_for("terminal.task_step", task_slug=task.slug, step_slug=last.slug)
    html = render_template(
        "terminal/check.html", task=task, form=form, rows=rows, notice=notice, back_url=back
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
        _store(task, answers)
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
    task = _task(task_slug)
    reference = _done_reference(task)
    if reference is None:
        return redirect(url_for("terminal.home"))
    context = task.done_context(reference, _context())
    return render_template(task.done_template, task=task, **context)


@bp.get(f"/{TASK}/done/print-status")
@public
def print_status(task_slug: str) -> Response:
    """Whether the slip printed, for the confirmation page to show without reloading."""
    task = _task(task_slug)
    reference = _done_reference(task)
    if reference is None:
        return jsonify(state="gone")
    job = printing.latest_job(get_session(), f"{task.slug}_slip", reference)
    return jsonify(state=printing.tenant_state(job))


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
        step.prepare(form, _context())
        return render_step(task, step, form, notice=message, status=400)
    if task is not None and request.endpoint == "terminal.check_answers":
        answers = _answers(task)
        if task.first_incomplete(answers) is None:
            return render_check(task, answers, notice=message, status=400)
    return render_template("terminal/error.html", message=message, status=400), 400
