"""Printers: each kiosk's printer state, the print queue, and retry, cancel, reprint, preview."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kiosk.access import requires
from kiosk.admin.forms import ActionForm
from kiosk.admin.views import actor, bp, safe_next, settings
from kiosk.db import get_session
from kiosk.errors import Conflict
from kiosk.models import PrintStatus, Role
from kiosk.services import printing
from kiosk.services.printing import state
from printers import DEFAULT_PROFILE, Receipt, parse_printer_url, render_png

SHOWN = {"all": None, **{status.value: status for status in PrintStatus}}


@bp.get("/printers")
@requires(Role.STAFF)
def show_printers() -> str:
    """Every kiosk's printers at a glance, and the newest print jobs."""
    db = get_session()
    wanted = request.args.get("status", "all")
    jobs = printing.recent_jobs(db, status=SHOWN.get(wanted), limit=100)
    rows = state.all_states(db)
    counts = {row.kiosk_id: printing.job_counts(db, row.kiosk_id) for row in rows}
    return render_template(
        "admin/show_printers.html",
        states=rows,
        counts=counts,
        jobs=jobs,
        wanted=wanted if wanted in SHOWN else "all",
        statuses=list(SHOWN),
        form=ActionForm(),
        is_down=state.is_down,
    )


def _act(job_id: int, action: str) -> Response:
    form = ActionForm()
    if not form.validate():
        flash(
            _("This page had expired, so nothing was saved. Check what you typed and try again."),
            "error",
        )
        return redirect(url_for("admin.show_printers"), 303)
    operations = {
        "retry": (printing.retry_job, _("The job will be printed again.")),
        "cancel": (printing.cancel_job, _("The job has been cancelled.")),
        "reprint": (printing.reprint_job, _("A copy marked 补打 (reprint) will be printed.")),
    }
    operation, done = operations[action]
    try:  # a job absent or out of reach is a 404 (NotFound), not a flash
        operation(get_session(), job_id, actor())
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        flash(done, "success")
    return redirect(safe_next(request.form.get("back")) or url_for("admin.show_printers"), 303)


@bp.post("/print-jobs/<int:job_id>/retry")
@requires(Role.STAFF)
def retry_print_job(job_id: int) -> Response:
    """Send a job that did not print to the printer again."""
    return _act(job_id, "retry")


@bp.post("/print-jobs/<int:job_id>/cancel")
@requires(Role.STAFF)
def cancel_print_job(job_id: int) -> Response:
    """Take a waiting or failed job out of the queue."""
    return _act(job_id, "cancel")


@bp.post("/print-jobs/<int:job_id>/reprint")
@requires(Role.STAFF)
def reprint_print_job(job_id: int) -> Response:
    """Print a copy, marked 补打 (reprint) on the paper."""
    return _act(job_id, "reprint")


@bp.post("/print-jobs/acknowledge")
@requires(Role.STAFF)
def acknowledge_print_jobs() -> Response:
    """Staff have looked at the slips that did not print: the banner goes until the next."""
    form = ActionForm()
    if not form.validate():
        flash(
            _("This page had expired, so nothing was saved. Check what you typed and try again."),
            "error",
        )
    else:
        count = printing.acknowledge(get_session(), actor())
        flash(_("Marked %(n)s slips as looked at.", n=count), "success")
    return redirect(safe_next(request.form.get("back")) or url_for("admin.show_printers"), 303)


@bp.get("/print-jobs/<int:job_id>/preview")
@requires(Role.STAFF)
def preview_print_job(job_id: int) -> FlaskResponse:
    """What the job looks like on paper, as a PNG (the kiosk's own paper width when known)."""
    job = printing.get_job(get_session(), job_id)
    profile = DEFAULT_PROFILE
    if job.kiosk_id == settings().id:
        profile = parse_printer_url(settings().receipt_printer).profile
    png = render_png(Receipt.from_dict(job.document), profile=profile, reprint=job.reprint)
    return FlaskResponse(png, mimetype="image/png", headers={"Cache-Control": "no-store"})
