"""The maintenance API's printers and print jobs: read with a read token; retry and cancel a
job with an operate token. Each change is in the audit log with the token's name."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from kiosk.access import requires_token
from kiosk.api.common import actor, bad, limit, when
from kiosk.api.views import bp
from kiosk.db import get_session
from kiosk.errors import Conflict, NotFound
from kiosk.models import PrintJob, PrintStatus, Scope
from kiosk.services import printing
from kiosk.web import csrf


def as_json(job: PrintJob) -> dict[str, Any]:
    """A job as the API shows it (its document, which may hold a pickup code, is left out)."""
    return {
        "id": job.id,
        "kiosk": job.kiosk_id,
        "printer": job.printer,
        "kind": job.kind,
        "subject": job.subject,
        "status": job.status.value,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "created_at": job.created_at.isoformat(),
        "sent_at": job.sent_at.isoformat() if job.sent_at else None,
    }


@bp.get("/api/v1/print-jobs")
@requires_token(Scope.READ)
def list_print_jobs() -> Response | tuple[Response, int]:
    """The newest jobs, for one kiosk (`kiosk`) or in one state (`status`); `limit` ≤ 500."""
    status = request.args.get("status", "")
    if status and status not in {s.value for s in PrintStatus}:
        return bad("status", "one of " + ", ".join(s.value for s in PrintStatus))
    jobs = printing.recent_jobs(
        get_session(),
        kiosk_id=request.args.get("kiosk") or None,
        status=PrintStatus(status) if status else None,
        limit=limit(),
    )
    return jsonify(jobs=[as_json(job) for job in jobs])


@bp.get("/api/v1/printers")
@requires_token(Scope.READ)
def list_printers() -> Response:
    """Every kiosk's printers, as they last said."""
    rows = printing.state.all_states(get_session())
    return jsonify(
        printers=[
            {"kiosk": r.kiosk_id, "printer": r.printer, "url": r.url, "state": r.state,
             "detail": r.detail, "checked_at": when(r.checked_at),
             "last_error": r.last_error, "last_error_at": when(r.last_error_at)}
            for r in rows
        ]
    )  # fmt: skip


def _change(job_id: int, action: str) -> Response | tuple[Response, int]:
    change = printing.retry_job if action == "retry" else printing.cancel_job
    try:
        job = change(get_session(), job_id, actor())
    except NotFound as exc:
        return jsonify(error="not_found", message=str(exc.message)), 404
    except Conflict as exc:
        return jsonify(error="conflict", message=str(exc.message)), 409
    return jsonify(as_json(job))


@bp.post("/api/v1/print-jobs/<int(max=2147483647):job_id>/retry")
@requires_token(Scope.OPERATE)
def retry_print_job(job_id: int) -> Response | tuple[Response, int]:
    """Send a failed, expired or cancelled job to its printer again."""
    return _change(job_id, "retry")


@bp.post("/api/v1/print-jobs/<int(max=2147483647):job_id>/cancel")
@requires_token(Scope.OPERATE)
def cancel_print_job(job_id: int) -> Response | tuple[Response, int]:
    """Take a waiting or failed job out of the queue."""
    return _change(job_id, "cancel")


# A bearer token, not a cookie, authenticates these: there is no session to forge a request in.
for _view in (retry_print_job, cancel_print_job):
    csrf.exempt(_view)
