"""An application's status page and a licence's verification page, opened from QR codes."""

from __future__ import annotations

from flask import current_app, render_template

from kiosk.access import public
from kiosk.db import get_session
from kiosk.i18n import use_record_locale
from kiosk.labels import APPLICATION_EVENT, APPLICATION_STATUS, LICENCE_STATUS
from kiosk.models import ApplicationStatus
from kiosk.public.views import bp
from kiosk.services import applications, licences
from kiosk.tasks import TASKS
from kiosk.tasks.applying import receipt_lines


@bp.get("/applications/<token>")
@public
def application_status(token: str) -> str:
    """Status, what to fix or why not, the pickup code and the history; masked data only."""
    application = applications.get_by_token(get_session(), token)
    use_record_locale(application.locale)
    task = TASKS[application.task]
    fix = []
    if application.status is ApplicationStatus.CHANGES_REQUESTED:
        fix = [step.title for step in task.steps if step.slug in application.fix_steps]
    return render_template(
        "public/application_status.html",
        application=application,
        task=task,
        lines=receipt_lines(task, application),
        status_label=APPLICATION_STATUS[application.status],
        events=applications.public_events(application),
        event_labels=APPLICATION_EVENT,
        fix=fix,
        hotline=current_app.config["KIOSK"].hotline,
    )


@bp.get("/licence/<token>")
@public
def verify_licence(token: str) -> str:
    """Whether a printed licence is genuine and current, and nothing else."""
    verified = licences.verify(get_session(), token)
    return render_template(
        "public/verify_licence.html",
        licence=verified,
        status_label=LICENCE_STATUS[verified.status],
    )
