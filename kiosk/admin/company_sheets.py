"""The company list as a spreadsheet: upload an XLSX or CSV, see what importing it would add
and change (and every wrong row), confirm with one button; download the list in the same
columns."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField

from kiosk import scope
from kiosk.access import requires
from kiosk.admin import company_export
from kiosk.admin.views import actor, bp, me, today
from kiosk.db import get_session, transaction, utcnow
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Role
from kiosk.services import audit
from kiosk.services.companies import CompanyFilter, sheet_store, sheets
from kiosk.services.companies.sheet_import import Plan, plan_import, run_import
from kiosk.services.companies.sheets import BY_KEY, MAX_BYTES, MAX_ROWS, SheetError, read_sheet
from kiosk.text import is_whole

PENDING = "company_import"  # the session's key for the upload waiting to be confirmed
DONE = "company_import_done"
UPLOAD_LIMIT = 4 * MAX_BYTES  # a larger request is refused before it is read (413)


class UploadForm(FlaskForm):
    """A company list to import."""

    file = FileField(
        _l("XLSX or CSV file"),
        description=_l("At most 5 MB and 20,000 companies; the first row names the columns."),
    )


class ConfirmForm(FlaskForm):
    """The one button that imports what the preview showed."""

    digest = HiddenField()


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Runs before any before_request reads the form: only this upload may be larger than the
    # admin's usual request, so a file over 5 MB is told so in words rather than refused bare.
    if endpoint == "admin.upload_company_sheet":
        request.max_content_length = UPLOAD_LIMIT


def _folder() -> Path:
    return Path(current_app.instance_path) / "company-imports"


@bp.route("/companies/import", methods=["GET", "POST"])
@requires(Role.SUPERVISOR)
def upload_company_sheet() -> BaseResponse | tuple[str, int] | str:
    """The upload form; a readable file is kept and its preview shown."""
    form = UploadForm()
    if not form.is_submitted():
        return _upload_page(form)
    upload = request.files.get("file")
    if not form.validate():
        form.form_errors.append(_("This page had expired. Choose the file again."))
    elif upload is None or not upload.filename:
        form.file.errors = [_("Choose a file.")]
    else:
        try:
            sheet = read_sheet(upload.read(MAX_BYTES + 1), upload.filename)
        except SheetError as exc:
            form.file.errors = [str(exc.message)]
        else:
            folder = _folder()
            if session.get(PENDING):
                sheet_store.drop(folder, session[PENDING])
            session[PENDING] = sheet_store.keep(
                folder, sheet, filename=upload.filename, staff_id=me().id, now=time.time()
            )
            return redirect(url_for("admin.preview_company_sheet"), 303)
    return _upload_page(form), 400


def _upload_page(form: UploadForm) -> str:
    return render_template(
        "admin/company_sheets/upload.html",
        form=form,
        columns=BY_KEY.values(),
        locale=str(current_locale()),
        max_rows=f"{MAX_ROWS:,}",
    )


def _pending() -> sheet_store.Pending | None:
    token = session.get(PENDING)
    if not isinstance(token, str):
        return None
    return sheet_store.fetch(_folder(), token, staff_id=me().id, now=time.time())


def _plan(pending: sheet_store.Pending) -> Plan:
    return plan_import(get_session(), pending.sheet, home=me().unit, today=today())


@bp.get("/companies/import/preview")
@requires(Role.SUPERVISOR)
def preview_company_sheet() -> BaseResponse | str:
    """What importing the uploaded file would do, row by row; nothing is written yet."""
    pending = _pending()
    if pending is None:
        flash(_("The uploaded file has expired (uploads are kept 30 minutes). Choose it again."))
        return redirect(url_for("admin.upload_company_sheet"), 303)
    return _preview(pending, _plan(pending))


def _preview(pending: sheet_store.Pending, plan: Plan, notice: str = "") -> str:
    form = ConfirmForm(digest=plan.digest)
    return render_template(
        "admin/company_sheets/preview.html",
        plan=plan,
        pending=pending,
        form=form,
        notice=notice,
        headers={key: column.header(str(current_locale())) for key, column in BY_KEY.items()},
        shown=company_export.shown,
    )


@bp.post("/companies/import/confirm")
@requires(Role.SUPERVISOR)
def confirm_company_sheet() -> BaseResponse | tuple[str, int]:
    """Import the previewed file, all of it or nothing, if it still does what the preview said."""
    pending = _pending()
    form = ConfirmForm()
    if pending is None:
        flash(_("The uploaded file has expired (uploads are kept 30 minutes). Choose it again."))
        return redirect(url_for("admin.upload_company_sheet"), 303)
    if not form.validate():
        return redirect(url_for("admin.preview_company_sheet"), 303)
    db = get_session()
    with transaction(db):
        plan = _plan(pending)
        if not plan.ready or plan.digest != form.digest.data:
            db.rollback()
            notice = _("The company list changed since the preview. Check it again.")
            return _preview(pending, plan, notice), 409
        outcome = run_import(db, plan, actor=actor(), now=utcnow(), filename=pending.filename)
    sheet_store.drop(_folder(), session.pop(PENDING))
    session[DONE] = {"file": pending.filename[:200], **outcome.__dict__}
    return redirect(url_for("admin.company_sheet_imported"), 303)


@bp.get("/companies/import/done")
@requires(Role.SUPERVISOR)
def company_sheet_imported() -> BaseResponse | str:
    """What the import wrote."""
    done = session.get(DONE)
    if not isinstance(done, dict):
        return redirect(url_for("admin.upload_company_sheet"), 303)
    return render_template("admin/company_sheets/done.html", done=done)


def filter_from(args: Any) -> CompanyFilter:
    """The company list's filters from a query string (what the list page links with)."""
    status = args.get("status", "active")
    mine = args.get("show") == "mine"  # the list's "my companies"

    def number(name: str) -> int | None:
        value = args.get(name, "")
        return int(value) if is_whole(value) and len(value) < 10 else None

    return CompanyFilter(
        q=args.get("q", "")[:100],
        floor=args.get("floor", "")[:40],
        industry=args.get("industry", "")[:1],
        officer_id=me().id if mine else number("officer"),
        no_officer=bool(args.get("no_officer")) and not mine,
        status=status if status in ("active", "moved_out", "all") else "active",
        unit_id=number("unit"),
    )


def _csv_body(wanted: CompanyFilter, locale: str, reach: scope.Reach) -> Iterator[str]:
    """The CSV, read through a session of its own (the request's is closed before streaming),
    limited as the request's is."""
    factory: sessionmaker[Session] = current_app.extensions["kiosk.sessionmaker"]
    with scope.open_session(factory, reach) as db:
        yield from company_export.csv_chunks(sheets.iter_companies(db, wanted), locale)


@bp.get("/companies/export-csv", defaults={"kind": "csv"})
@bp.get("/companies/export-xlsx", defaults={"kind": "xlsx"})
@requires(Role.STAFF)
def export_company_sheet(kind: str) -> Response:
    """The list in reach, with the list page's filters, in the columns an import reads."""
    db = get_session()
    wanted = filter_from(request.args)
    locale = str(current_locale())
    with transaction(db):
        audit.record(db, actor(), "company.export", "company", "", file=kind)
    name = f"companies-{today():%Y%m%d}.{kind}"
    if kind == "csv":
        body: Any = stream_with_context(_csv_body(wanted, locale, scope.reach_of(db)))
        mimetype = "text/csv"
    else:
        rows = sheets.iter_companies(db, wanted)
        body = company_export.file_chunks(company_export.xlsx_file(rows, locale))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
