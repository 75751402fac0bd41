"""The admin's home page: the programme's figures for the officer's unit and a period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, render_template, request, url_for

from kiosk.access import requires
from kiosk.admin.views import bp, me, settings, today
from kiosk.db import get_session, utcnow
from kiosk.errors import NotFound
from kiosk.i18n import current_locale
from kiosk.i18n import lazy_gettext as _l
from kiosk.labels import SOURCE
from kiosk.models import Role, Unit
from kiosk.services.figures import dashboard, named, report, report_files
from kiosk.services.figures.periods import KINDS, Period, month_of, week_of
from kiosk.services.units import unit_in_reach

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIODS = {
    "week": _l("This week"),
    "month": _l("This month"),
    "quarter": _l("This quarter"),
    "year": _l("This year"),
    "custom": _l("Two dates"),
}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _unit() -> Unit:
    """The unit asked for (a unit in reach, to drill down), else the officer's own."""
    asked = request.args.get("unit", "")
    if asked:
        found = unit_in_reach(get_session(), int(asked)) if asked.isdigit() else None
        if found is None:
            raise NotFound()
        return found
    mine = me().unit
    if mine is None:
        raise NotFound()
    return mine


def _period() -> Period:
    """The period the query string asks for (this month when it asks for nothing known)."""
    kind = request.args.get("period", "month")
    kind = kind if kind in KINDS else "month"
    return named(kind, today(), _day(request.args.get("from")), _day(request.args.get("to")))


@bp.get("/dashboard")
@requires(Role.STAFF)
def show_dashboard() -> str:
    """Figures, breakdowns and the weekly trend; every figure links to the list it counts."""
    period = _period()
    unit = _unit()
    locale = current_locale()
    board = dashboard.build(get_session(), unit, period, settings().zone, locale)
    return render_template(
        "admin/dashboard/show.html",
        board=board,
        periods=PERIODS,
        kind=period.kind,
        chart=_chart(board),
        link=_linker(board),
        locale=locale,
        source_words=SOURCE,
        report_url=_report_url,
        last_week=week_of(today() - timedelta(days=7)),
        last_month=month_of(today().replace(day=1) - timedelta(days=1)),
    )


@bp.get("/dashboard/report")
@requires(Role.STAFF)
def download_report() -> Response:
    """The unit's report for the period as XLSX or PDF (`format`), for a 会商会's table."""
    kind = request.args.get("format", "xlsx")
    if kind not in ("xlsx", "pdf"):
        raise NotFound()
    period, unit, locale = _period(), _unit(), current_locale()
    made = report.build(get_session(), unit, period, settings().zone, locale, utcnow())
    body = (
        report_files.as_pdf(made, locale) if kind == "pdf" else report_files.as_xlsx(made, locale)
    )
    name = f"report-{unit.code}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{kind}"
    mimetype = "application/pdf" if kind == "pdf" else XLSX
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _report_url(first: date, last: date, kind: str) -> str:
    """Where a report of these days, for the unit shown, is downloaded."""
    args: dict[str, Any] = {"period": "custom", "format": kind}
    args |= {"from": first.isoformat(), "to": last.isoformat()}
    if request.args.get("unit"):
        args["unit"] = request.args["unit"]
    return url_for("admin.download_report", **args)


def _linker(board: dashboard.Dashboard) -> Any:
    """The ledger's address listing what one figure counts."""

    def link(what: str, unit_id: int | None = None) -> str:
        args: dict[str, Any] = {
            "figure": what,
            "unit": unit_id or board.unit.id,
            "from": board.period.first.isoformat(),
            "to": board.period.last.isoformat(),
        }
        return url_for("admin.list_appeals", **args)

    return link


def _chart(board: dashboard.Dashboard) -> dict[str, Any]:
    """The numbers the charts draw (the same as the tables beside them)."""
    return {
        "weeks": [week for week, _, _ in board.weeks],
        "raised": [raised for _, raised, _ in board.weeks],
        "solved": [solved for _, _, solved in board.weeks],
        "labels": {"raised": str(_l("Raised")), "solved": str(_l("Solved"))},
        "categories": [row.label for row in board.categories],
        "category_raised": [row.raised for row in board.categories],
    }
