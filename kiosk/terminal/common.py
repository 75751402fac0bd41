"""The touchscreen's blueprint and what its pages share: short sessions, the draft answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import HiddenField

from kiosk.db import get_session
from kiosk.i18n import current_locale
from kiosk.services import tenants
from kiosk.services.printing import state
from kiosk.tasks import TASKS, Answers, StepContext, Task

bp = Blueprint("terminal", __name__)
# Only registered task slugs route here, so /admin/… and typos 404 in their own face.
TASK = "<any({}):task_slug>".format(", ".join(TASKS))
GRACE = 15  # seconds the server waits beyond the screen's own idle countdown before forgetting
DISPLAY = "display"  # session key: the large-text, high-contrast mode (适老化) when LARGE
LARGE = "large"
# Keys of a draft that are no answer of the person's: the submission key, the event looked at.
NOT_ANSWERS = frozenset({"_key", "event_id"})


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
        return any(key in session for key in ("answers", "done", "sheet", "locale", DISPLAY))

    def has_draft() -> bool:
        """Whether leaving for home would throw away something this person answered."""
        drafts = session.get("answers") or {}
        return any(
            any(key not in NOT_ANSWERS for key in draft)
            for draft in drafts.values()
            if isinstance(draft, dict)
        )

    def large_text() -> bool:
        return session.get(DISPLAY) == LARGE

    def here() -> str:
        """Where the masthead's switches come back to: this page, or the form shown again."""
        if request.method == "GET":
            return request.full_path.rstrip("?")
        if request.endpoint in ("terminal.task_step", "terminal.check_answers"):
            return request.path  # a refused answer: the same question, answers kept
        return url_for("terminal.home")

    def printer_down() -> bool:
        settings = current_app.config["KIOSK"]
        return state.is_down(state.get(get_session(), settings.id))

    return {
        "screen_state": lambda: current_app.extensions["kiosk.screen"],
        "building_name": building_name,
        "terminal_has_state": terminal_has_state,
        "has_draft": has_draft,
        "printer_down": printer_down,
        "large_text": large_text,
        "here": here,
    }


def context() -> StepContext:
    return StepContext(get_session(), current_app.config["KIOSK"], current_locale())


def task_or_404(slug: str) -> Task:
    task = TASKS.get(slug)
    if task is None:
        abort(404)
    return task


def answers_of(task: Task) -> Answers:
    drafts: dict[str, Answers] = session.setdefault("answers", {})
    return drafts.setdefault(task.slug, {})


def store(task: Task, answers: Answers) -> None:
    drafts = dict(session.get("answers", {}))
    drafts[task.slug] = answers
    session["answers"] = drafts
